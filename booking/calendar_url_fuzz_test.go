package booking_test

import (
	"net/url"
	"strings"
	"testing"

	"consult/booking"
)

// FuzzNormalizeCalendarURL: whatever is typed, an accepted address is an
// absolute http(s) URL with a host and no credentials, and normalising it
// again changes nothing.
func FuzzNormalizeCalendarURL(f *testing.F) {
	for _, s := range []string{"webcal://p01-calendars.icloud.com/published/2/x", "https://calendar.google.com/calendar/ical/a/private-b/basic.ics",
		"ftp://x", "javascript:alert(1)", "https://u:p@h/", " HTTPS://Example.org/a#b ", "http://[::1]:8080/c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := booking.NormalizeCalendarURL(raw)
		if err != nil {
			return
		}
		u, perr := url.Parse(got)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || strings.Contains(got, "#") {
			t.Fatalf("NormalizeCalendarURL(%q) = %q", raw, got)
		}
		again, err := booking.NormalizeCalendarURL(got)
		if err != nil || again != got {
			t.Fatalf("normalising %q again: %q, %v", got, again, err)
		}
	})
}
