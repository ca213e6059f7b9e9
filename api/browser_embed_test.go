package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"consult/booking"
)

// hostSite serves a practice's own website: one page that includes
// embed.js from consult, on an origin of its own.
func hostSite(t *testing.T, consult, attrs string) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Harbour Practice</title></head>
<body><h1>Welcome to the practice</h1><p>Book your free consultation below.</p>
<script src="%s/embed.js" %s></script></body></html>`, consult, attrs)
	}))
	t.Cleanup(s.Close)
	return s
}

// TestEmbedHeaders: the framed booking page may be framed only by the
// websites the practitioner listed, the ordinary pages by none, and
// embed.js and the accent's style sheet are served from the service.
func TestEmbedHeaders(t *testing.T) {
	a := newMailAPI(t, testNow)
	get := func(path string) *http.Response {
		t.Helper()
		resp, err := a.client.Get(a.url + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	for _, path := range []string{"/embed/book", "/book"} {
		if r := get(path); r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			r.Header.Get("X-Frame-Options") != "DENY" {
			t.Fatalf("%s with no website listed: %d %q %q", path, r.StatusCode, r.Header.Get("Content-Security-Policy"), r.Header.Get("X-Frame-Options"))
		}
	}
	if err := a.store.SaveEmbedSettings(context.Background(), booking.EmbedSettings{
		Origins: []string{"https://www.harbour.example", "http://127.0.0.1:1"}, Accent: "#8a3b12"}, testNow); err != nil {
		t.Fatal(err)
	}
	r := get("/embed/book")
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://www.harbour.example http://127.0.0.1:1;") ||
		r.Header.Get("X-Frame-Options") != "" {
		t.Fatalf("/embed/book: %q, X-Frame-Options %q", csp, r.Header.Get("X-Frame-Options"))
	}
	if r := get("/book"); !strings.Contains(r.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") || r.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatal("/book became frameable")
	}
	if r := get("/embed.js"); r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("/embed.js: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	resp, err := a.client.Get(a.url + "/embed/theme.css")
	if err != nil {
		t.Fatal(err)
	}
	css, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(css), "--accent: #8a3b12") {
		t.Fatalf("theme: %s", css)
	}
}

// TestEmbedInAnotherWebsite: a page on a second loopback origin that the
// practitioner allowed shows the booking page through embed.js, the frame
// grows to its content, and a client books through it; a page on a third
// origin, not allowed, gets no booking page in its frame.
func TestEmbedInAnotherWebsite(t *testing.T) {
	b := needBrowser(t)
	a := newMailAPI(t, testNow)
	allowed, refused := hostSite(t, a.url, ""), hostSite(t, a.url, "")
	if err := a.store.SaveEmbedSettings(context.Background(), booking.EmbedSettings{Origins: []string{allowed.URL}}, testNow); err != nil {
		t.Fatal(err)
	}
	tb := b.tab(t, tabOptions{})
	tb.open(allowed.URL)
	tb.waitFor(`(function () { var f = document.querySelector("iframe[data-consult-frame]"); return f && f.style.height !== "" && parseInt(f.style.height, 10) > 600; })()`)
	frames, err := chromedp.Run(tb.ctx, chromedp.Nodes(chromedp.CSS("iframe[data-consult-frame]")))
	if err != nil || len(frames) != 1 {
		t.Fatalf("frames: %d, %v", len(frames), err)
	}
	in := chromedp.FromNode(frames[0])
	tb.must(
		chromedp.WaitVisible(chromedp.CSS(`form.book-form`), in),
		chromedp.Click(chromedp.CSS(`label[for="slot-0"]`), in),
		chromedp.SendKeys(chromedp.CSS(`#name`), "Fran Frame", in),
		chromedp.SendKeys(chromedp.CSS(`#email`), "fran@example.org", in),
		chromedp.Click(chromedp.CSS(`#consent`), in),
		chromedp.Click(chromedp.CSS(`form.book-form button[type=submit]`), in),
	)
	deadline := time.Now().Add(20 * time.Second) // a duration only: waiting for the browser
	var n int
	for n == 0 && time.Now().Before(deadline) {
		if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM bookings WHERE email = 'fran@example.org' AND status = 'confirmed'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n != 1 {
		t.Fatal("no booking made through the frame")
	}
	frames, err = chromedp.Run(tb.ctx, chromedp.Nodes(chromedp.CSS("iframe[data-consult-frame]")))
	if err != nil || len(frames) != 1 {
		t.Fatalf("frames after booking: %d, %v", len(frames), err)
	}
	tb.must(chromedp.WaitVisible(chromedp.CSS(`body.embed`), chromedp.FromNode(frames[0])))
	heading, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS("h1"), chromedp.FromNode(frames[0])))
	if err != nil || !strings.Contains(heading, "booked") {
		t.Fatalf("the frame after booking shows %q (%v)", heading, err)
	}
	// The frame shrinks to the shorter confirmation.
	tb.waitFor(`(function () { var f = document.querySelector("iframe[data-consult-frame]"); return parseInt(f.style.height, 10) < 1700; })()`)
	if top := tb.text("h1"); top != "Welcome to the practice" {
		t.Fatalf("the host page navigated away: %q", top)
	}
	tb.screenshot(b, "embed-inline-1280")

	other := b.tab(t, tabOptions{})
	other.open(refused.URL)
	time.Sleep(2 * time.Second) // a duration only: time for a frame that would load
	if h := evalIn[string](other, `document.querySelector("iframe[data-consult-frame]").style.height`); h != "" {
		t.Fatalf("a website not allowed got a working frame (height %q)", h)
	}
	forms, err := chromedp.Run(other.ctx, chromedp.Evaluate[int](`document.querySelector("iframe[data-consult-frame]").contentDocument ? document.querySelector("iframe[data-consult-frame]").contentDocument.querySelectorAll("form").length : 0`))
	if err != nil || forms != 0 {
		t.Fatalf("the refused frame holds %d forms (%v)", forms, err)
	}
}

// TestEmbedPopupButton: with data-consult="popup" the website shows a
// button that opens the booking page over it.
func TestEmbedPopupButton(t *testing.T) {
	b := needBrowser(t)
	a := newMailAPI(t, testNow)
	host := hostSite(t, a.url, `data-consult="popup" data-label="Book now"`)
	if err := a.store.SaveEmbedSettings(context.Background(), booking.EmbedSettings{Origins: []string{host.URL}}, testNow); err != nil {
		t.Fatal(err)
	}
	tb := b.tab(t, tabOptions{})
	tb.open(host.URL)
	if label := tb.text("button[data-consult-open]"); label != "Book now" {
		t.Fatalf("button %q", label)
	}
	tb.must(chromedp.Click(chromedp.CSS("button[data-consult-open]")))
	tb.waitFor(`(function () { var d = document.querySelector("dialog"); var f = d && d.querySelector("iframe"); return d.open && f && parseInt(f.style.height, 10) > 600; })()`)
	frames, err := chromedp.Run(tb.ctx, chromedp.Nodes(chromedp.CSS("dialog iframe")))
	if err != nil || len(frames) != 1 {
		t.Fatalf("frames %d, %v", len(frames), err)
	}
	tb.must(chromedp.WaitVisible(chromedp.CSS(`form.book-form`), chromedp.FromNode(frames[0])))
	tb.screenshot(b, "embed-popup-1280")
}
