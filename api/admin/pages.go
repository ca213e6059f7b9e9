package admin

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/booking"
)

// navItem is one link of the admin area's navigation.
type navItem struct {
	Path, Label string
}

// nav is the admin area's navigation, in order. A new admin page
// adds its entry here; the layout renders the list.
var nav = []navItem{
	{"/admin/bookings", "Bookings"},
	{"/admin/availability", "Availability"},
	{"/admin/rules", "Rules"},
	{"/admin/clients", "Client data"},
	{"/admin/calendar", "Calendar feeds"},
	{"/admin/email", "Email"},
	{"/admin/practice", "Practice profile"},
	{"/admin/settings", "Settings"},
	{"/admin/tokens", "API tokens"},
	{"/admin/audit", "Audit log"},
}

// navLink is a nav item as rendered, marked when it is the current section.
type navLink struct {
	navItem
	Current bool
}

// layoutData is what every admin template receives; Data is the page's own.
type layoutData struct {
	Practice string
	Title    string
	CSRF     string
	User     *booking.User
	Nav      []navLink
	Flash    string
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
		path := c.Request().URL.Path
		for _, it := range nav {
			p.Nav = append(p.Nav, navLink{it, path == it.Path || strings.HasPrefix(path, it.Path+"/")})
		}
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

// dashboardData is the admin home page.
type dashboardData struct {
	Upcoming     []bookingRow
	OutsideHours int
	FailedMail   string // how many emails failed, "" for none
}

// Home is the overview: the next bookings, those outside the hours and
// failed email.
func (h *Handler) Home(c echo.Context) error {
	ctx := c.Request().Context()
	loc, _, err := h.zone(c)
	if err != nil {
		return err
	}
	bs, _, err := h.admin.Bookings(ctx, h.who(c), booking.BookingFilter{When: booking.WhenUpcoming, Limit: 10})
	if err != nil {
		return err
	}
	outside, err := h.admin.OutsideHours(ctx, nil)
	if err != nil {
		return err
	}
	d := dashboardData{OutsideHours: len(outside)}
	if d.FailedMail, err = h.failedMailCount(ctx); err != nil {
		return err
	}
	for _, b := range bs {
		d.Upcoming = append(d.Upcoming, rowOf(b, loc))
	}
	return h.render(c, http.StatusOK, "home", "Overview", d, nil)
}
