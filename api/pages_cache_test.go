package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"consult/api"
)

// TestPublicPagesFollowThePracticeName renames the practice through the
// admin area and straight in the database, as another instance would, and
// expects the public pages, which are sent from copies, to show the new
// name at once after the former and within two seconds after the latter.
func TestPublicPagesFollowThePracticeName(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	shows := func(path, name string) bool {
		t.Helper()
		r := a.do("GET", path, nil, map[string]string{"Accept": "text/html"})
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.Status)
		}
		return strings.Contains(string(r.Body), `<a href="/" class="brand">`+name+`</a>`)
	}
	for _, p := range []string{"/", "/clinical-research"} {
		if !shows(p, "Consult") {
			t.Fatalf("%s does not show the practice's name", p)
		}
	}

	b := a.mustSignIn()
	b.get("/admin/settings")
	wantAdminRedirect(t, b.post("/admin/settings/practice", url.Values{"practice_name": {"Quay Therapy"}}), "/admin/settings")
	for _, p := range []string{"/", "/clinical-research"} {
		if !shows(p, "Quay Therapy") {
			t.Errorf("%s right after a rename in the admin area: old name", p)
		}
	}

	if _, err := a.pool.Exec(context.Background(), `UPDATE practice_settings SET practice_name = 'Pier Therapy'`); err != nil {
		t.Fatal(err)
	}
	// The name read a moment ago is still trusted, for up to two seconds.
	a.clock.Add(time.Second)
	if !shows("/", "Quay Therapy") {
		t.Error("a second after a rename made elsewhere: the copy was not used")
	}
	a.clock.Add(1100 * time.Millisecond)
	if !shows("/", "Pier Therapy") {
		t.Fatal("a rename made elsewhere is not shown after 2.1 s")
	}
	if !shows("/clinical-research", "Pier Therapy") {
		t.Error("one page shows the new name, another the old")
	}
}

// TestPublicPageCopiesAreTheSameInEveryEncoding expects the gzipped copy
// of a page to unpack to the plain one, with the headers a page has.
func TestPublicPageCopiesAreTheSameInEveryEncoding(t *testing.T) {
	s := newTestSite(t)
	fetch := func(enc string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.url+"/clinical-research", nil)
		req.Header.Set("Accept-Encoding", enc)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	for range 2 { // rendered, then from the copy
		plain, html := fetch("identity")
		zipped, gz := fetch("br;q=1.0, gzip;q=0.8")
		refused, other := fetch("gzip;q=0, deflate")
		if plain.Header.Get("Content-Encoding") != "" || refused.Header.Get("Content-Encoding") != "" ||
			zipped.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("encodings %q, %q, %q", plain.Header.Get("Content-Encoding"),
				zipped.Header.Get("Content-Encoding"), refused.Header.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		unpacked, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(unpacked, html) || !bytes.Equal(other, html) || !bytes.Contains(html, []byte("</html>")) {
			t.Error("the encodings hold different pages")
		}
		for _, r := range []*http.Response{plain, zipped} {
			if r.Header.Get("Cache-Control") != "public, max-age=300" || r.Header.Get("Content-Type") != "text/html; charset=UTF-8" ||
				!strings.Contains(r.Header.Get("Vary"), "Accept-Encoding") || r.Header.Get("Content-Security-Policy") == "" {
				t.Errorf("headers %v", r.Header)
			}
		}
	}
}

// TestHomePageKeepsItsCopyAcrossBookings books through the API and
// expects the home page afterwards to be the same page, at no query of
// its own: a booking moves the data's version, which the slots read once
// for every copy, but not the settings' part of it.
func TestHomePageKeepsItsCopyAcrossBookings(t *testing.T) {
	h, queries := newBenchSite(t)
	serve := func(method, path, body string) []byte {
		t.Helper()
		return serveOK(t, h, method, path, body, "text/html")
	}
	var list slotList
	if err := json.Unmarshal(serve("GET", "/api/v1/slots?from=2026-12-02&to=2026-12-15", ""), &list); err != nil || len(list.Slots) == 0 {
		t.Fatalf("no slots: %v", err)
	}
	home := serve("GET", "/", "")
	serve("POST", "/api/v1/bookings", `{"start": "`+list.Slots[0].Start.Format(time.RFC3339)+`", "name": "Ada Lovelace", "email": "ada@example.org"}`)
	serve("GET", "/api/v1/slots?from=2026-12-02&to=2026-12-15", "")
	before := queries.n.Load()
	if got := serve("GET", "/", ""); !bytes.Equal(got, home) {
		t.Error("the home page changed with a booking")
	}
	if n := queries.n.Load() - before; n != 0 {
		t.Errorf("the home page after a booking sent %d queries of its own, want 0", n)
	}
}
