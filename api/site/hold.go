package site

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"consult/booking"
	"consult/web/i18n"
	"consult/web/timefmt"
)

// holdPage is the page a held time's link opens: the time and the button
// that confirms it, or word that it was released.
type holdPage struct {
	page
	Token   string
	Booking bookingView
	// Until is when the hold is released, in the client's zone.
	Until   string
	Expired bool
	Error   string
	// Waitlist marks a time held for a waitlist entry, whose page offers
	// it rather than asks to confirm a choice.
	Waitlist bool
}

// awaitsConfirmation reports whether b is a time held for confirmation,
// or one released unconfirmed: its link shows the hold page only.
func awaitsConfirmation(b *booking.Booking) bool {
	return b.Status == booking.StatusHeld || b.Status == booking.StatusExpired
}

// CheckEmail is the page after a booking request when bookings are
// confirmed by email. It is the same for every request, whoever's the
// address, and names no address: it must not tell whether someone is
// already a client.
func (h *Handler) CheckEmail(c echo.Context) error {
	st, err := h.svc.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	l := h.lang(c)
	p := h.pageFor(c, l, viewOf(st), i18n.MustT(l, "site.check_email.title"), "", "")
	p.Embed = embedOf(c)
	return h.render(c, http.StatusOK, "check-email", p)
}

// showHold renders the hold page for b.
func (h *Handler) showHold(c echo.Context, status int, b *booking.Booking, token, errText string) error {
	st, err := h.svc.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	l := h.langFor(c, b.Language)
	clock := clockOf(c, b.HourCycle, l)
	d := holdPage{
		page:    h.pageFor(c, l, viewOf(st), i18n.MustT(l, "site.hold.title"), "", ""),
		Token:   token,
		Booking: h.bookingView(l, b, token, st, clock.Hours, h.svc.Now()),
		Expired: b.Status == booking.StatusExpired || (b.HoldExpires != nil && !b.HoldExpires.After(h.svc.Now())),
		Error:   errText,
	}
	if d.Waitlist, err = h.svc.IsWaitlistOffer(c.Request().Context(), b); err != nil {
		return err
	}
	if d.Waitlist {
		d.Meta.Title = i18n.MustT(l, "site.hold.waitlist_title")
	}
	if d.Expired {
		d.Meta.Title = i18n.MustT(l, "site.hold.released_title")
	} else if b.HoldExpires != nil {
		zone := b.TimeZone
		loc, err := booking.CheckZone(zone)
		if err != nil {
			zone = "UTC"
			loc = time.UTC
		}
		t := b.HoldExpires.In(loc)
		d.Until = timefmt.Clock(t, clock.Hours) + ", " + timefmt.ZoneAtIn(l, zone, t)
	}
	return h.render(c, status, "hold", d)
}

// ConfirmHold confirms the held time of the link, the step the emailed
// link leads to: a button, as a GET changes nothing (mail scanners open
// links).
func (h *Handler) ConfirmHold(c echo.Context) error {
	b, token, err := h.bookingByToken(c)
	if err != nil {
		return err
	}
	if !awaitsConfirmation(b) {
		return c.Redirect(http.StatusSeeOther, "/manage/"+token)
	}
	_, err = h.svc.Confirm(c.Request().Context(), token)
	switch booking.ErrorCode(err) {
	case "":
		return c.Redirect(http.StatusSeeOther, "/manage/"+token+"/confirmation")
	case booking.ECONFLICT:
		b, _, err := h.bookingByToken(c)
		if err != nil {
			return err
		}
		return h.showHold(c, http.StatusConflict, b, token, "")
	default:
		return err
	}
}
