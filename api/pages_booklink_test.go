package api_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

// feedLinks returns the "Book it" links of the public availability feed,
// by slot start, as the site serves the feed.
func (s *testSite) feedLinks() map[time.Time]string {
	s.t.Helper()
	p := s.get("/calendar/availability.ics")
	if p.Status != http.StatusOK {
		s.t.Fatalf("availability feed: %d %s", p.Status, p.Body)
	}
	cal, err := ical.NewDecoder(strings.NewReader(p.Body)).Decode()
	if err != nil {
		s.t.Fatalf("availability feed does not parse: %v", err)
	}
	links := map[time.Time]string{}
	for _, ev := range cal.Events() {
		start, err := ev.DateTimeStart(time.UTC)
		if err != nil {
			s.t.Fatal(err)
		}
		u, err := ev.Props.Text(ical.PropURL)
		if err != nil || u == "" {
			u = ev.Props.Get(ical.PropURL).Value
		}
		links[start.UTC()] = u
	}
	if len(links) == 0 {
		s.t.Fatal("the availability feed lists no slots")
	}
	return links
}

// getLink follows an absolute link of the site.
func (s *testSite) getLink(link string) fetched {
	s.t.Helper()
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(link, s.url+"/") {
		s.t.Fatalf("link %q is not on the site %s", link, s.url)
	}
	return s.get(u.RequestURI())
}

var checkedRE = regexp.MustCompile(`name="start" id="slot-\d+" value="([^"]+)" checked>`)

func TestFeedLinkOpensTheBookPageWithItsSlotChosen(t *testing.T) {
	site := newTestSite(t)
	links := site.feedLinks()
	// A slot some days ahead, so the page must move off the first open day.
	start := time.Date(2026, 12, 9, 22, 20, 0, 0, time.UTC) // Wed 9 Dec, 2:20\u00a0PM in Los Angeles
	link, ok := links[start]
	if !ok {
		t.Fatalf("the feed has no slot at %s", start)
	}
	p := site.getLink(link)
	if p.Status != http.StatusOK {
		t.Fatalf("GET %s: %d", link, p.Status)
	}
	checked := checkedRE.FindAllStringSubmatch(p.Body, -1)
	if len(checked) != 1 || checked[0][1] != start.Format(time.RFC3339) {
		t.Fatalf("checked times %v, want only %s", checked, start.Format(time.RFC3339))
	}
	if !strings.Contains(p.Body, "Free times on Wednesday 9 December") || !strings.Contains(p.Body, `name="date" value="2026-12-09"`) {
		t.Error("the page does not open on the slot's day")
	}
	if strings.Contains(p.Body, "no longer available") {
		t.Error("a free slot is said to be taken")
	}

	// In the visitor's zone the same slot falls on the next day.
	tokyo := site.getLink(link + "&tz=Asia%2FTokyo")
	if !strings.Contains(tokyo.Body, "Free times on Thursday 10 December") {
		t.Error("the page does not open on the slot's day in the visitor's zone")
	}
	if m := checkedRE.FindStringSubmatch(tokyo.Body); m == nil || m[1] != start.Format(time.RFC3339) {
		t.Errorf("in Tokyo the slot is not chosen: %v", m)
	}

	// Booked meanwhile: the page says so and offers the nearest free times.
	site.bookDirect(start.Format(time.RFC3339))
	taken := site.getLink(link)
	if taken.Status != http.StatusOK {
		t.Fatalf("taken slot: status %d", taken.Status)
	}
	if !strings.Contains(html.UnescapeString(taken.Body), "That time has just been booked by someone else; here are the nearest free times.") {
		t.Error("no note that the time was taken")
	}
	if !strings.Contains(taken.Body, "The nearest free times") || checkedRE.MatchString(taken.Body) {
		t.Error("the nearest free times are not offered, or something is chosen")
	}
	offered := regexpAll(`name="start" id="slot-\d+" value="([^"]+)"`, taken.Body)
	if len(offered) == 0 {
		t.Fatal("no times offered")
	}
	for _, v := range offered {
		got, _ := time.Parse(time.RFC3339, v)
		if got.Equal(start) || got.Sub(start).Abs() > 24*time.Hour {
			t.Errorf("offered %s for a taken %s", v, start.Format(time.RFC3339))
		}
	}
	if strings.Contains(taken.Body, `aria-invalid="true"`) {
		t.Error("a stale link is shown as the visitor's error")
	}
}

