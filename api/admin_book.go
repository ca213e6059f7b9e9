package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
)

// clientBookingRequest is a booking the practitioner makes for a client.
type clientBookingRequest struct {
	Start         string `json:"start"`
	Name          string `json:"name"`
	Email         string `json:"email"`
	Phone         string `json:"phone"`
	Mode          string `json:"mode"`
	OverrideRules bool   `json:"override_rules"`
}

// moveRequest moves a booking to another time.
type moveRequest struct {
	Start         string `json:"start"`
	OverrideRules bool   `json:"override_rules"`
}

func (s *Server) bookForClient(c echo.Context) error {
	var in clientBookingRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	start, startErr := parseStart(in.Start)
	cb := booking.ClientBooking{Start: start, Name: in.Name, Email: in.Email, Phone: in.Phone, Mode: in.Mode,
		OverrideRules: in.OverrideRules}
	if startErr != nil {
		return mergeFieldErrors(startErr, cb.Validate())
	}
	b, err := s.adminOps.BookForClient(c.Request().Context(), who(c), cb)
	if err != nil {
		return err
	}
	return s.writeAdminBookingStatus(c, http.StatusCreated, b.ID)
}

func (s *Server) moveBooking(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	var in moveRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	start, err := parseStart(in.Start)
	if err != nil {
		return err
	}
	if _, err := s.adminOps.MoveBooking(c.Request().Context(), who(c), id, start, in.OverrideRules); err != nil {
		return err
	}
	return s.writeAdminBooking(c, id)
}

func (s *Server) restoreBooking(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.adminOps.RestoreBooking(c.Request().Context(), who(c), id); err != nil {
		return err
	}
	return s.writeAdminBooking(c, id)
}
