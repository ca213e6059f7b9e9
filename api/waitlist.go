package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
	"consult/web/timefmt"
)

// waitlistRequest is the body of POST /api/v1/waitlist.
type waitlistRequest struct {
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	TimeZone string   `json:"timezone"`
	Days     []string `json:"days"`
	Parts    []string `json:"parts"`
	From     string   `json:"from"`
	To       string   `json:"to"`
	Region   string   `json:"region"`
	// Language is as in a booking request.
	Language *string `json:"language"`
}

// joinWaitlist answers 202 for every valid request, whether the address
// is new, waits already or has a consultation coming: what applies goes
// only to the inbox.
func (s *Server) joinWaitlist(c echo.Context) error {
	var in waitlistRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	req := booking.WaitlistRequest{Name: in.Name, Email: in.Email, TimeZone: in.TimeZone, Parts: in.Parts, Region: in.Region,
		HourCycle: timefmt.HoursFor(c.Request().Header.Get("Accept-Language")).Cycle(), Language: clientLanguage(c, in.Language)}
	fields := booking.FieldErrors{}
	var err error
	if req.Days, err = booking.ParseWeekdays(in.Days); err != nil {
		fields.Add("days", "Use mon, tue, wed, thu, fri, sat or sun.")
	}
	if req.From, err = booking.ParseDate(in.From); err != nil {
		fields.Add("from", "Give the first day as YYYY-MM-DD.")
	}
	if req.To, err = booking.ParseDate(in.To); err != nil {
		fields.Add("to", "Give the last day as YYYY-MM-DD.")
	}
	if len(fields) > 0 {
		return fields.Err()
	}
	if err := s.svc.JoinWaitlist(c.Request().Context(), req); err != nil {
		return err
	}
	return httpx.WriteJSON(c, http.StatusAccepted, struct {
		Status string `json:"status"`
	}{"confirmation_sent"})
}
