package api

import (
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"
)

var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title></head><body><main><h1>{{.Title}}</h1>{{with .Detail}}<p>{{.}}</p>{{end}}
<p><a href="/">Back to the home page</a></p></main></body></html>`))

// renderErrorPage shows an error to a person in a browser.
func (s *Server) renderErrorPage(c echo.Context, p Problem) {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	c.Response().WriteHeader(p.Status)
	if c.Request().Method == http.MethodHead {
		return
	}
	_ = errorPage.Execute(c.Response(), p)
}
