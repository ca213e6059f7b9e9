package booking

import (
	"slices"
	"strings"
)

// Region is a place a practice may see clients in: a country (ISO 3166-1
// alpha-2, "US") or a state or province (ISO 3166-2, "US-CA").
type Region struct {
	Code string
	Name string
}

// Country returns the code of the country the region is in ("US" for
// "US-CA" and for "US").
func (r Region) Country() string { return r.Code[:2] }

// IsSubdivision reports whether the region is a state or province.
func (r Region) IsSubdivision() bool { return len(r.Code) > 2 }

// Label is the region's name for a list, "California, United States"
// for a state.
func (r Region) Label() string {
	if !r.IsSubdivision() {
		return r.Name
	}
	if c, ok := LookupRegion(r.Country()); ok {
		return r.Name + ", " + c.Name
	}
	return r.Name
}

// LookupRegion returns the built-in region with code (any case), and
// whether there is one.
func LookupRegion(code string) (Region, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	list := countries[:]
	if len(code) > 2 {
		list = subdivisions[:]
	}
	i, ok := slices.BinarySearchFunc(list, code, func(r Region, c string) int { return strings.Compare(r.Code, c) })
	if !ok {
		return Region{}, false
	}
	return list[i], true
}

// Countries returns every built-in country, by code. The slice is shared:
// read only.
func Countries() []Region { return countries[:] }

// Subdivisions returns the built-in states and provinces of country, by
// code; none for a country whose subdivisions are not listed.
func Subdivisions(country string) []Region {
	var out []Region
	for _, r := range subdivisions {
		if r.Country() == country {
			out = append(out, r)
		}
	}
	return out
}

// SubdividedCountries returns the countries whose states or provinces are
// listed.
func SubdividedCountries() []string { return []string{"AU", "CA", "DE", "US"} }

// Serves reports whether a client in region (a code LookupRegion knows)
// may be seen by a practice serving served: the region itself is listed,
// or its whole country is.
func Serves(served []string, region string) bool {
	region = strings.ToUpper(strings.TrimSpace(region))
	if _, ok := LookupRegion(region); !ok {
		return false
	}
	for _, s := range served {
		if s == region || (len(region) > 2 && s == region[:2]) {
			return true
		}
	}
	return false
}

// RegionNames returns the labels of the codes, in their order, skipping
// codes not in the built-in list.
func RegionNames(codes []string) []Region {
	out := make([]Region, 0, len(codes))
	for _, c := range codes {
		if r, ok := LookupRegion(c); ok {
			out = append(out, r)
		}
	}
	return out
}

// CheckRegion refuses a client's region the practice does not serve: when
// served lists places, region must be in one of them (a country covers
// its states); when it lists none, region may be empty or any known
// place. EINVALID (region), with a message naming where the practice
// works.
func CheckRegion(served []string, region string) error {
	region = strings.ToUpper(strings.TrimSpace(region))
	switch {
	case len(served) == 0 && region == "":
		return nil
	case len(served) == 0:
		if _, ok := LookupRegion(region); ok {
			return nil
		}
		return FieldErrors{"region": "Choose a country, or a state or province, from the list."}.Err()
	case region == "":
		return FieldErrors{"region": "Choose where you will be during the consultation."}.Err()
	case !Serves(served, region):
		return FieldErrors{"region": "The practice can see clients only in " + ServedText(served) + "."}.Err()
	}
	return nil
}

// ServedText names the places served, grouped by country: "California,
// Oregon or Washington (United States) or Germany".
func ServedText(codes []string) string {
	type group struct {
		country string
		parts   []string
		whole   bool
	}
	var groups []*group
	by := map[string]*group{}
	for _, r := range RegionNames(codes) {
		g := by[r.Country()]
		if g == nil {
			c, _ := LookupRegion(r.Country())
			g = &group{country: c.Name}
			by[r.Country()] = g
			groups = append(groups, g)
		}
		if r.IsSubdivision() {
			g.parts = append(g.parts, r.Name)
		} else {
			g.whole = true
		}
	}
	var out []string
	for _, g := range groups {
		if g.whole || len(g.parts) == 0 {
			out = append(out, g.country)
			continue
		}
		out = append(out, orList(g.parts)+" ("+g.country+")")
	}
	return orList(out)
}

// orList joins items as "a, b or c".
func orList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
