package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"consult/booking"
)

// bookingsPerPage is the admin list's page size.
const bookingsPerPage = 25

// bookingsData is the bookings list page.
type bookingsData struct {
	When       string
	Query      string
	Rows       []adminBookingRow
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

// adminListWhen reads which bookings a list shows.
func adminListWhen(v string) string {
	if v == booking.WhenPast {
		return booking.WhenPast
	}
	return booking.WhenUpcoming
}

func (s *Server) handleBookingsList(c echo.Context) error {
	page, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || page < 1 || page > 100000 {
		page = 1
	}
	return s.renderBookingsList(c, http.StatusOK, adminListWhen(c.QueryParam("when")), page, nil)
}

// handleBookingsSearch keeps the posted search in the session and shows
// its first page.
func (s *Server) handleBookingsSearch(c echo.Context) error {
	when := adminListWhen(c.FormValue("when"))
	q := strings.TrimSpace(c.FormValue("q"))
	if msg := booking.CheckSearch(q); msg != "" {
		return s.renderBookingsList(c, http.StatusUnprocessableEntity, when, 1, map[string]string{"q": msg})
	}
	if q == "" {
		s.sessions.Remove(c.Request().Context(), sessSearch)
	} else {
		s.sessions.Put(c.Request().Context(), sessSearch, q)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/bookings?"+url.Values{"when": {when}}.Encode())
}

// renderBookingsList shows one page of the bookings matching the
// session's search.
func (s *Server) renderBookingsList(c echo.Context, status int, when string, page int, errs map[string]string) error {
	loc, _, err := s.adminZone(c)
	if err != nil {
		return err
	}
	q := s.sessions.GetString(c.Request().Context(), sessSearch)
	bs, total, err := s.adminOps.Bookings(c.Request().Context(), who(c), booking.BookingFilter{
		When: when, Query: q, Limit: bookingsPerPage, Offset: (page - 1) * bookingsPerPage,
	})
	if err != nil {
		return err
	}
	d := bookingsData{When: when, Query: q, Total: total, Page: page}
	for _, b := range bs {
		d.Rows = append(d.Rows, adminRowOf(b, loc))
	}
	link := func(p int) string {
		return "/admin/bookings?" + url.Values{"when": {when}, "page": {strconv.Itoa(p)}}.Encode()
	}
	if page > 1 {
		d.PrevURL = link(page - 1)
	}
	if page*bookingsPerPage < total {
		d.NextURL = link(page + 1)
	}
	today := booking.DateOf(s.now().In(loc))
	d.ExportFrom, d.ExportTo = today.AddDays(-30).String(), today.AddDays(30).String()
	return s.renderAdmin(c, status, "bookings", "Bookings", d, errs)
}

// bookingPageData is one booking's detail page.
type bookingPageData struct {
	Row         adminBookingRow
	B           *booking.AdminBooking
	ClientWhen  string
	Upcoming    bool
	CanMark     bool
	CancelledAt string
}

// loadBookingPage reads the booking of the path for its page; view records
// the view (a page shown again beside a form's errors was recorded already).
func (s *Server) loadBookingPage(c echo.Context, view bool) (*bookingPageData, error) {
	id, err := adminPathID(c, "id")
	if err != nil {
		return nil, err
	}
	loc, _, err := s.adminZone(c)
	if err != nil {
		return nil, err
	}
	var b *booking.AdminBooking
	if view {
		b, err = s.adminOps.Booking(c.Request().Context(), who(c), id)
	} else {
		b, err = s.admin.AdminBooking(c.Request().Context(), id)
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	d := &bookingPageData{Row: adminRowOf(*b, loc), B: b,
		Upcoming: booking.CheckAdminCancel(b.Booking, now) == nil,
		CanMark:  booking.CheckOutcome(b.Booking, now) == nil}
	if cl, err := booking.ZoneByName(b.TimeZone); err == nil {
		d.ClientWhen = adminWhen(b.Start, b.End, cl)
	}
	if b.CancelledAt != nil {
		d.CancelledAt = b.CancelledAt.In(loc).Format("Mon 2 Jan 2006, 15:04 MST")
	}
	return d, nil
}

func (s *Server) handleBookingDetail(c echo.Context) error {
	d, err := s.loadBookingPage(c, true)
	if err != nil {
		return err
	}
	return s.renderAdmin(c, http.StatusOK, "booking", fmt.Sprintf("Booking %d", d.B.ID), d, nil)
}

// renderBookingErrors shows the booking page again with a form's errors.
func (s *Server) renderBookingErrors(c echo.Context, errs map[string]string) error {
	d, err := s.loadBookingPage(c, false)
	if err != nil {
		return err
	}
	return s.renderAdmin(c, http.StatusUnprocessableEntity, "booking", fmt.Sprintf("Booking %d", d.B.ID), d, errs)
}

// adminBackTo returns the admin page a form asked to go back to, or fallback.
func adminBackTo(c echo.Context, fallback string) string {
	if b := c.FormValue("back"); b == "/admin/availability" || b == "/admin/bookings" {
		return b
	}
	return fallback
}

func (s *Server) handleBookingCancel(c echo.Context) error {
	id, err := adminPathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.adminOps.CancelBooking(c.Request().Context(), who(c), id, c.FormValue("message")); err != nil {
		if fe := adminFieldErrors(err); fe != nil {
			return s.renderBookingErrors(c, fe)
		}
		if booking.ErrorCode(err) == booking.ECONFLICT {
			return s.renderBookingErrors(c, map[string]string{"cancel": booking.ErrorMessage(err)})
		}
		return err
	}
	return s.adminRedirect(c, adminBackTo(c, fmt.Sprintf("/admin/bookings/%d", id)),
		fmt.Sprintf("Booking %d is cancelled; the client will be told by email.", id))
}

func (s *Server) handleBookingStatus(c echo.Context) error {
	id, err := adminPathID(c, "id")
	if err != nil {
		return err
	}
	st := booking.Status(c.FormValue("status"))
	if _, err := s.adminOps.SetStatus(c.Request().Context(), who(c), id, st); err != nil {
		switch booking.ErrorCode(err) {
		case booking.ECONFLICT, booking.EINVALID:
			return s.renderBookingErrors(c, map[string]string{"status": booking.ErrorMessage(err)})
		}
		return err
	}
	return s.adminRedirect(c, fmt.Sprintf("/admin/bookings/%d", id), "Marked as "+adminStatusLabel(st)+".")
}

func (s *Server) handleBookingNote(c echo.Context) error {
	id, err := adminPathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.adminOps.SaveNote(c.Request().Context(), who(c), id, c.FormValue("practitioner_note")); err != nil {
		if fe := adminFieldErrors(err); fe != nil {
			return s.renderBookingErrors(c, fe)
		}
		return err
	}
	return s.adminRedirect(c, fmt.Sprintf("/admin/bookings/%d", id), "Note saved.")
}
