package site

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"consult/web/i18n"
	"consult/web/timefmt"
)

// The language of a public page. A visitor's own choice, the lang
// parameter of the switch in every page's header, wins and is remembered
// in a first-party cookie; then that cookie; then, on a booking's or a
// waitlist entry's own pages, the language it was made in; then the
// browser's Accept-Language; then the default. Framed pages work without
// cookies (third-party cookies are blocked in most browsers), so their
// links and forms carry lang instead.

// ctxLang is the Echo context key of the request's language, once read.
const ctxLang = "site_lang"

// langCookie is the cookie that remembers a visitor's choice, for a year.
const (
	langCookie    = "lang"
	langCookieAge = 365 * 24 * time.Hour
)

// Language returns the language of a public page request: ?lang= (or the
// lang field of a form already parsed), then the lang cookie, then
// Accept-Language, then the default. It reads only the request, so the
// error pages use it too.
func Language(c echo.Context) i18n.Lang {
	l, _ := requestLang(c, "")
	return l
}

// requestLang is Language with stored (a booking's language, "" for
// none) between the cookie and Accept-Language; chosen reports a lang
// parameter.
func requestLang(c echo.Context, stored string) (l i18n.Lang, chosen bool) {
	r := c.Request()
	if l, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		return l, true
	}
	if r.PostForm != nil {
		if l, ok := i18n.Parse(r.PostForm.Get("lang")); ok {
			return l, true
		}
	}
	if ck, err := r.Cookie(langCookie); err == nil {
		if l, ok := i18n.Parse(ck.Value); ok {
			return l, false
		}
	}
	if l, ok := i18n.Parse(stored); ok {
		return l, false
	}
	return i18n.FromAcceptLanguage(r.Header.Get("Accept-Language")), false
}

// lang returns the page's language (langFor without a stored one).
func (h *Handler) lang(c echo.Context) i18n.Lang { return h.langFor(c, "") }

// langFor returns the page's language, stored being the language of the
// booking or entry the page shows. The first call of a request decides
// and marks the response: Content-Language, Vary (the page depends on
// Accept-Language and on the cookie), and the cookie when the visitor
// chose a language outside a frame. A POST handler calls it after parsing
// its form, whose lang field counts.
func (h *Handler) langFor(c echo.Context, stored string) i18n.Lang {
	if l, ok := c.Get(ctxLang).(i18n.Lang); ok {
		return l
	}
	l, chosen := requestLang(c, stored)
	c.Set(ctxLang, l)
	hdr := c.Response().Header()
	hdr.Set("Content-Language", l.Tag())
	AddVary(hdr, "Accept-Language", "Cookie")
	if chosen && embedOf(c) == nil {
		c.SetCookie(&http.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: int(langCookieAge / time.Second),
			HttpOnly: true, Secure: h.base.Scheme == "https", SameSite: http.SameSiteLaxMode})
	}
	return l
}

// AddVary adds each name to the response's Vary header, once.
func AddVary(hdr http.Header, names ...string) {
	for _, n := range names {
		if !slices.Contains(hdr.Values("Vary"), n) {
			hdr.Add("Vary", n)
		}
	}
}

// LangLink is one entry of the language switch, or one alternate
// language of an indexed page.
type LangLink struct {
	Lang    i18n.Lang
	Name    string // the language's name in itself
	URL     string
	Current bool
}

// langLinks returns the switch's links to path with query q, lang set to
// each language; current is the page's.
func langLinks(path string, q url.Values, current i18n.Lang) []LangLink {
	out := make([]LangLink, 0, len(i18n.Supported))
	for _, l := range i18n.Supported {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("lang", string(l))
		out = append(out, LangLink{Lang: l, Name: l.Name(), URL: path + "?" + v.Encode(), Current: l == current})
	}
	return out
}

// SwitchLinks are the language switch's links of a page that has no
// address of its own, the error pages: to the home page in each language.
// An error page reads the same whatever the address asked for, so a 404
// for a manage link tells nothing of it.
func SwitchLinks(current i18n.Lang) []LangLink {
	return langLinks("/", nil, current)
}

// hoursFor is the clock of a reader of language l whose browser sends
// accept. The browser decides for English pages (en-US reads 1:30 PM, a
// German browser 13:30) and for pages in the browser's own language
// (es-US reads 1:30 PM too); a German, French or Spanish page chosen over
// the browser's language uses that language's 24-hour clock.
func hoursFor(l i18n.Lang, accept string) timefmt.Hours {
	if l == i18n.EN || i18n.FromAcceptLanguage(accept) == l {
		return timefmt.HoursFor(accept)
	}
	return timefmt.HoursFor(l.Tag())
}
