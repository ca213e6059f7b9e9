package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"consult/api/admin"
	"consult/api/httpx"
	"consult/api/site"
	"consult/web/i18n"

	"github.com/labstack/echo/v4"
)

// errorPageData is what the error templates show.
type errorPageData struct {
	// Lang is the page's language, as the site's pages choose it; Langs
	// the language switch.
	Lang  i18n.Lang
	Langs []site.LangLink
	// Meta marks no entry of the main navigation as current.
	Meta     struct{ Path string }
	Practice string
	Title    string
	Detail   string
	Status   int
	// Embed is always empty: an error page is shown whole, never framed.
	Embed any
}

// errorCopy is what a person reads for the statuses they may meet, as
// the ids of its title and text in the site's catalogue. A 404 reads the
// same for every URL, a manage link with a wrong token included, so the
// page never confirms whether a booking exists.
var errorCopy = map[int][2]string{
	http.StatusNotFound:            {"site.error.not_found.title", "site.error.not_found.text"},
	http.StatusMethodNotAllowed:    {"site.error.not_found.title", "site.error.not_found.text"},
	http.StatusInternalServerError: {"site.error.server.title", "site.error.server.text"},
	http.StatusServiceUnavailable:  {"site.error.unavailable.title", "site.error.unavailable.text"},
}

// renderErrorPage shows an error to a person in a browser, in the site's
// style (the admin area's for /admin paths).
func (s *Server) renderErrorPage(c echo.Context, p httpx.Problem) {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	if len(c.Request().URL.Path) < 6 || c.Request().URL.Path[:6] != "/admin" {
		c.Response().Header().Set("Content-Language", site.Language(c).Tag())
		site.AddVary(c.Response().Header(), "Accept-Language", "Cookie")
	}
	c.Response().WriteHeader(p.Status)
	if c.Request().Method == http.MethodHead || s.web == nil {
		return
	}
	name := "error"
	if len(c.Request().URL.Path) >= 6 && c.Request().URL.Path[:6] == "/admin" {
		name = "admin/error"
	}
	data := errorPageData{Practice: s.errorPagePractice(c.Request().Context()), Title: p.Title, Detail: p.Detail, Status: p.Status, Lang: i18n.EN}
	if name == "admin/error" {
		data.Lang = admin.Lang(c)
		data.Title, data.Detail = admin.Translate(data.Lang, data.Title), admin.Translate(data.Lang, data.Detail)
	}
	if name == "error" {
		// In the language the site's pages would be in: the visitor's
		// choice, else their browser's.
		l := site.Language(c)
		data.Lang, data.Langs = l, site.SwitchLinks(l)
		data.Title = strings.TrimSuffix(i18n.Translate(l, "site", data.Title), ".")
		data.Detail = i18n.Translate(l, "site", data.Detail)
		if text, ok := errorCopy[p.Status]; ok {
			data.Title, data.Detail = i18n.MustT(l, text[0]), i18n.MustT(l, text[1])
		}
	}
	if err := s.web.Render(c.Response(), name, data); err != nil {
		s.logger.Error("render error page", "error", err)
	}
}

// errorPageNameTimeout bounds reading the practice's name for an error page.
const errorPageNameTimeout = 2 * time.Second

// errorPagePractice reads the practice's name for an error page. The
// error handler runs after the handler's middleware has returned, so the
// request's context is usually cancelled by then (httpx.LogRequests
// cancels it on the way out), and so it is after a timeout: the name is
// read on a context of its own, or every error page would show the
// fallback name.
func (s *Server) errorPagePractice(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), errorPageNameTimeout)
	defer cancel()
	return s.svc.Brand(ctx)
}
