package admin

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"consult/booking"
)

// embedData is the embed page: the settings and the snippets to paste.
type embedData struct {
	Origins     string // one a line
	Accent      string // "#rrggbb"
	OwnAccent   bool
	Inline      string
	Popup       string
	PreviewURL  string
	FramingOpen bool
}

func (h *Handler) renderEmbed(c echo.Context, status int, d embedData, errs map[string]string) error {
	script := h.base.String() + "/embed.js"
	d.Inline = `<script src="` + script + `" async></script>`
	d.Popup = `<script src="` + script + `" data-consult="popup" data-label="Book a free consultation" async></script>`
	d.PreviewURL = "/embed/book"
	if d.Accent == "" {
		d.Accent = "#2a6367"
	}
	return h.render(c, status, "embed", "Embed on your website", d, errs)
}

// Embed shows where the booking page may be framed and the snippet that
// frames it.
func (h *Handler) Embed(c echo.Context) error {
	es, err := h.store.EmbedSettings(c.Request().Context())
	if err != nil {
		return err
	}
	return h.renderEmbed(c, http.StatusOK, embedData{Origins: strings.Join(es.Origins, "\n"), Accent: es.Accent,
		OwnAccent: es.Accent != "", FramingOpen: len(es.Origins) > 0}, nil)
}

// notAWebsite ends the domain's message for a line of the origins that is
// not a website address (booking.ParseEmbedOrigins).
const notAWebsite = " is not a website address; write it like https://www.your-practice.com."

// SaveEmbed saves the websites allowed to frame the booking page and its
// accent colour.
func (h *Handler) SaveEmbed(c echo.Context) error {
	d := embedData{Origins: c.FormValue("origins"), Accent: c.FormValue("accent"), OwnAccent: c.FormValue("own_accent") == "on"}
	origins, err := booking.ParseEmbedOrigins(d.Origins)
	if err == nil {
		es := booking.EmbedSettings{Origins: origins}
		if d.OwnAccent {
			es.Accent = d.Accent
		}
		err = h.admin.SaveEmbed(c.Request().Context(), h.who(c), es)
	}
	if fe := fieldErrors(err); fe != nil {
		if len(d.Origins) > 2000 {
			d.Origins = ""
		}
		// The domain quotes the line it refuses; the sentence around the
		// quote is the catalogue's.
		if v, ok := strings.CutSuffix(fe["origins"], notAWebsite); ok {
			fe["origins"] = msg(lang(c), "admin.embed.not_website", "Value", v)
		}
		return h.renderEmbed(c, http.StatusUnprocessableEntity, d, fe)
	}
	if err != nil {
		return err
	}
	if len(origins) == 0 {
		return h.redirect(c, "/admin/embed", "Saved. No website may show the booking page in a frame.")
	}
	return h.redirect(c, "/admin/embed", "Saved. The listed websites may now show the booking page.")
}