// TestBookPageWithABadStartOpensNormally follows links to times that
// cannot be booked: each says why, over the nearest free times.
func TestBookPageWithABadStartOpensNormally(t *testing.T) {
	site := newTestSite(t)
	for _, tc := range []struct{ start, note string }{
		{"yesterday", "We could not read the time in that link. Please choose a time below."},
		{"2026-12-02T17:10:00Z", "That is not one of the start times offered; here are the nearest free times."},
		{"2025-01-05T17:00:00Z", "That time has already passed; here are the nearest free times."},
		{"2026-12-01T17:00:00Z", "Bookings need at least 12 hours’ notice; here are the nearest free times."},   // 9:00 AM today
		{"2026-12-05T18:00:00Z", "The practice is closed that day; here are the nearest free times."},           // a Saturday
		{"2026-12-02T15:00:00Z", "That time is outside the practice’s hours; here are the nearest free times."}, // 7:00 AM
		{"2031-01-06T17:00:00Z", "Bookings can be made up to 60 days ahead; here are the nearest free times."},
		{"2026-12-02T09:00:00-08:00", ""}, // free, with an offset
	} {
		p := site.get("/book?" + url.Values{"start": {tc.start}}.Encode())
		if p.Status != http.StatusOK {
			t.Errorf("%s: status %d", tc.start, p.Status)
			continue
		}
		body := html.UnescapeString(p.Body)
		if got := regexpAll(`(?s)<p class="notice" data-slots-note>(.*?)</p>`, body); tc.note != "" && !slices.Equal(got, []string{tc.note}) {
			t.Errorf("%s: note %q, want %q", tc.start, got, tc.note)
		}
		if tc.note == "" && checkedRE.FindStringSubmatch(p.Body) == nil {
			t.Errorf("%s: the free slot is not chosen", tc.start)
		}
		if !strings.Contains(p.Body, `name="start"`) || strings.Contains(p.Body, `aria-invalid="true"`) {
			t.Errorf("%s: no times offered, or shown as an error", tc.start)
		}
	}

	// With nothing free, the note gives the reason alone.
	closed := newTestSiteWith(t, siteOptions{noHours: true})
	body := html.UnescapeString(closed.get("/book?start=2026-12-02T17:00:00Z").Body)
	if got := regexpAll(`(?s)<p class="notice" data-slots-note>(.*?)</p>`, body); !slices.Equal(got, []string{"The practice is closed that day."}) {
		t.Errorf("with no free times the note reads %q", got)
	}
}

// slotNames returns the accessible names of the time radio buttons: the
// text of their labels, tags removed.
func slotNames(body string) []string {
	var out []string
	for _, l := range regexpAll(`<label for="slot-\d+">(.*?)</label>`, body) {
		out = append(out, html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(l, "")))
	}
	return out
}

func TestSlotLabelsOnADayTheClocksGoBack(t *testing.T) {
	site := newTestSiteWith(t, siteOptions{now: time.Date(2026, 10, 20, 16, 0, 0, 0, time.UTC)})
	// Cairo's clocks go back at midnight at the end of Thursday 29 October
	// 2026, so 23:00–24:00 happens twice that day.
	p := site.get("/book?date=2026-10-29&tz=Africa/Cairo")
	names := slotNames(p.Body)
	values := regexpAll(`name="start" id="slot-\d+" value="([^"]+)"`, p.Body)
	if len(names) == 0 || len(names) != len(values) {
		t.Fatalf("%d labels for %d times", len(names), len(values))
	}
	byValue := map[string]string{}
	seen := map[string]string{}
	for i, n := range names {
		if other, dup := seen[n]; dup {
			t.Errorf("%s and %s are both read as %q", other, values[i], n)
		}
		seen[n] = values[i]
		byValue[values[i]] = n
	}
	for v, want := range map[string]string{
		"2026-10-29T20:00:00Z": "Thursday 29 October, 11:00\u00a0PM (UTC+3)",
		"2026-10-29T21:00:00Z": "Thursday 29 October, 11:00\u00a0PM (UTC+2)",
		"2026-10-29T16:00:00Z": "Thursday 29 October, 7:00\u00a0PM (UTC+3)",
	} {
		if got := byValue[v]; got != want {
			t.Errorf("%s reads %q, want %q", v, got, want)
		}
	}

	// A day without a change keeps the short labels.
	plain := slotNames(site.get("/book?date=2026-10-28&tz=Africa/Cairo").Body)
	if !slices.Contains(plain, "Wednesday 28 October, 7:00\u00a0PM") {
		t.Errorf("an ordinary day reads %q", plain)
	}
}

// TestConfirmationShowsEachTimeWithItsOffset checks a booking that starts
// before the practice's clocks go back and ends after.
func TestConfirmationShowsEachTimeWithItsOffset(t *testing.T) {
	site := newTestSiteWith(t, siteOptions{now: time.Date(2026, 10, 20, 16, 0, 0, 0, time.UTC)})
	if _, err := site.pool.Exec(t.Context(), `INSERT INTO weekly_windows (weekday, start_minute, end_minute) VALUES (0, 60, 120)`); err != nil {
		t.Fatal(err)
	}
	token := site.bookDirect("2026-11-01T08:40:00Z") // 1:40\u00a0AM PDT to 1:00\u00a0AM PST
	p := site.get("/manage/" + token + "/confirmation")
	body := html.UnescapeString(p.Body)
	if !strings.Contains(body, "1:40\u00a0AM (UTC−7) to 1:00\u00a0AM (UTC−8)") {
		t.Errorf("the start and end do not carry their own offsets:\n%s", regexpAll(`(?s)<dl class="summary">(.*?)</dl>`, body))
	}
}
