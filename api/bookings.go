package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
	"consult/web/i18n"
	"consult/web/timefmt"
)

type bookingRequest struct {
	Start    string `json:"start"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Phone    string `json:"phone"`
	Note     string `json:"note"`
	TimeZone string `json:"timezone"`
	// HourCycle is the client's clock for their emails, 12 or 24; when
	// absent, the request's Accept-Language decides.
	HourCycle int `json:"hour_cycle"`
	// Proof is a solved GET /api/v1/challenge, needed while the
	// challenge says required.
	Proof string `json:"proof"`
	// Mode is how the client would like to meet (booking.Mode).
	Mode string `json:"mode"`
	// Region is where the client will be during the consultation.
	Region string `json:"region"`
	// Answers answer the practice's extra questions, in their order.
	Answers []string `json:"answers"`
	// Language is the client's language for their emails ("en", "de",
	// "fr", "es"); when absent, the request's Accept-Language decides.
	Language *string `json:"language"`
}

// clientLanguage is the language a request to the JSON API stores for
// the client: the one its body names (checked by the domain), else the
// best match of its Accept-Language.
func clientLanguage(c echo.Context, given *string) string {
	if given != nil {
		return *given
	}
	return string(i18n.FromAcceptLanguage(c.Request().Header.Get("Accept-Language")))
}

type bookingResponse struct {
	ID        int64     `json:"id"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Status    string    `json:"status"`
	TimeZone  string    `json:"timezone"`
	ManageURL string    `json:"manage_url,omitempty"`
	ICSURL    string    `json:"ics_url,omitempty"`
	Mode      string    `json:"mode,omitempty"`
}

type bookingDetail struct {
	bookingResponse
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
	Note  string `json:"note"`
	// VideoLink is the room of a video call; Address and Directions say
	// where an in-person consultation is.
	VideoLink  string `json:"video_link,omitempty"`
	Region     string `json:"region,omitempty"`
	Address    string `json:"address,omitempty"`
	Directions string `json:"directions,omitempty"`
}

type rescheduleRequest struct {
	Start string `json:"start"`
	Mode  string `json:"mode"`
}

// parseStart reads an RFC 3339 instant; "" stays zero so Validate names the field.
func parseStart(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, booking.FieldErrors{"start": "Give the start as an RFC 3339 time, such as 2026-12-01T17:00:00Z."}.Err()
	}
	return t.UTC(), nil
}

// mergeFieldErrors joins the per-field messages of two validation errors.
func mergeFieldErrors(first, second error) error {
	var a, b *booking.Error
	if !errors.As(first, &a) || second == nil || !errors.As(second, &b) {
		return first
	}
	f := booking.FieldErrors{}
	for k, v := range a.Fields {
		f.Add(k, v)
	}
	for k, v := range b.Fields {
		f.Add(k, v)
	}
	return f.Err()
}

func (s *Server) bookingJSON(b *booking.Booking, token string) bookingResponse {
	r := bookingResponse{ID: b.ID, Start: b.Start.UTC(), End: b.End.UTC(), Status: string(b.Status), TimeZone: b.TimeZone, Mode: string(b.Mode)}
	if token != "" {
		r.ManageURL = s.url("/manage/" + token)
		r.ICSURL = s.url("/manage/" + token + "/consultation.ics")
	}
	return r
}

func (s *Server) createBooking(c echo.Context) error {
	var in bookingRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	start, startErr := parseStart(in.Start)
	req := booking.Request{Start: start, Name: in.Name, Email: in.Email, Phone: in.Phone, Note: in.Note, TimeZone: in.TimeZone,
		HourCycle: in.HourCycle, Address: httpx.ClientAddr(c), Mode: booking.Mode(in.Mode), Region: in.Region, Answers: in.Answers,
		Language: clientLanguage(c, in.Language)}
	if req.HourCycle == 0 {
		req.HourCycle = timefmt.HoursFor(c.Request().Header.Get("Accept-Language")).Cycle()
	}
	if startErr != nil {
		// Name every bad field at once, not only the start.
		return mergeFieldErrors(startErr, req.Validate())
	}
	if err := checkProof(c.Request().Context(), s.proof, in.Proof); err != nil {
		return err
	}
	if s.svc.ConfirmsByEmail() {
		// The same answer for every address; the link to confirm, or
		// what to do instead, goes to the inbox only.
		until, err := s.svc.Hold(c.Request().Context(), req, c.Request().Header.Get("Idempotency-Key"))
		if err != nil {
			return err
		}
		return httpx.WriteJSON(c, http.StatusAccepted, holdResponse{Status: "held", ExpiresAt: until.UTC()})
	}
	ctx := s.seenFree(s.versions.Watch(c), start.UTC(), s.svc.Now())
	b, token, err := s.svc.Book(ctx, req, c.Request().Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, s.url("/api/v1/bookings/"+token))
	return httpx.WriteJSON(c, http.StatusCreated, s.bookingJSON(b, token))
}

// holdResponse answers a booking request when bookings are confirmed by
// email: the time is held until ExpiresAt for the client to confirm by the
// link emailed to them.
type holdResponse struct {
	Status    string    `json:"status"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *Server) getBooking(c echo.Context) error {
	ctx := c.Request().Context()
	token := c.Param("token")
	b, err := s.svc.ByToken(ctx, token)
	if err != nil {
		return err
	}
	d := bookingDetail{
		bookingResponse: s.bookingJSON(b, token),
		Name:            b.Name, Email: b.Email, Phone: b.Phone, Note: b.Note, VideoLink: b.VideoLink, Region: b.Region,
	}
	if b.Mode == booking.ModeInPerson {
		st, err := s.svc.Settings(ctx)
		if err != nil {
			return err
		}
		d.Address, d.Directions = st.Profile.Modes.InPerson.Address, st.Profile.Modes.InPerson.Directions
	}
	return httpx.WriteJSON(c, http.StatusOK, d)
}

func (s *Server) cancelBooking(c echo.Context) error {
	token := c.Param("token")
	b, err := s.svc.Cancel(s.versions.Watch(c), token)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(c, http.StatusOK, s.bookingJSON(b, token))
}

func (s *Server) rescheduleBooking(c echo.Context) error {
	token := c.Param("token")
	var in rescheduleRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	start, err := parseStart(in.Start)
	if err != nil {
		return err
	}
	b, err := s.svc.Change(c.Request().Context(), token, start, booking.Mode(in.Mode))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(c, http.StatusOK, s.bookingJSON(b, token))
}
