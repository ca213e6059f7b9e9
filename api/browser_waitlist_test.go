package api_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"consult/booking"
)

// linksIn returns every http(s) link in a message's text.
func linksIn(text string) []string {
	return regexp.MustCompile(`https?://[^\s<>"]+`).FindAllString(text, -1)
}

// mailTo returns the one message among ms to address whose subject holds s.
func mailTo(t *testing.T, ms []parsedMail, address, s string) parsedMail {
	t.Helper()
	var found []parsedMail
	for _, m := range ms {
		if len(m.To) == 1 && m.To[0] == address && strings.Contains(decodeSubject(m), s) {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d messages to %s with %q", len(found), address, s)
	}
	return found[0]
}

// TestWaitlistInBrowserWithoutJavaScript: a visitor who finds Wednesday
// full joins the waitlist from the booking page in a browser without
// JavaScript, confirms by the emailed link, is offered the time a
// cancellation frees, and books it; a link scanner fetching every link of
// both emails changes nothing, and every page passes axe-core.
func TestWaitlistInBrowserWithoutJavaScript(t *testing.T) {
	b := needBrowser(t)
	a := newMailAPI(t, testNow)
	ctx := context.Background()
	wed := time.Date(2026, 12, 9, 8, 0, 0, 0, time.UTC)
	var tokens []string
	for range booking.DefaultSettings().DailyCap {
		slots, _, err := a.svc.Slots(ctx, wed, wed.Add(24*time.Hour))
		if err != nil || len(slots) == 0 {
			t.Fatal(slots, err)
		}
		_, token, err := a.svc.Book(ctx, booking.Request{Start: slots[0].Start, Name: "Client", Email: "client@example.org"}, "")
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, token)
	}

	tb := b.tab(t, tabOptions{noScript: true})
	// checkPage audits the page at path in a tab of its own (each tab
	// has a time limit, and four pages at two widths outlast it).
	checkPage := func(path, name string) {
		t.Helper()
		audit := b.tab(t, tabOptions{})
		audit.open(a.url + path)
		audit.auditWidths(b, name)
	}
	tb.open(a.url + "/book?date=2026-12-09")
	tb.follow(chromedp.Click(chromedp.CSS(`.waitlist-link a`)))
	if h := tb.text("h1"); h != "Tell me when a time frees up" {
		t.Fatalf("the waitlist link leads to %q", h)
	}
	checkPage("/waitlist", "waitlist-form")
	// Sent without consent: told at the field, nothing stored.
	tb.must(
		chromedp.SendKeys(chromedp.ID("name"), "Wren Waiting"),
		chromedp.SendKeys(chromedp.ID("email"), "wren@example.org"),
		chromedp.SetValue(chromedp.ID("from"), "2026-12-09"),
		chromedp.SetValue(chromedp.ID("to"), "2026-12-09"),
	)
	if code := tb.follow(chromedp.Click(chromedp.CSS(`form[action="/waitlist"] button[type=submit]`))); code != 422 {
		t.Fatalf("without consent: %d", code)
	}
	if msg := tb.text("#consent-error"); !strings.Contains(msg, "agree") {
		t.Fatalf("consent error: %q", msg)
	}
	if entries, _ := a.store.Waitlist(ctx); len(entries) != 0 {
		t.Fatalf("stored without consent: %+v", entries)
	}
	tb.must(chromedp.Click(chromedp.ID("consent")))
	tb.follow(chromedp.Click(chromedp.CSS(`form[action="/waitlist"] button[type=submit]`)))
	if h := tb.text("h1"); h != "Check your email" {
		t.Fatalf("after joining: %q", h)
	}

	confirm := mailTo(t, a.deliver(0), "wren@example.org", "Please confirm")
	if !strings.Contains(confirm.Text, "Weekdays, any time of day, Wed 9 Dec 2026 to Wed 9 Dec 2026, Los Angeles time") {
		t.Fatalf("confirmation email:\n%q", confirm.Text)
	}
	scan := func(text string) {
		t.Helper()
		for _, link := range linksIn(text) {
			resp, err := a.client.Get(strings.Replace(link, "http://consult.test", a.url, 1))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Fatalf("GET %s: %d", link, resp.StatusCode)
			}
		}
	}
	scan(confirm.Text)
	if entries, _ := a.store.Waitlist(ctx); len(entries) != 1 || entries[0].Status != booking.WaitlistUnconfirmed {
		t.Fatalf("after a link scanner: %+v", entries)
	}
	link := regexp.MustCompile(`http://consult.test(/waitlist/[A-Za-z0-9_-]+)\r?\n`).FindStringSubmatch(confirm.Text)
	if link == nil {
		t.Fatalf("no link in\n%s", confirm.Text)
	}
	checkPage("/waitlist/check-email", "waitlist-check-email")
	checkPage(link[1]+"/leave", "waitlist-leave")
	checkPage(link[1], "waitlist-confirm")
	tb.open(a.url + link[1])
	tb.follow(chromedp.Click(chromedp.CSS(`form[action$="/confirm"] button`)))
	if h := tb.text("h1"); h != "You are on the waitlist" {
		t.Fatalf("after confirming: %q", h)
	}
	checkPage(link[1], "waitlist-entry")

	freed, err := a.svc.Cancel(ctx, tokens[3])
	if err != nil {
		t.Fatal(err)
	}
	if n, err := a.svc.OfferWaitlist(ctx); err != nil || n != 1 {
		t.Fatalf("offers %d, %v", n, err)
	}
	offer := mailTo(t, a.deliver(0), "wren@example.org", "A time has come free")
	scan(offer.Text)
	held, err := a.store.Waitlist(ctx)
	if err != nil || len(held) != 1 || held[0].Offer == nil || !held[0].Offer.Start.Equal(freed.Start) {
		t.Fatalf("after scanning the offer: %+v, %v", held, err)
	}
	manage := regexp.MustCompile(`http://consult.test(/manage/[A-Za-z0-9_-]+)\r?\n`).FindStringSubmatch(offer.Text)
	tb.open(a.url + manage[1])
	if h := tb.text("h1"); h != "A time has come free" {
		t.Fatalf("the offer link opens %q", h)
	}
	checkPage(manage[1], "waitlist-offer")
	checkPage(manage[1]+"/leave-waitlist", "waitlist-offer-leave")
	if held, _ := a.store.Waitlist(ctx); len(held) != 1 || held[0].Offer == nil {
		t.Fatalf("opening the leave page changed the entry: %+v", held)
	}
	tb.follow(chromedp.Click(chromedp.CSS(`form[action$="/confirm"] button`)))
	var n int
	if err := a.pool.QueryRow(ctx, `SELECT count(*) FROM bookings WHERE status = 'confirmed' AND email = 'wren@example.org' AND starts_at = $1`,
		freed.Start).Scan(&n); err != nil || n != 1 {
		t.Fatalf("wren's booking: %d, %v", n, err)
	}
	mailTo(t, a.deliver(0), "wren@example.org", "is confirmed")
	if entries, _ := a.store.Waitlist(ctx); len(entries) != 0 {
		t.Fatalf("still waiting after booking: %+v", entries)
	}
	if resp, err := a.client.Get(a.url + link[1]); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the entry's link afterwards: %v %v", resp, err)
	}
}
