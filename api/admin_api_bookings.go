package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
)

// adminBookingJSON is a booking as the admin API shows it: everything
// stored, including the practitioner's private note.
type adminBookingJSON struct {
	ID               int64      `json:"id"`
	Start            time.Time  `json:"start"`
	End              time.Time  `json:"end"`
	Status           string     `json:"status"`
	Name             string     `json:"name"`
	Email            string     `json:"email"`
	Phone            string     `json:"phone"`
	Note             string     `json:"note"`
	TimeZone         string     `json:"timezone"`
	PractitionerNote string     `json:"practitioner_note"`
	CreatedAt        time.Time  `json:"created_at"`
	CancelledAt      *time.Time `json:"cancelled_at"`
}

func adminBookingOut(b booking.AdminBooking) adminBookingJSON {
	return adminBookingJSON{ID: b.ID, Start: b.Start.UTC(), End: b.End.UTC(), Status: string(b.Status), Name: b.Name,
		Email: b.Email, Phone: b.Phone, Note: b.Note, TimeZone: b.TimeZone, PractitionerNote: b.PractitionerNote,
		CreatedAt: b.CreatedAt.UTC(), CancelledAt: b.CancelledAt}
}

type bookingListJSON struct {
	Bookings []adminBookingJSON `json:"bookings"`
	Total    int                `json:"total"`
	Page     int                `json:"page"`
	PerPage  int                `json:"per_page"`
}

func (s *Server) handleAPIListBookings(c echo.Context) error {
	f := booking.FieldErrors{}
	when := c.QueryParam("when")
	switch when {
	case "":
		when = booking.WhenUpcoming
	case booking.WhenUpcoming, booking.WhenPast:
	default:
		f.Add("when", "Use upcoming or past.")
	}
	q := strings.TrimSpace(c.QueryParam("q"))
	if msg := checkSearch(q); msg != "" {
		f.Add("q", msg)
	}
	page, perPage := 1, bookingsPerPage
	if v := c.QueryParam("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			f.Add("page", "Use a page number from 1.")
		}
		page = n
	}
	if v := c.QueryParam("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			f.Add("per_page", "Use from 1 to 200.")
		}
		perPage = n
	}
	if err := f.Err(); err != nil {
		return err
	}
	bs, total, err := s.admin.ListBookings(c.Request().Context(), booking.BookingFilter{
		When: when, Now: s.now(), Query: q, Limit: perPage, Offset: (page - 1) * perPage})
	if err != nil {
		return err
	}
	out := bookingListJSON{Bookings: []adminBookingJSON{}, Total: total, Page: page, PerPage: perPage}
	ids := make([]int64, len(bs))
	for i, b := range bs {
		out.Bookings = append(out.Bookings, adminBookingOut(b))
		ids[i] = b.ID
	}
	if len(bs) > 0 {
		if err := s.audit(c, "bookings.list", auditIDs(ids)); err != nil {
			return err
		}
	}
	return httpx.WriteJSON(c, http.StatusOK, out)
}

// writeAdminBooking answers with the booking id as stored now.
func (s *Server) writeAdminBooking(c echo.Context, id int64) error {
	b, err := s.admin.AdminBooking(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(c, http.StatusOK, adminBookingOut(*b))
}

func (s *Server) handleAPIGetBooking(c echo.Context) error {
	id, err := adminPathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.admin.AdminBooking(c.Request().Context(), id); err != nil {
		return err
	}
	if err := s.audit(c, "booking.view", fmt.Sprintf("booking:%d", id)); err != nil {
		return err
	}
	return s.writeAdminBooking(c, id)
}

func (s *Server) handleAPICancelBooking(c echo.Context) error {
	id, err := adminPathID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Message string `json:"message"`
	}
	if c.Request().ContentLength != 0 {
		if err := httpx.DecodeJSON(c, &in); err != nil {
			return err
		}
	}
	in.Message = strings.TrimSpace(in.Message)
	if msg := checkCancelMessage(in.Message); msg != "" {
		return booking.FieldErrors{"message": msg}.Err()
	}
	if _, err := s.admin.CancelBookingByID(c.Request().Context(), id, in.Message, s.now()); err != nil {
		return err
	}
	if err := s.audit(c, "booking.cancel", fmt.Sprintf("booking:%d", id)); err != nil {
		return err
	}
	return s.writeAdminBooking(c, id)
}

func (s *Server) handleAPISetStatus(c echo.Context) error {
	id, err := adminPathID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Status string `json:"status"`
	}
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	st := booking.Status(in.Status)
	if _, err := s.admin.SetBookingStatus(c.Request().Context(), id, st, s.now()); err != nil {
		return err
	}
	if err := s.audit(c, "booking.status."+string(st), fmt.Sprintf("booking:%d", id)); err != nil {
		return err
	}
	return s.writeAdminBooking(c, id)
}
