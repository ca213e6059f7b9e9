package admin

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/booking"
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
var nav = []navGroup{
	{"Calendar", []navItem{{"/admin", "Week"}, {"/admin/dashboard", "Dashboard"}}},
	{"Bookings", []navItem{{"/admin/bookings", "Bookings"}, {"/admin/waitlist", "Waitlist"}}},
	{"Availability", []navItem{{"/admin/availability", "Hours and days off"}, {"/admin/rules", "Booking rules"},
		{"/admin/calendars", "Linked calendars"}}},
	{"Settings", []navItem{{"/admin/settings", "Practice and sign-in"}, {"/admin/practice", "Practice profile"}, {"/admin/calendar", "Calendar feeds"}, {"/admin/email", "Email"},
		{"/admin/clients", "Client data"}, {"/admin/tokens", "API tokens"}, {"/admin/webhooks", "Webhooks"}, {"/admin/embed", "Embed"},
		{"/admin/audit", "Audit log"}}},
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

// navFor renders the menu for path.
func navFor(path string) (menu []navEntry, sub *navEntry) {
	for _, g := range nav {
		e := navEntry{Label: g.Label, Path: g.Items[0].Path}
		for _, it := range g.Items {
			at := isAt(path, it)
			e.Current = e.Current || at
			e.Items = append(e.Items, navLink{it, at})
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
	p := layoutData{
		Practice: h.svc.PracticeName(c.Request().Context()),
		Title:    title,
		Flash:    h.sessions.PopString(ctx, sessFlash),
		Errors:   errs,
		Data:     data,
	}
	// The sign-in form is shown without a session, so that anonymous
	// visitors store nothing: its token and notice come with the request.
	if tok, ok := c.Get(ctxFormToken).(string); ok {
		p.CSRF = tok
	} else {
		p.CSRF = h.csrfToken(c)
	}
	if msg, ok := c.Get(ctxNotice).(string); ok && p.Flash == "" {
		p.Flash = msg
	}
	if u, _ := c.Get(ctxUser).(*booking.User); u != nil {
		p.User = u
		p.TwoFactorPrompt = !u.TwoFactor()
		p.Nav, p.SubNav = navFor(c.Request().URL.Path)
	}
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	hd.Set(echo.HeaderCacheControl, "no-store")
	hd.Set("X-Robots-Tag", "noindex, nofollow")
	if h.web == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "The admin pages are not available.")
	}
	var buf strings.Builder
	if err := h.web.Render(&buf, "admin/"+name, p); err != nil {
		return err
	}
	return c.HTMLBlob(status, []byte(buf.String()))
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
