package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"consult/api/admin"
	"consult/api/httpx"
	"consult/web/i18n"

	"github.com/labstack/echo/v4"
)

// errorPageData is what the error templates show.
type errorPageData struct {
	// Lang is the language the page is written in.
	Lang     i18n.Lang
	Practice string
	Title    string
	Detail   string
	Status   int
	// Embed is always empty: an error page is shown whole, never framed.
	Embed any
}

// errorCopy is what a person reads for the statuses they may meet. A 404
// reads the same for every URL, a manage link with a wrong token included,
// so the page never confirms whether a booking exists.
var errorCopy = map[int][2]string{
	http.StatusNotFound: {"Page not found",
		"If you typed the web address, check it is correct. If you followed a link from an email about your booking, use the link in the most recent email."},
	http.StatusMethodNotAllowed: {"Page not found",
		"If you typed the web address, check it is correct. If you followed a link from an email about your booking, use the link in the most recent email."},
	http.StatusInternalServerError: {"Sorry, there is a problem on our side",
		"Please try again in a few minutes. If you were booking a consultation, check your email first: the booking may have gone through."},
	http.StatusServiceUnavailable: {"Sorry, the site is briefly unavailable",
		"Please try again in a few minutes."},
}

// renderErrorPage shows an error to a person in a browser, in the site's
// style (the admin area's for /admin paths).
func (s *Server) renderErrorPage(c echo.Context, p httpx.Problem) {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	c.Response().WriteHeader(p.Status)
	if c.Request().Method == http.MethodHead || s.web == nil {
		return
	}
	name := "error"
	if len(c.Request().URL.Path) >= 6 && c.Request().URL.Path[:6] == "/admin" {
		name = "admin/error"
	}
	data := errorPageData{Practice: s.errorPagePractice(c.Request().Context()), Title: p.Title, Detail: p.Detail, Status: p.Status}
	if name == "admin/error" {
		data.Lang = admin.Lang(c)
		data.Title, data.Detail = admin.Translate(data.Lang, data.Title), admin.Translate(data.Lang, data.Detail)
	}
	if name == "error" {
		data.Title = strings.TrimSuffix(data.Title, ".")
		if text, ok := errorCopy[p.Status]; ok {
			data.Title, data.Detail = text[0], text[1]
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
// request's context is usually cancelled by then (httpx.RequestTimeout
// cancels it on the way out), and so it is after a timeout: the name is
// read on a context of its own, or every error page would show the
// fallback name.
func (s *Server) errorPagePractice(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), errorPageNameTimeout)
	defer cancel()
	return s.svc.Brand(ctx)
}
