package api_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"consult/booking"
)

var dateInputRE = regexp.MustCompile(`<input type="date" id="date" name="date" value="[^"]*" min="([^"]+)" max="([^"]+)"`)

// TestBookableDaysAreTheSlotEnginesDays expects the booking page's first
// and last days (the date picker's range and the sentence about it) to be
// the first and last days the slots API can have times on, in the
// practice's zone and in zones ahead of and behind it, over horizons and
// minimum notices. Every day has hours around the clock, so each of those
// days has free times.
func TestBookableDaysAreTheSlotEnginesDays(t *testing.T) {
	for _, horizon := range []int{1, 2, 7, 14, 30, 60, 90} {
		for _, notice := range []time.Duration{0, 12 * time.Hour, 48 * time.Hour, 72 * time.Hour} {
			for _, notSameDay := range []bool{false, true} {
				if notSameDay && notice >= 24*time.Hour {
					continue // the notice already rules out today
				}
				name := fmt.Sprintf("horizon %d days, notice %s, same day %v", horizon, notice, !notSameDay)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					testBookableDays(t, horizon, notice, notSameDay)
				})
			}
		}
	}
}

func testBookableDays(t *testing.T, horizon int, notice time.Duration, notSameDay bool) {
	site := newTestSiteWith(t, siteOptions{noHours: true, settings: func(st *booking.Settings) {
		st.HorizonDays, st.MinNotice, st.NotSameDay, st.DailyCap = horizon, notice, notSameDay, 0
	}})
	for wd := range 7 {
		if _, err := site.pool.Exec(t.Context(), `INSERT INTO weekly_windows (weekday, start_minute, end_minute) VALUES ($1, 0, 1440)`, wd); err != nil {
			t.Fatal(err)
		}
	}
	// testNow is 8:00 AM on Tuesday 1 December in Los Angeles.
	la, _ := time.LoadLocation("America/Los_Angeles")
	today := booking.DateOf(testNow.In(la))
	wantFirst := booking.DateOf(testNow.Add(notice).In(la))
	if notSameDay && !today.Before(wantFirst) {
		wantFirst = today.AddDays(1)
	}
	wantLast := today.AddDays(horizon)
	if wantLast.Before(wantFirst) {
		// Nothing is bookable: the page says so.
		if p := site.get("/book"); !strings.Contains(p.Body, "There are no free times at the moment") {
			t.Errorf("no day is bookable, yet the page does not say so")
		}
		return
	}

	for _, tz := range []string{"America/Los_Angeles", "Asia/Tokyo", "Pacific/Honolulu"} {
		p := site.get("/book?" + url.Values{"tz": {tz}}.Encode())
		m := dateInputRE.FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatalf("%s: no date picker", tz)
		}
		first, _ := booking.ParseDate(m[1])
		last, _ := booking.ParseDate(m[2])
		if tz == "America/Los_Angeles" && (first != wantFirst || last != wantLast) {
			t.Errorf("%s: the picker allows %s to %s, want %s to %s", tz, first, last, wantFirst, wantLast)
		}
		// The API has times on the first and last days, and none
		// before or after them.
		for _, tc := range []struct {
			day  booking.Date
			want bool
		}{{first, true}, {last, true}, {first.AddDays(-1), false}, {last.AddDays(1), false}} {
			if got := len(site.apiSlots(tc.day, tz)) > 0; got != tc.want {
				t.Errorf("%s: times on %s: %v, want %v (picker %s to %s)", tz, tc.day, got, tc.want, first, last)
			}
		}
		// A day after the last is refused with the same days named.
		after := html.UnescapeString(site.get("/book?" + url.Values{"tz": {tz}, "date": {last.AddDays(1).String()}}.Encode()).Body)
		want := "Choose a day between " + dayLabel(first) + " and " + dayLabel(last) + "."
		if !strings.Contains(after, want) {
			t.Errorf("%s: a day after the last does not say %q", tz, want)
		}
	}
}

// apiSlots returns the slots API's times on day in zone tz.
func (s *testSite) apiSlots(day booking.Date, tz string) []string {
	s.t.Helper()
	p := s.get("/api/v1/slots?" + url.Values{"from": {day.String()}, "to": {day.String()}, "tz": {tz}}.Encode())
	if p.Status != http.StatusOK {
		s.t.Fatalf("slots of %s: %d %s", day, p.Status, p.Body)
	}
	return regexpAll(`"start":"([^"]+)"`, p.Body)
}

// dayLabel reads "Tuesday 1 December" for d.
func dayLabel(d booking.Date) string {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Format("Monday 2 January")
}
