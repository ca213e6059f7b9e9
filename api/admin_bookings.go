package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
)

// bookingListJSON is a page of bookings, each with everything stored
// about it (booking.BookingRecord, the shape a client's export holds too).
type bookingListJSON struct {
	Bookings []booking.BookingRecord `json:"bookings"`
	Total    int                     `json:"total"`
	Page     int                     `json:"page"`
	PerPage  int                     `json:"per_page"`
}

func (s *Server) listBookings(c echo.Context) error {
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
	if msg := booking.CheckSearch(q); msg != "" {
		f.Add("q", msg)
	}
	page, perPage := 1, booking.BookingsPerPage
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
	bs, total, err := s.adminOps.Bookings(c.Request().Context(), who(c), booking.BookingFilter{
		When: when, Query: q, Limit: perPage, Offset: (page - 1) * perPage})
	if err != nil {
		return err
	}
	out := bookingListJSON{Bookings: []booking.BookingRecord{}, Total: total, Page: page, PerPage: perPage}
	for _, b := range bs {
		out.Bookings = append(out.Bookings, b.Record())
	}
	return httpx.WriteJSON(c, http.StatusOK, out)
}

// writeAdminBooking answers with the booking id as stored now.
func (s *Server) writeAdminBooking(c echo.Context, id int64) error {
	return s.writeAdminBookingStatus(c, http.StatusOK, id)
}

// writeAdminBookingStatus answers status with the booking id as stored now.
func (s *Server) writeAdminBookingStatus(c echo.Context, status int, id int64) error {
	b, err := s.admin.AdminBooking(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(c, status, b.Record())
}

func (s *Server) anyBooking(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	b, err := s.adminOps.Booking(c.Request().Context(), who(c), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(c, http.StatusOK, b.Record())
}

func (s *Server) cancelAnyBooking(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
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
	if _, err := s.adminOps.CancelBooking(c.Request().Context(), who(c), id, in.Message); err != nil {
		return err
	}
	return s.writeAdminBooking(c, id)
}

func (s *Server) setStatus(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Status string `json:"status"`
	}
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	if _, err := s.adminOps.SetStatus(c.Request().Context(), who(c), id, booking.Status(in.Status)); err != nil {
		return err
	}
	return s.writeAdminBooking(c, id)
}
