package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
	"consult/web/i18n"
)

// bookingsData is the bookings list page.
type bookingsData struct {
	When       string
	Query      string
	Rows       []bookingRow
	Total      int
	Page       int
	PrevURL    string
	NextURL    string
	ExportFrom string
	ExportTo   string
}

// sessSearch is the session key of the bookings search. The search is
// posted and kept in the session, never put in a URL: it is usually a
// client's name or email, and URLs end up in history, logs and referrers.
const sessSearch = "bookings_q"

// listWhen reads which bookings a list shows.
func listWhen(v string) string {
	if v == booking.WhenPast {
		return booking.WhenPast
	}
	return booking.WhenUpcoming
}

// Bookings lists one page of the bookings, upcoming or past, matching
// the session's search.
func (h *Handler) Bookings(c echo.Context) error {
	page, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || page < 1 || page > 100000 {
		page = 1
	}
	return h.renderBookingsList(c, http.StatusOK, listWhen(c.QueryParam("when")), page, nil)
}

// SearchBookings keeps the posted search in the session and shows
// its first page.
func (h *Handler) SearchBookings(c echo.Context) error {
	when := listWhen(c.FormValue("when"))
	q := strings.TrimSpace(c.FormValue("q"))
	if msg := booking.CheckSearch(q); msg != "" {
		return h.renderBookingsList(c, http.StatusUnprocessableEntity, when, 1, map[string]string{"q": msg})
	}
	if q == "" {
		h.sessions.Remove(c.Request().Context(), sessSearch)
	} else {
		h.sessions.Put(c.Request().Context(), sessSearch, q)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/bookings?"+url.Values{"when": {when}}.Encode())
}

// renderBookingsList shows one page of the bookings matching the
// session's search.
func (h *Handler) renderBookingsList(c echo.Context, status int, when string, page int, errs map[string]string) error {
	loc, _, err := h.zone(c)
	if err != nil {
		return err
	}
	q := h.sessions.GetString(c.Request().Context(), sessSearch)
	bs, total, err := h.admin.Bookings(c.Request().Context(), h.who(c), booking.BookingFilter{
		When: when, Query: q, Limit: booking.BookingsPerPage, Offset: (page - 1) * booking.BookingsPerPage,
	})
	if err != nil {
		return err
	}
	d := bookingsData{When: when, Query: q, Total: total, Page: page}
	for _, b := range bs {
		d.Rows = append(d.Rows, rowOf(b, loc, lang(c)))
	}
	link := func(p int) string {
		return "/admin/bookings?" + url.Values{"when": {when}, "page": {strconv.Itoa(p)}}.Encode()
	}
	if page > 1 {
		d.PrevURL = link(page - 1)
	}
	if page*booking.BookingsPerPage < total {
		d.NextURL = link(page + 1)
	}
	today := booking.DateOf(h.now().In(loc))
	d.ExportFrom, d.ExportTo = today.AddDays(-30).String(), today.AddDays(30).String()
	return h.render(c, status, "bookings", "Bookings", d, errs)
}

// bookingPageData is one booking's detail page.
type bookingPageData struct {
	Row         bookingRow
	B           *booking.AdminBooking
	ClientWhen  string
	Upcoming    bool
	CanMark     bool
	CancelledAt string
	// Region names where the client said they will be; Mode how they
	// meet ("" for none).
	Region, Mode string
	// RestoreUntil is when the cancellation stops being undoable, ""
	// when it cannot be undone (see booking.CheckRestore).
	RestoreUntil string
}

// loadBookingPage reads the booking of the path for its page; view records
// the view (a page shown again beside a form's errors was recorded already).
func (h *Handler) loadBookingPage(c echo.Context, view bool) (*bookingPageData, error) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	loc, _, err := h.zone(c)
	if err != nil {
		return nil, err
	}
	var b *booking.AdminBooking
	if view {
		b, err = h.admin.Booking(c.Request().Context(), h.who(c), id)
	} else {
		b, err = h.store.AdminBooking(c.Request().Context(), id)
	}
	if err != nil {
		return nil, err
	}
	now, l := h.now(), lang(c)
	d := &bookingPageData{Row: rowOf(*b, loc, l), B: b,
		Upcoming: booking.CheckAdminCancel(b.Booking, now) == nil,
		CanMark:  booking.CheckOutcome(b.Booking, now) == nil}
	if cl, err := booking.CheckZone(b.TimeZone); err == nil {
		d.ClientWhen = whenLabel(l, b.Start, b.End, cl)
	}
	if b.CancelledAt != nil {
		d.CancelledAt = dateIn(l, b.CancelledAt.In(loc), "Mon 2 Jan 2006, 15:04 MST")
		if booking.CheckRestore(b.Booking, now) == nil {
			d.RestoreUntil = dateIn(l, b.CancelledAt.Add(booking.RestoreWindow).In(loc), "Mon 2 Jan, 15:04 MST")
		}
	}
	if r, ok := booking.LookupRegion(b.Region); ok {
		d.Region = i18n.RegionLabel(l, r) + " (" + r.Code + ")"
	}
	if b.Mode.Label() != "" {
		d.Mode = msg(l, "admin.mode."+string(b.Mode))
	}
	return d, nil
}

