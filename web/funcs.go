package web

import (
	"html/template"
	"strconv"
	"strings"
	"time"
)

// Plural writes a count with its noun: "1 booking", "4 bookings",
// "0 bookings".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Funcs returns the view helpers every template may use.
func Funcs() template.FuncMap {
	return template.FuncMap{
		// inZone shows an instant in an IANA zone; an unknown zone shows UTC.
		"inZone": func(t time.Time, zone string) time.Time {
			loc, err := time.LoadLocation(zone)
			if err != nil || zone == "Local" {
				return t.UTC()
			}
			return t.In(loc)
		},
		// longDate is how dates read in the site: "Tuesday 2 December 2026".
		"longDate": func(t time.Time) string { return t.Format("Monday 2 January 2006") },
		// clock is a time of day: "1:30 PM".
		"clock": func(t time.Time) string { return t.Format("3:04 PM") },
		// inc counts from one where range counts from zero.
		"inc": func(i int) int { return i + 1 },
		// plural writes a count with its noun: {{plural .N "booking" "bookings"}}.
		"plural": Plural,
		// zoneAbbr is the zone's short name at that instant, e.g. "PST".
		"zoneAbbr": func(t time.Time) string { name, _ := t.Zone(); return name },
		// lower writes a label in lower case, for the middle of a sentence.
		"lower": strings.ToLower,
	}
}
