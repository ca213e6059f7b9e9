package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// errorPageData is what the error templates show.
type errorPageData struct {
	Practice string
	Title    string
	Detail   string
	Status   int
}

// renderErrorPage shows an error to a person in a browser, in the site's
// style (the admin area's for /admin paths).
func (s *Server) renderErrorPage(c echo.Context, p Problem) {
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
	data := errorPageData{Practice: s.practiceName(c), Title: p.Title, Detail: p.Detail, Status: p.Status}
	if err := s.web.Render(c.Response(), name, data); err != nil {
		s.logger.Error("render error page", "error", err)
	}
}

// practiceName returns the practice's name for page headers, or a neutral
// fallback when the database cannot be read (e.g. during an outage).
func (s *Server) practiceName(c echo.Context) string {
	st, err := s.svc.Settings(c.Request().Context())
	if err != nil {
		return "Consultations"
	}
	return st.PracticeName
}