// Booking shows one booking with the practitioner's note.
func (h *Handler) Booking(c echo.Context) error {
	d, err := h.loadBookingPage(c, true)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "booking", d.Row.Title, d, nil)
}

// renderBookingErrors shows the booking page again with a form's errors.
func (h *Handler) renderBookingErrors(c echo.Context, errs map[string]string) error {
	d, err := h.loadBookingPage(c, false)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusUnprocessableEntity, "booking", d.Row.Title, d, errs)
}

// backTo returns the admin page a form asked to go back to, or fallback.
func backTo(c echo.Context, fallback string) string {
	if b := c.FormValue("back"); b == "/admin/availability" || b == "/admin/bookings" {
		return b
	}
	return fallback
}

// CancelBooking cancels a booking; the client is told by email.
func (h *Handler) CancelBooking(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := h.admin.CancelBooking(c.Request().Context(), h.who(c), id, c.FormValue("message")); err != nil {
		if fe := fieldErrors(err); fe != nil {
			return h.renderBookingErrors(c, fe)
		}
		if booking.ErrorCode(err) == booking.ECONFLICT {
			return h.renderBookingErrors(c, map[string]string{"cancel": booking.ErrorMessage(err)})
		}
		return err
	}
	return h.redirect(c, backTo(c, fmt.Sprintf("/admin/bookings/%d", id)),
		msg(lang(c), "admin.booking.cancelled_flash", "ID", id))
}

// SetStatus marks a consultation completed or no-show.
func (h *Handler) SetStatus(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	st := booking.Status(c.FormValue("status"))
	if _, err := h.admin.SetStatus(c.Request().Context(), h.who(c), id, st); err != nil {
		switch booking.ErrorCode(err) {
		case booking.ECONFLICT, booking.EINVALID:
			return h.renderBookingErrors(c, map[string]string{"status": booking.ErrorMessage(err)})
		}
		return err
	}
	return h.redirect(c, fmt.Sprintf("/admin/bookings/%d", id), msg(lang(c), "admin.booking.marked", "Status", statusLabel(lang(c), st)))
}

// SaveNote saves the practitioner's private note on a booking.
func (h *Handler) SaveNote(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.admin.SaveNote(c.Request().Context(), h.who(c), id, c.FormValue("practitioner_note")); err != nil {
		if fe := fieldErrors(err); fe != nil {
			return h.renderBookingErrors(c, fe)
		}
		return err
	}
	return h.redirect(c, fmt.Sprintf("/admin/bookings/%d", id), "Note saved.")
}
