package api_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
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

// TestBookFormCopiesFollowBookingsOnEveryDay books, on two sites on
// equal databases, times across the bookable window: days far from the
// week the form shows, which keep free times, then every time of the
// day the next week's link opens (the link moves) and of the first day shown
// (the form opens on another day). After each booking the form, in two
// zones, must read as it does rendered afresh.
func TestBookFormCopiesFollowBookingsOnEveryDay(t *testing.T) {
	copied := newTestSiteWith(t, siteOptions{baseURL: "https://harbour.example"})
	fresh := newTestSiteWith(t, siteOptions{baseURL: "https://harbour.example", noCopies: true})
	paths := []string{"/book", "/book?tz=Asia%2FTokyo"}
	compare := func(when string) {
		t.Helper()
		for _, path := range paths {
			want := keyRE.ReplaceAllString(fresh.get(path).Body, "KEY")
			for range 2 { // the second from the copy
				if got := keyRE.ReplaceAllString(copied.get(path).Body, "KEY"); got != want {
					t.Fatalf("after %s, GET %s: the copy differs from the page rendered afresh", when, path)
				}
			}
		}
	}
	booked := 0
	book := func(start string) {
		t.Helper()
		booked++
		for _, s := range []*testSite{copied, fresh} {
			form := s.bookingForm(start)
			form.Set("email", fmt.Sprintf("client%d@example.org", booked))
			if r := s.post("/book", form); r.Status != http.StatusSeeOther {
				t.Fatalf("booking %s: %d", start, r.Status)
			}
		}
		compare("booking " + start)
	}
	// The day's first free time, "" when it has none.
	firstOn := func(day time.Time) string {
		m := slotRE.FindStringSubmatch(fresh.get("/book?date=" + day.Format(time.DateOnly) + "&tz=America%2FLos_Angeles").Body)
		if m == nil || !sameDayInLA(m[1], day) {
			return ""
		}
		return m[1]
	}
	compare("nothing")
	today := time.Unix(0, fresh.clock.Load()).In(mustZone(t, "America/Los_Angeles"))
	for _, days := range []int{9, 16, 30, 45, 60, 75} {
		if start := firstOn(today.AddDate(0, 0, days)); start != "" {
			book(start)
		}
	}
	// The day the next week's link opens, then the first day shown.
	nextWeek := regexp.MustCompile(`<a href="[^"]*date=(\d{4}-\d{2}-\d{2})[^"]*" class="week-next"`)
	m := nextWeek.FindStringSubmatch(fresh.get("/book?tz=America%2FLos_Angeles").Body)
	if m == nil {
		t.Fatal("no link to the next week")
	}
	linked, err := time.ParseInLocation(time.DateOnly, m[1], today.Location())
	if err != nil {
		t.Fatal(err)
	}
	for _, day := range []time.Time{linked.Add(12 * time.Hour), today} {
		for range 40 {
			start := firstOn(day)
			if start == "" {
				break
			}
			book(start)
		}
		if firstOn(day) != "" {
			t.Fatalf("%s still has free times after 40 bookings", day.Format(time.DateOnly))
		}
	}
	if booked < 10 {
		t.Fatalf("only %d bookings made: the test books too little to show anything", booked)
	}
}

// sameDayInLA reports whether the RFC 3339 start falls on day's date in
// Los Angeles.
func sameDayInLA(start string, day time.Time) bool {
	t, err := time.Parse(time.RFC3339, start)
	if err != nil {
		return false
	}
	return t.In(day.Location()).Format(time.DateOnly) == day.Format(time.DateOnly)
}
