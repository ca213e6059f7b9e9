package site

import (
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"consult/booking"
	"consult/web/i18n"
)

// Countries are named in the page's language from CLDR's names
// (golang.org/x/text/language/display); states and provinces keep the
// names the practice's region list gives them, which are their own.

// countryName names country code (ISO 3166-1 alpha-2) in language l, or
// gives english when l is English or CLDR has no name for it.
func countryName(l i18n.Lang, code, english string) string {
	if l == i18n.EN {
		return english
	}
	r, err := language.ParseRegion(code)
	if err != nil {
		return english
	}
	if name := display.Regions(language.Make(l.Tag())).Name(r); name != "" {
		return name
	}
	return english
}

// regionLabel is a region's name for a list in language l: "Kalifornien,
// Vereinigte Staaten" is "California, Vereinigte Staaten".
func regionLabel(l i18n.Lang, r booking.Region) string {
	if !r.IsSubdivision() {
		return countryName(l, r.Code, r.Name)
	}
	c, ok := booking.LookupRegion(r.Country())
	if !ok {
		return r.Name
	}
	return r.Name + ", " + countryName(l, c.Code, c.Name)
}

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
		out = append(out, joinWords(line.Parts, or)+" ("+line.Country+")")
	}
	return joinWords(out, or)
}
