package admin

import (
	"strings"
	"time"

	"consult/web/i18n"
	"consult/web/timefmt"
)

// Names in a time layout stand in for words the catalogue gives: Go's
// formatting writes them in English only.
var (
	layoutNames = strings.NewReplacer("Monday", "\x01", "Mon", "\x02", "January", "\x03", "Jan", "\x04")
	// germanOrder puts a layout's parts in the order German writes a
	// date: "Mon 2 Jan 2006" → "Mon, 2. Jan 2006".
	germanOrder = strings.NewReplacer("Monday 2 ", "Monday, 2. ", "Mon 2 ", "Mon, 2. ", "2 January", "2. January", "2 Jan", "2. Jan")
)

var (
	weekdayIDs = [...]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
	monthIDs   = [...]string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}
)

// dateIn writes t with layout, a Go time layout written as English
// reads ("Mon 2 Jan 2006, 15:04 MST"), in language l: in English exactly
// as t.Format would, in German with the catalogue's names of days and
// months and in German order ("Di., 8. Dez. 2026, 09:00 PST").
func dateIn(l i18n.Lang, t time.Time, layout string) string {
	if l == i18n.EN {
		return t.Format(layout)
	}
	if l == i18n.DE {
		layout = germanOrder.Replace(layout)
		if layout == "2" {
			layout = "2." // the first day of a span within a month: "7.–13. Dezember"
		}
		if strings.HasSuffix(layout, "Mon 2") {
			layout = strings.TrimSuffix(layout, "Mon 2") + "Mon, 2."
		}
	}
	s := t.Format(layoutNames.Replace(layout))
	return strings.NewReplacer(
		"\x01", i18n.Weekday(l, t.Weekday()),
		"\x02", i18n.WeekdayShort(l, t.Weekday()),
		"\x03", i18n.MustT(l, "month."+monthIDs[t.Month()-1]),
		"\x04", i18n.MustT(l, "month_short."+monthIDs[t.Month()-1]),
	).Replace(s)
}

// spanIn is a consultation's time in zone as the admin area writes it,
// its dates in layout, in language l.
func spanIn(l i18n.Lang, start, end time.Time, zone string, layout string) timefmt.Span {
	sp := timefmt.SpanIn(start, end, zone, timefmt.H24, l, i18n.Short)
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" || zone == "" {
		loc = time.UTC
	}
	sp.Date = dateIn(l, start.In(loc), layout)
	if sp.EndDate != "" {
		sp.EndDate = dateIn(l, end.In(loc), layout)
	}
	return sp
}
