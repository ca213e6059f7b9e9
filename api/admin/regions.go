package admin

import (
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"consult/booking"
	"consult/web/i18n"
)

// Countries are named in the practitioner's language from CLDR's names
// (golang.org/x/text/language/display), as the public pages name them;
// states and provinces keep the names the region list gives them, which
// are their own.

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

// regionLabel is booking.Region.Label in language l: "California,
// Vereinigte Staaten".
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
