package admin

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"consult/booking"
	"consult/web"
)

// The calendar page of the admin area: the private bookings feed's secret,
// the public feed's links, and the wording and privacy of calendar files.

// subscribeLinks are the ways to add one feed to a calendar app. Webcal is
// a template.URL because html/template would otherwise blank a scheme it
// does not know.
type subscribeLinks struct {
	URL    string
	Webcal template.URL
	Google string
}

// subscribeLinksFor returns the links for the feed at the absolute http(s) URL u.
func subscribeLinksFor(u string) subscribeLinks {
	webcal := u
	if p, err := url.Parse(u); err == nil {
		webcal = "webcal://" + p.Host + p.EscapedPath()
	}
	return subscribeLinks{
		URL:    u,
		Webcal: template.URL(webcal),
		Google: "https://calendar.google.com/calendar/r?cid=" + url.QueryEscape(webcal),
	}
}

// calendarData is the calendar feeds page.
type calendarData struct {
	HasSecret   bool
	SecretSince string
	// New is the private feed just made: its URL holds the secret, of
	// which only a hash is kept, so it is shown this once.
	New          *subscribeLinks
	Public       web.FeedLinks
	PublicURL    string
	EventTitle   string
	DefaultTitle string
	FullDetails  bool
}

// feedsAvailable refuses when the server was built without feeds.
func (h *Handler) feedsAvailable() error {
	if h.feeds == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "Calendar feeds are not set up on this server.")
	}
	return nil
}

// renderCalendar renders the page; form carries what was typed when a
// save was refused, and newURL the private feed just made.
func (h *Handler) renderCalendar(c echo.Context, status int, form *booking.FeedSettings, newURL string, errs map[string]string) error {
	if err := h.feedsAvailable(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	loc, st, err := h.zone(c)
	if err != nil {
		return err
	}
	since, ok, err := h.feeds.SecretCreatedAt(ctx)
	if err != nil {
		return err
	}
	fs, err := h.feeds.Settings(ctx)
	if err != nil {
		return err
	}
	if form != nil {
		fs = *form
	}
	d := calendarData{
		HasSecret: ok, Public: web.SubscribeLinks(h.base), PublicURL: h.feeds.AvailabilityURL(),
		EventTitle: fs.EventTitle, DefaultTitle: st.DefaultEventTitle(), FullDetails: fs.FullDetails,
	}
	if ok {
		d.SecretSince = dateIn(lang(c), since.In(loc), "2 January 2006, 15:04 MST")
	}
	if newURL != "" {
		l := subscribeLinksFor(newURL)
		d.New = &l
	}
	return h.render(c, status, "calendar", "Calendar feeds", d, errs)
}

// Calendar shows the calendar feeds and their settings.
func (h *Handler) Calendar(c echo.Context) error {
	return h.renderCalendar(c, http.StatusOK, nil, "", nil)
}

// RotateFeedSecret makes a new private feed secret and shows its URL on
// the response itself, never through the session or a redirect, so the
// secret is written nowhere but to this one page.
func (h *Handler) RotateFeedSecret(c echo.Context) error {
	if err := h.feedsAvailable(); err != nil {
		return err
	}
	secret, err := h.admin.RotateFeedSecret(c.Request().Context(), h.who(c))
	if err != nil {
		return err
	}
	return h.renderCalendar(c, http.StatusOK, nil, h.feeds.BookingsURL(secret), nil)
}

// SaveFeedSettings saves the event title and the private feed's detail.
func (h *Handler) SaveFeedSettings(c echo.Context) error {
	if err := h.feedsAvailable(); err != nil {
		return err
	}
	fs := booking.FeedSettings{
		EventTitle:  strings.TrimSpace(c.FormValue("event_title")),
		FullDetails: c.FormValue("full_details") == "on",
	}
	if err := h.admin.SaveFeedSettings(c.Request().Context(), h.who(c), fs); err != nil {
		if fe := fieldErrors(err); fe != nil {
			return h.renderCalendar(c, http.StatusUnprocessableEntity, &fs, "", fe)
		}
		return err
	}
	return h.redirect(c, "/admin/calendar", "The calendar settings are saved.")
}
