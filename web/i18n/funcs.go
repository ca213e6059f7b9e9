package i18n

import (
	"html/template"
	"time"
)

// Funcs are the template functions that write text in a page's language:
//
//	{{t .Lang "book.title"}}
//	{{t .Lang "book.with" "Name" .Practice}}
//	{{tn .Lang "admin.bookings_count" (len .Bookings)}}
//	{{date .Lang .Start "long"}}
//
// A message missing from every catalogue fails the render.
func Funcs() template.FuncMap {
	return template.FuncMap{
		"t":  T,
		"tn": N,
		"date": func(l Lang, t time.Time, style string) string {
			s := map[string]DateStyle{"long": Long, "long_no_year": LongNoYear, "short": Short, "month_year": MonthYear}[style]
			return Date(l, t, s)
		},
		"weekday": Weekday,
	}
}
