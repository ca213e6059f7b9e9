package admin

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/booking"
	"consult/web/i18n"
)

// navItem is one page of the admin area's navigation.
type navItem struct {
	Path, Label string
}

// navGroup is one entry of the main menu and the pages it groups; the
// entry leads to the first of them, and a page of a group with more than
// one shows the group's pages beneath the menu.
type navGroup struct {
	Label string
	Items []navItem
}

// nav is the admin area's navigation, in order. A new admin page adds
// its entry to a group here; the layout renders the menu.
// Labels are message ids of the admin catalogue.
var nav = []navGroup{
	{"admin.nav.calendar", []navItem{{"/admin", "admin.nav.week"}, {"/admin/dashboard", "admin.nav.dashboard"}}},
	{"admin.nav.bookings", []navItem{{"/admin/bookings", "admin.nav.bookings"}, {"/admin/waitlist", "admin.nav.waitlist"}}},
	{"admin.nav.availability", []navItem{{"/admin/availability", "admin.nav.hours"}, {"/admin/rules", "admin.nav.rules"},
		{"/admin/calendars", "admin.nav.calendars"}}},
	{"admin.nav.settings", []navItem{{"/admin/settings", "admin.nav.account"}, {"/admin/practice", "admin.nav.practice"}, {"/admin/calendar", "admin.nav.feeds"}, {"/admin/email", "admin.nav.email"},
		{"/admin/clients", "admin.nav.clients"}, {"/admin/tokens", "admin.nav.tokens"}, {"/admin/webhooks", "admin.nav.webhooks"}, {"/admin/embed", "admin.nav.embed"},
		{"/admin/audit", "admin.nav.audit"}}},
}

// navLink is a nav item as rendered, marked when it is the current page.
type navLink struct {
	navItem
	Current bool
}

// navEntry is a menu entry as rendered: Current when the page is one of
// its group's, Items the group's pages when there is more than one.
type navEntry struct {
	Label, Path string
	Current     bool
	Items       []navLink
}

// isAt reports whether path is the page of it or one beneath it; the
// week calendar's /admin holds only itself.
func isAt(path string, it navItem) bool {
	if it.Path == "/admin" {
		return path == it.Path
	}
	return path == it.Path || strings.HasPrefix(path, it.Path+"/")
}

// navFor renders the menu for path in language l.
func navFor(path string, l i18n.Lang) (menu []navEntry, sub *navEntry) {
	for _, g := range nav {
		e := navEntry{Label: msg(l, g.Label), Path: g.Items[0].Path}
		for _, it := range g.Items {
			at := isAt(path, it)
			e.Current = e.Current || at
			e.Items = append(e.Items, navLink{navItem{it.Path, msg(l, it.Label)}, at})
		}
		if len(e.Items) < 2 {
			e.Items = nil
		}
		menu = append(menu, e)
	}
	for i := range menu {
		if menu[i].Current && menu[i].Items != nil {
			sub = &menu[i]
		}
	}
	return menu, sub
}

// layoutData is what every admin template receives; Data is the page's own.
type layoutData struct {
	// Lang is the language the page is written in.
	Lang     i18n.Lang
	Practice string
	Title    string
	CSRF     string
	User     *booking.User
	Nav      []navEntry
	// SubNav is the current group's pages, nil when it has one page.
	SubNav *navEntry
	Flash  string
	// TwoFactorPrompt asks the practitioner to turn on two-step sign-in.
	TwoFactorPrompt bool
	// Errors maps a form field to a message shown beside it.
	Errors map[string]string
	Data   any
}

// render renders admin template name ("admin/" is prefixed) with the
// common page data.
func (h *Handler) render(c echo.Context, status int, name, title string, data any, errs map[string]string) error {
	ctx := c.Request().Context()
	l := lang(c)
	p := layoutData{
		Lang:     l,
		Practice: h.svc.PracticeName(c.Request().Context()),
		Title:    tr(l, title),
		Flash:    tr(l, h.sessions.PopString(ctx, sessFlash)),
		Errors:   translateErrors(l, errs),
		Data:     data,
	}
	// The sign-in form is shown without a session, so that anonymous
	// visitors store nothing: its token and notice come with the request.
	if tok, ok := c.Get(ctxFormToken).(string); ok {
		p.CSRF = tok
	} else {
		p.CSRF = h.csrfToken(c)
	}
	if notice, ok := c.Get(ctxNotice).(string); ok && p.Flash == "" {
		p.Flash = tr(l, notice)
	}
	if u, _ := c.Get(ctxUser).(*booking.User); u != nil {
		p.User = u
		p.TwoFactorPrompt = !u.TwoFactor()
		p.Nav, p.SubNav = navFor(c.Request().URL.Path, l)
	}
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	hd.Set(echo.HeaderCacheControl, "no-store")
	hd.Set("X-Robots-Tag", "noindex, nofollow")
	hd.Set("Content-Language", l.Tag())
	if h.web == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "The admin pages are not available.")
	}
	var buf strings.Builder
	if err := h.web.Render(&buf, "admin/"+name, p); err != nil {
		return err
	}
	return c.HTMLBlob(status, []byte(buf.String()))
}

// translateErrors writes the field errors, English as the domain and the
// handlers write them, in l.
func translateErrors(l i18n.Lang, errs map[string]string) map[string]string {
	if errs == nil {
		return nil
	}
	out := make(map[string]string, len(errs))
	for k, v := range errs {
		out[k] = tr(l, v)
	}
	return out
}

// fieldErrors returns the per-field messages of a validation error, or
// nil when err is not one (so it should be returned as it is).
func fieldErrors(err error) map[string]string {
	var de *booking.Error
	if booking.ErrorCode(err) == booking.EINVALID && errors.As(err, &de) {
		if len(de.Fields) > 0 {
			return de.Fields
		}
		return map[string]string{"form": de.Message}
	}
	return nil
}

// redirect sends the browser to path with a message for the next page
// (post/redirect/get, so reloading does not send the form again).
func (h *Handler) redirect(c echo.Context, path, msg string) error {
	if msg != "" {
		h.flash(c, msg)
	}
	return c.Redirect(http.StatusSeeOther, path)
}

// zone returns the practice's zone and settings.
func (h *Handler) zone(c echo.Context) (*time.Location, booking.Settings, error) {
	st, err := h.svc.Settings(c.Request().Context())
	if err != nil {
		return nil, st, err
	}
	loc, err := st.Location()
	return loc, st, err
}
