package api_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestBookFormCopiesReadAsRenderedAfresh serves /book from two sites on
// equal databases at the same moments, one with the copies and one
// computing every view afresh, and expects the same page from both but
// for the form's key, which is new in every view: across a day and a
// half in steps of seven minutes (slots passing the minimum notice, the
// bookable window moving at midnight), in two zones and on a day asked
// for, and after a booking made through each site.
func TestBookFormCopiesReadAsRenderedAfresh(t *testing.T) {
	opts := siteOptions{baseURL: "https://harbour.example"}
	copied := newTestSiteWith(t, opts)
	opts.noCopies = true
	fresh := newTestSiteWith(t, opts)
	paths := []string{"/book", "/book?tz=Asia%2FTokyo", "/book?date=2026-12-04&tz=America%2FLos_Angeles"}
	keys := map[string]bool{}
	page := func(s *testSite, path string) string {
		t.Helper()
		p := s.get(path)
		if p.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, p.Status)
		}
		m := keyRE.FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatalf("GET %s: no form key", path)
		}
		if keys[m[1]] {
			t.Fatalf("GET %s: the form key %s was sent before", path, m[1])
		}
		keys[m[1]] = true
		return strings.Replace(p.Body, m[1], "KEY", 1)
	}
	compare := func(when string) {
		t.Helper()
		for _, path := range paths {
			want := page(fresh, path)
			for range 2 { // the second from the copy
				if got := page(copied, path); got != want {
					t.Fatalf("%s, GET %s: the copy differs from the page rendered afresh", when, path)
				}
			}
		}
	}
	step := 7 * time.Minute
	for i := range 36 * 60 / 7 {
		if i == 20 {
			// Booked through each site: gone from the next view.
			slot := slotRE.FindStringSubmatch(fresh.get("/book").Body)[1]
			for _, s := range []*testSite{copied, fresh} {
				if r := s.post("/book", s.bookingForm(slot)); r.Status != http.StatusSeeOther {
					t.Fatalf("booking %s: %d", slot, r.Status)
				}
			}
			if strings.Contains(copied.get("/book").Body, `value="`+slot+`"`) {
				t.Fatalf("the time just booked, %s, is still offered", slot)
			}
		}
		compare(time.Unix(0, copied.clock.Load()).UTC().Format(time.RFC3339))
		copied.clock.Add(int64(step))
		fresh.clock.Add(int64(step))
	}
}

// TestBookFormCopyIsTheSameInEveryEncoding expects the gzipped booking
// form to unpack to a page like the plain one, each with a key of its own.
func TestBookFormCopyIsTheSameInEveryEncoding(t *testing.T) {
	s := newTestSite(t)
	fetch := func(enc string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.url+"/book?"+url.Values{"tz": {"Europe/Berlin"}}.Encode(), nil)
		req.Header.Set("Accept-Encoding", enc)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		}
		body, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(body)
	}
	plainResp, plain := fetch("identity")
	gzResp, unpacked := fetch("gzip")
	if gzResp.Header.Get("Content-Encoding") != "gzip" || plainResp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("encodings %q and %q", plainResp.Header.Get("Content-Encoding"), gzResp.Header.Get("Content-Encoding"))
	}
	for _, r := range []*http.Response{plainResp, gzResp} {
		if r.Header.Get("Cache-Control") != "no-store" || !strings.Contains(r.Header.Get("Vary"), "Accept-Encoding") ||
			!strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Errorf("headers %v", r.Header)
		}
	}
	k1, k2 := keyRE.FindStringSubmatch(plain), keyRE.FindStringSubmatch(unpacked)
	if k1 == nil || k2 == nil || k1[1] == k2[1] {
		t.Fatalf("form keys %v and %v", k1, k2)
	}
	if !bytes.Equal([]byte(strings.Replace(plain, k1[1], "", 1)), []byte(strings.Replace(unpacked, k2[1], "", 1))) {
		t.Error("the gzipped page unpacks to another page")
	}
}
