package i18n

import (
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"consult/booking"
)

// Countries are named in the reader's language from CLDR's names
// (golang.org/x/text/language/display); states and provinces keep the
// names the region list gives them, which are their own.

// CountryName names country code (ISO 3166-1 alpha-2) in language l, or
// gives english when l is English or CLDR has no name for it.
func CountryName(l Lang, code, english string) string {
	if l == EN {
		return english
	}
	r, err := language.ParseRegion(code)
	if err != nil || r.String() == "ZZ" { // ZZ: CLDR's unknown region
		return english
	}
	if name := display.Regions(language.Make(l.Tag())).Name(r); name != "" {
		return name
	}
	return english
}

// RegionLabel is booking.Region.Label in language l: "California,
// Vereinigte Staaten".
func RegionLabel(l Lang, r booking.Region) string {
	if !r.IsSubdivision() {
		return CountryName(l, r.Code, r.Name)
	}
	c, ok := booking.LookupRegion(r.Country())
	if !ok {
		return r.Name
	}
	return r.Name + ", " + CountryName(l, c.Code, c.Name)
}
