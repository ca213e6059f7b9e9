package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/booking"
)

// adminNavItem is one link of the admin area's navigation.
type adminNavItem struct {
	Path, Label string
}

// adminNav is the admin area's navigation, in order. A new admin page
// adds its entry here; the layout renders the list.
var adminNav = []adminNavItem{
	{"/admin/bookings", "Bookings"},
	{"/admin/availability", "Availability"},
	{"/admin/rules", "Rules"},
	{"/admin/clients", "Client data"},
	{"/admin/calendar", "Calendar feeds"},
	{"/admin/email", "Email"},
	{"/admin/settings", "Settings"},
	{"/admin/tokens", "API tokens"},
	{"/admin/audit", "Audit log"},
}

// adminNavLink is a nav item as rendered, marked when it is the current section.
type adminNavLink struct {
	adminNavItem
	Current bool
}

// adminPage is what every admin template receives; Data is the page's own.
type adminPage struct {
	Practice string
	Title    string
	CSRF     string
	User     *booking.User
	Nav      []adminNavLink
	Flash    string
	// TwoFactorPrompt asks the practitioner to turn on two-step sign-in.
	TwoFactorPrompt bool
	// Errors maps a form field to a message shown beside it.
	Errors map[string]string
	Data   any
}

// renderAdmin renders admin template name ("admin/" is prefixed) with the
// common page data.
func (s *Server) renderAdmin(c echo.Context, status int, name, title string, data any, errs map[string]string) error {
	ctx := c.Request().Context()
	p := adminPage{
		Practice: s.svc.PracticeName(c.Request().Context()),
		Title:    title,
		Flash:    s.sessions.PopString(ctx, sessFlash),
		Errors:   errs,
		Data:     data,
	}
	// The sign-in form is shown without a session, so that anonymous
	// visitors store nothing: its token and notice come with the request.
	if tok, ok := c.Get(ctxFormToken).(string); ok {
		p.CSRF = tok
	} else {
		p.CSRF = s.csrfToken(c)
	}
	if msg, ok := c.Get(ctxNotice).(string); ok && p.Flash == "" {
		p.Flash = msg
	}
	if a, _ := c.Get(ctxActor).(*adminActor); a != nil {
		p.User = a.User
		p.TwoFactorPrompt = !a.User.TwoFactor()
		path := c.Request().URL.Path
		for _, it := range adminNav {
			p.Nav = append(p.Nav, adminNavLink{it, path == it.Path || strings.HasPrefix(path, it.Path+"/")})
		}
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set(echo.HeaderCacheControl, "no-store")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	if s.web == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "The admin pages are not available.")
	}
	var buf strings.Builder
	if err := s.web.Render(&buf, "admin/"+name, p); err != nil {
		return err
	}
	return c.HTMLBlob(status, []byte(buf.String()))
}

// adminFieldErrors returns the per-field messages of a validation error, or
// nil when err is not one (so it should be returned as it is).
func adminFieldErrors(err error) map[string]string {
	var de *booking.Error
	if booking.ErrorCode(err) == booking.EINVALID && errors.As(err, &de) {
		if len(de.Fields) > 0 {
			return de.Fields
		}
		return map[string]string{"form": de.Message}
	}
	return nil
}

// adminRedirect sends the browser to path with a message for the next page
// (post/redirect/get, so reloading does not send the form again).
func (s *Server) adminRedirect(c echo.Context, path, msg string) error {
	if msg != "" {
		s.flash(c, msg)
	}
	return c.Redirect(http.StatusSeeOther, path)
}

// adminPathID reads a positive integer path parameter; anything else is a 404.
func adminPathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, booking.Errorf(booking.ENOTFOUND, "Not found.")
	}
	return id, nil
}

// adminZone returns the practice's zone and settings.
func (s *Server) adminZone(c echo.Context) (*time.Location, booking.Settings, error) {
	st, err := s.svc.Settings(c.Request().Context())
	if err != nil {
		return nil, st, err
	}
	loc, err := st.Location()
	return loc, st, err
}

// dashboardData is the admin home page.
type dashboardData struct {
	Upcoming     []adminBookingRow
	OutsideHours int
	FailedMail   string // how many emails failed, "" for none
}

func (s *Server) handleAdminHome(c echo.Context) error {
	ctx := c.Request().Context()
	loc, _, err := s.adminZone(c)
	if err != nil {
		return err
	}
	bs, _, err := s.adminOps.Bookings(ctx, who(c), booking.BookingFilter{When: booking.WhenUpcoming, Limit: 10})
	if err != nil {
		return err
	}
	outside, err := s.adminOps.OutsideHours(ctx, nil)
	if err != nil {
		return err
	}
	d := dashboardData{OutsideHours: len(outside)}
	if d.FailedMail, err = s.failedMailCount(ctx); err != nil {
		return err
	}
	for _, b := range bs {
		d.Upcoming = append(d.Upcoming, adminRowOf(b, loc))
	}
	return s.renderAdmin(c, http.StatusOK, "home", "Overview", d, nil)
}
