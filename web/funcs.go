package web

import (
	"html/template"
	"strings"
	"time"
)

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
		// zoneAbbr is the zone's short name at that instant, e.g. "PST".
		"zoneAbbr": func(t time.Time) string { name, _ := t.Zone(); return name },
		// lower writes a label in lower case, for the middle of a sentence.
		"lower": strings.ToLower,
	}
}
