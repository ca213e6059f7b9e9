package admin

import (
	"slices"
	"strings"
	"time"

	"consult/booking"
	"consult/web/i18n"
)

// wishes words what a waitlist entry asks for in language l: the domain's
// own words (booking.WaitlistEntry.Describe) in English, the catalogue's
// otherwise ("Montags und Dienstags, vormittags, Mo., 7. Dez. 2026 bis
// …, Ortszeit Berlin").
func wishes(l i18n.Lang, e booking.WaitlistEntry, place string) string {
	if l == i18n.EN {
		return e.Describe(place)
	}
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	var days []string
	switch {
	case len(e.Days) == 7:
		days = []string{msg(l, "admin.wishes.any_day")}
	case slices.Equal(e.Days, weekdays):
		days = []string{msg(l, "admin.wishes.weekdays")}
	case slices.Equal(e.Days, []time.Weekday{time.Sunday, time.Saturday}):
		days = []string{msg(l, "admin.wishes.weekends")}
	default:
		for _, d := range e.Days {
			days = append(days, msg(l, "admin.wishes.on_"+weekdayIDs[d]))
		}
	}
	var parts []string
	for _, p := range e.Parts {
		parts = append(parts, msg(l, "admin.wishes.part_"+p))
	}
	if len(e.Parts) == len(booking.DayParts) {
		parts = []string{msg(l, "admin.wishes.any_time")}
	}
	date := func(d booking.Date) string {
		return dateIn(l, time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC), "Mon 2 Jan 2006")
	}
	return msg(l, "admin.wishes.all", "Days", join(days, msg(l, "admin.wishes.and")), "Parts", join(parts, msg(l, "admin.wishes.or")),
		"From", date(e.From), "To", date(e.To), "Zone", i18n.MustT(l, "zone.place_time", "Place", place))
}

// join joins words as a sentence lists them: "a, b and c".
func join(words []string, conj string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + conj + " " + words[len(words)-1]
}
