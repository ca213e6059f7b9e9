package site

import (
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/booking"
	"consult/web/i18n"
)

// practiceView is the practice as the public pages show it. Every field
// is plain text, escaped by the templates.
type practiceView struct {
	// Lang is the language of the page showing it.
	Lang i18n.Lang
	// Name is what the site goes by (Settings.Brand).
	Name         string
	Practitioner string
	Credentials  []string
	// Bio is the bio's paragraphs.
	Bio     []string
	Email   string
	Phone   string
	Regions []regionLine
	// Photo is the address of the practitioner's photo; "" for none.
	Photo string
	// regionCodes are the places served, for naming them in another
	// language.
	regionCodes []string
}

// regionLine is one country the practice serves, whole or in the states
// or provinces named.
type regionLine struct {
	Country string
	Parts   []string
}

// servedLines groups the served regions by country, in the order the
// practitioner's list first names each country.
func servedLines(l i18n.Lang, codes []string) []regionLine {
	var lines []regionLine
	at, whole := map[string]int{}, map[string]bool{}
	for _, r := range booking.RegionNames(codes) {
		i, ok := at[r.Country()]
		if !ok {
			c, _ := booking.LookupRegion(r.Country())
			i = len(lines)
			at[r.Country()] = i
			lines = append(lines, regionLine{Country: i18n.CountryName(l, c.Code, c.Name)})
		}
		switch {
		case !r.IsSubdivision():
			lines[i].Parts, whole[r.Country()] = nil, true
		case !whole[r.Country()]:
			lines[i].Parts = append(lines[i].Parts, r.Name)
		}
	}
	return lines
}

// in is pv as a page in language l shows it: the countries served named
// in l.
func (pv practiceView) in(l i18n.Lang) practiceView {
	pv.Lang = l
	if l != i18n.EN && len(pv.regionCodes) > 0 {
		pv.Regions = servedLines(l, pv.regionCodes)
	}
	return pv
}

// Set reports whether the practitioner has said who they are.
func (pv practiceView) Set() bool { return pv.Practitioner != "" }

// Contact reports whether there is a way to reach the practice.
func (pv practiceView) Contact() bool { return pv.Email != "" || pv.Phone != "" }

// TelURI is the phone number as a tel: link target, digits and + only
// (so safe as a URL, which html/template otherwise refuses for tel:).
func (pv practiceView) TelURI() template.URL {
	var b strings.Builder
	for _, r := range pv.Phone {
		if r == '+' || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return template.URL("tel:" + b.String())
}

// viewOf returns the public view of the practice in st.
func viewOf(st booking.Settings) practiceView {
	p := st.Profile
	pv := practiceView{
		Name: st.Brand(), Practitioner: p.PractitionerName, Credentials: p.Credentials,
		Email: p.ContactEmail, Phone: p.ContactPhone, Regions: servedLines(i18n.EN, p.Regions),
		regionCodes: p.Regions,
	}
	if p.PhotoVersion != "" {
		pv.Photo = "/practice/photo?v=" + p.PhotoVersion
	}
	for _, para := range strings.Split(p.Bio, "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			pv.Bio = append(pv.Bio, para)
		}
	}
	return pv
}

// versionOf identifies what viewOf shows, for the copies of the pages.
func versionOf(st booking.Settings) string {
	return st.PracticeName + "\x00" + st.Profile.UpdatedAt.Format(time.RFC3339Nano)
}

// About serves the About page: who the client will talk with, their
// credentials, where the practice works and how to reach it.
func (h *Handler) About(c echo.Context) error {
	return h.servePage(c, "/about", "about", func(pv practiceView, l i18n.Lang) any {
		title := i18n.MustT(l, "site.about.title")
		if pv.Set() {
			title = i18n.MustT(l, "site.about.title_named", "Name", pv.Practitioner)
		}
		return h.staticPageFor(l, pv, title, i18n.MustT(l, "site.about.meta_description"), "/about")
	})
}

// Photo serves the practitioner's photo from this service's own origin.
// A link naming the current version may be kept for good; any other is
// asked for again within minutes, so a new photo shows.
func (h *Handler) Photo(c echo.Context) error {
	if h.photos == nil {
		return echo.ErrNotFound
	}
	ct, img, version, err := h.photos.Photo(c.Request().Context())
	if booking.ErrorCode(err) == booking.ENOTFOUND {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	hd := c.Response().Header()
	etag := `"` + version + `"`
	hd.Set(echo.HeaderCacheControl, "public, max-age=300")
	if c.QueryParam("v") == version {
		hd.Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
	}
	hd.Set("ETag", etag)
	hd.Set("X-Content-Type-Options", "nosniff")
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, ct, img)
}
