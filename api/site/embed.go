package site

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/web"
)

// ctxEmbed is the Echo context key of a request shown in another
// website's frame.
const ctxEmbed = "site_embed"

// embedView is what a framed page carries: the websites allowed to frame
// it, which its script tells its height (postMessage to those origins
// only), and the address of its accent colour's style sheet.
type embedView struct {
	Origins string // space-separated
	Theme   string
	// LinksOut opens the page's links outside the frame: on the
	// confirmation, whose links lead to the client's own pages.
	LinksOut bool
}

// embedOf returns the embed view of a framed request, nil otherwise.
func embedOf(c echo.Context) *embedView {
	v, _ := c.Get(ctxEmbed).(*embedView)
	return v
}

// bookAction is the booking form's address: the framed one in a frame,
// so that every link and form of the page stays in it.
func bookAction(c echo.Context) string {
	if embedOf(c) != nil {
		return "/embed/book"
	}
	return "/book"
}

// embedQuery keeps a framed flow framed, and in its language, across a
// redirect: a frame has no cookie to remember the language by.
func embedQuery(c echo.Context) string {
	if embedOf(c) != nil {
		return "?embed=1&lang=" + string(Language(c))
	}
	return ""
}

// Embedded shows the page for a frame: frame-ancestors lists the websites
// the practitioner allowed (none: framing stays refused), and the page
// drops the site's header and footer. The flow needs no cookie, so it works
// where browsers block third-party cookies.
func (h *Handler) Embedded(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		es, err := h.svc.Store.EmbedSettings(c.Request().Context())
		if err != nil {
			return err
		}
		httpx.AllowFraming(c, es.Origins)
		v := &embedView{Origins: strings.Join(es.Origins, " "), Theme: "/embed/theme.css?c=" + strings.TrimPrefix(es.Accent, "#"),
			LinksOut: strings.HasSuffix(c.Path(), "/confirmation")}
		c.Set(ctxEmbed, v)
		return next(c)
	}
}

// EmbeddedIfAsked is Embedded for a page that is framed only when its
// address says so (embed=1): the steps after the booking form.
func (h *Handler) EmbeddedIfAsked(next echo.HandlerFunc) echo.HandlerFunc {
	framed := h.Embedded(next)
	return func(c echo.Context) error {
		if c.QueryParam("embed") == "1" {
			return framed(c)
		}
		return next(c)
	}
}

// EmbedScript serves embed.js, which a practice's website includes to show
// the booking page inline or behind a button.
func (h *Handler) EmbedScript(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=3600")
	// Loaded by other websites: it must not be refused as cross-origin.
	c.Response().Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
	return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", web.EmbedScript())
}

// EmbedTheme serves the framed page's accent colour as a style sheet:
// the content security policy allows no inline style.
func (h *Handler) EmbedTheme(c echo.Context) error {
	es, err := h.svc.Store.EmbedSettings(c.Request().Context())
	if err != nil {
		return err
	}
	css := "/* The framed booking page. */\n"
	if es.Accent != "" {
		css += ":root { --accent: " + es.Accent + "; --accent-dark: " + es.Accent + "; }\n"
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=300")
	return c.Blob(http.StatusOK, "text/css; charset=utf-8", []byte(css))
}
