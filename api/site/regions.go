package site

import (
	"consult/booking"
	"consult/web/i18n"
)

// servedIn lists the places the practice serves in language l, as
// booking.ServedText does in English: "California or Oregon (United
// States) or Germany".
func servedIn(l i18n.Lang, codes []string) string {
	if l == i18n.EN {
		return booking.ServedText(codes)
	}
	or := i18n.MustT(l, "site.waitlist.wish.or")
	var out []string
	for _, line := range servedLines(l, codes) {
		if len(line.Parts) == 0 {
			out = append(out, line.Country)
			continue
		}
		out = append(out, booking.JoinWords(line.Parts, or)+" ("+line.Country+")")
	}
	return booking.JoinWords(out, or)
}
