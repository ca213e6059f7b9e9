package api_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// slotLabelRE reads a time as the picker shows it.
var slotLabelRE = regexp.MustCompile(`<label for="slot-\d+"><span class="visually-hidden">[^<]*</span>([^<]+)</label>`)

var (
	clockChoiceRE = regexp.MustCompile(`<p class="hint clock-choice">.*</p>`)
	twelveHourRE  = regexp.MustCompile(`^\d{1,2}:\d\d\x{a0}[AP]M$`)
	dayHourRE     = regexp.MustCompile(`^\d\d:\d\d$`)
)

// shownTimes returns the picker's times on page body, failing when there
// are none.
func shownTimes(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	for _, m := range slotLabelRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		t.Fatalf("no times on the page:\n%s", body)
	}
	return out
}

func allMatch(re *regexp.Regexp, times []string) bool {
	for _, s := range times {
		if !re.MatchString(s) {
			return false
		}
	}
	return true
}

func TestPagesWriteTimesOnTheVisitorsClock(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	day := url.Values{"date": {"2026-12-03"}, "tz": {"Europe/Berlin"}}
	for _, tc := range []struct {
		lang, clock string
		want        *regexp.Regexp
	}{
		{"en-US,en;q=0.8", "", twelveHourRE},
		{"en", "", twelveHourRE},
		{"de-DE,de;q=0.9", "", dayHourRE},
		{"en-GB", "", dayHourRE},
		{"", "", dayHourRE},
		{"de-DE", "12", twelveHourRE},
		{"en-US", "24", dayHourRE},
	} {
		s.lang = tc.lang
		if tc.lang == "" {
			s.lang = "*"
		}
		q := url.Values{"date": day["date"], "tz": day["tz"]}
		if tc.clock != "" {
			q.Set("clock", tc.clock)
		}
		p := s.get("/book?" + q.Encode())
		if p.Status != http.StatusOK {
			t.Fatalf("%q clock %q: %d", tc.lang, tc.clock, p.Status)
		}
		if times := shownTimes(t, p.Body); !allMatch(tc.want, times) {
			t.Errorf("%q clock %q: times %q, want each to match %s", tc.lang, tc.clock, times, tc.want)
		}
	}
}

func TestAChosenClockIsCarriedInTheLinksAndForms(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	s.lang = "en-US"
	p := s.get("/book?date=2026-12-03&tz=Europe%2FBerlin")
	// The offer of the other clock is there, and nothing else carries one
	// the visitor has not chosen.
	if !strings.Contains(p.Body, `data-clock-link="24"`) || !strings.Contains(p.Body, `aria-current="true"><span class="visually-hidden">12-hour clock, </span>1:30`) {
		t.Fatalf("no 12/24-hour choice with 12 hours current:\n%s", p.Body)
	}
	for _, u := range regexpAll(`<a href="([^"]+)" data-date=`, p.Body) {
		if strings.Contains(u, "clock=") {
			t.Errorf("week link %q carries a clock nobody chose", u)
		}
	}

	p = s.get("/book?date=2026-12-03&tz=Europe%2FBerlin&clock=24")
	links := regexpAll(`<a href="([^"]+)" data-date=`, p.Body)
	links = append(links, regexpAll(`<a href="([^"]+)" data-week-link`, p.Body)...)
	if len(links) == 0 {
		t.Fatal("no week links")
	}
	for _, u := range links {
		if !strings.Contains(u, "clock=24") {
			t.Errorf("week link %q drops the chosen clock", u)
		}
	}
	if n := strings.Count(p.Body, `<input type="hidden" name="clock" value="24">`); n != 2 {
		t.Errorf("the day form and the booking form carry the clock %d times, want 2", n)
	}

	// Booking with the chosen clock stores it: the confirmation and the
	// manage page read on it whatever the browser's language.
	form := s.bookingForm(s.slotsOn("2026-12-03", "Europe/Berlin")[0])
	form.Set("clock", "24")
	r := s.post("/book", form)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("POST /book: %d\n%s", r.Status, r.Body)
	}
	var cycle int
	if err := s.pool.QueryRow(context.Background(), `SELECT hour_cycle FROM bookings`).Scan(&cycle); err != nil || cycle != 24 {
		t.Fatalf("stored hour_cycle %d (%v), want 24", cycle, err)
	}
	confirmation := s.get(r.Header.Get("Location"))
	manageURL := strings.TrimSuffix(r.Header.Get("Location"), "/confirmation")
	manage := s.get(manageURL)
	for name, body := range map[string]string{"confirmation": confirmation.Body, "manage": manage.Body} {
		// The offer of the other clock shows it by example.
		body = clockChoiceRE.ReplaceAllString(body, "")
		if strings.Contains(body, "\u00a0AM") || strings.Contains(body, "\u00a0PM") {
			t.Errorf("%s page writes 12-hour times for a client who chose 24", name)
		}
	}
	if times := shownTimes(t, manage.Body); !allMatch(dayHourRE, times) {
		t.Errorf("reschedule picker times %q, want 24-hour", times)
	}
	// A choice on the manage page wins over the stored clock and is kept
	// by the reschedule form.
	manage = s.get(manageURL + "?clock=12")
	if times := shownTimes(t, manage.Body); !allMatch(twelveHourRE, times) {
		t.Errorf("manage page with clock=12 shows %q", times)
	}
	if !strings.Contains(manage.Body, `<input type="hidden" name="clock" value="12">`) {
		t.Error("the reschedule form drops the chosen clock")
	}
}
