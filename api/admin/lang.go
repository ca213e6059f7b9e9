package admin

import (
	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"

	"consult/booking"
	"consult/web/i18n"
)

// area is the admin area's catalogue: web/i18n/locales/admin.<lang>.yaml.
const area = "admin"

// languages are the languages the admin area is written in, the default
// first, and a matcher over them for Accept-Language.
var (
	languages = i18n.AreaLanguages(area)
	matcher   = func() language.Matcher {
		var tags []language.Tag
		for _, l := range languages {
			tags = append(tags, language.Make(l.Tag()))
		}
		return language.NewMatcher(tags)
	}()
)

// languageFor picks the admin area's language for an Accept-Language
// header: the best of the area's languages the browser asks for, else the
// default. A browser asking for French then German gets German, not the
// default, although French is a language of the public site.
func languageFor(header string) i18n.Lang {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return i18n.Default
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return i18n.Default
	}
	return languages[i]
}

// lang is the language the practitioner reads the admin area in: the one
// they chose in Settings, else (before they chose, and on the sign-in
// page, without a session) their browser's.
func lang(c echo.Context) i18n.Lang {
	if u, _ := c.Get(ctxUser).(*booking.User); u != nil && u.Language != "" {
		if l, ok := i18n.Parse(u.Language); ok && areaLanguage(l) {
			return l
		}
	}
	return languageFor(c.Request().Header.Get("Accept-Language"))
}

// Lang is the admin area's language for request c, for the error page
// the server renders for /admin paths.
func Lang(c echo.Context) i18n.Lang { return lang(c) }

// Translate writes english, a text of the admin area or the domain, in l:
// the error page's title and detail.
func Translate(l i18n.Lang, english string) string { return tr(l, english) }

func areaLanguage(l i18n.Lang) bool {
	for _, al := range languages {
		if al == l {
			return true
		}
	}
	return false
}

// tr writes english, a text of the admin area or the domain (a title, a
// flash, a field's error), in language l through the area's catalogue.
func tr(l i18n.Lang, english string) string { return i18n.Translate(l, area, english) }

// msg is the admin catalogue's message id in l, with template data.
func msg(l i18n.Lang, id string, kv ...any) string { return i18n.MustT(l, id, kv...) }
