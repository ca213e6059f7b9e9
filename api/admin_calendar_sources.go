package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
)

// calendarSourceJSON is a linked calendar as the admin API shows it: its
// host, never its address or credentials.
type calendarSourceJSON struct {
	ID             int64      `json:"id"`
	Kind           string     `json:"kind"`
	Status         string     `json:"status"`
	Host           string     `json:"host"`
	Username       string     `json:"username,omitempty"`
	OwnerEmail     string     `json:"owner_email"`
	IgnoreDeclined bool       `json:"ignore_declined"`
	WriteBookings  bool       `json:"write_bookings"`
	BusyIntervals  int        `json:"busy_intervals"`
	LastAttempt    *time.Time `json:"last_attempt"`
	LastSuccess    *time.Time `json:"last_success"`
	Error          *string    `json:"error"`
	Blocking       bool       `json:"blocking"`
	CreatedAt      time.Time  `json:"created_at"`
}

func calendarSourceOut(src booking.CalendarSource) calendarSourceJSON {
	out := calendarSourceJSON{ID: src.ID, Kind: src.Kind, Status: src.Status, Host: src.Host, Username: src.Username,
		OwnerEmail: src.OwnerEmail, IgnoreDeclined: src.IgnoreDeclined, WriteBookings: src.WriteBookings,
		BusyIntervals: src.BusyIntervals, LastAttempt: src.LastAttempt, LastSuccess: src.LastSuccess,
		Blocking: src.Stale, CreatedAt: src.CreatedAt}
	if src.LastError != "" {
		msg := src.LastError
		out.Error = &msg
	}
	return out
}

func (s *Server) listCalendarSources(c echo.Context) error {
	srcs, err := s.adminOps.CalendarSources(c.Request().Context())
	if err != nil {
		return err
	}
	out := struct {
		Sources []calendarSourceJSON `json:"sources"`
	}{Sources: []calendarSourceJSON{}}
	for _, src := range srcs {
		out.Sources = append(out.Sources, calendarSourceOut(src))
	}
	return httpx.WriteJSON(c, http.StatusOK, out)
}

func (s *Server) addCalendarSource(c echo.Context) error {
	var in struct {
		Kind           string `json:"kind"`
		URL            string `json:"url"`
		Username       string `json:"username"`
		Password       string `json:"password"`
		OwnerEmail     string `json:"owner_email"`
		IgnoreDeclined *bool  `json:"ignore_declined"`
		WriteBookings  bool   `json:"write_bookings"`
	}
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	n := booking.NewCalendarSource{Kind: in.Kind, URL: in.URL, Username: in.Username, Password: in.Password,
		OwnerEmail: in.OwnerEmail, IgnoreDeclined: in.IgnoreDeclined == nil || *in.IgnoreDeclined, WriteBookings: in.WriteBookings}
	src, err := s.adminOps.AddCalendarSource(c.Request().Context(), who(c), n)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, s.url("/api/v1/admin/calendar-sources/"+strconv.FormatInt(src.ID, 10)))
	return httpx.WriteJSON(c, http.StatusCreated, calendarSourceOut(*src))
}

func (s *Server) deleteCalendarSource(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if s.calendars != nil {
		if _, err := s.admin.CalendarSource(ctx, id); err != nil {
			return err
		}
		// The consultations written into it go with it, as far as its
		// server lets them; it is unlinked either way.
		if _, err := s.calendars.RemoveWritten(ctx, id); err != nil {
			s.logger.Warn("calendar unlinked with its written bookings left in it", "source", id, "reason", booking.ErrorMessage(err))
		}
	}
	if err := s.adminOps.DeleteCalendarSource(ctx, who(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// syncCalendarSource reads the source now and answers once done, with
// how it went: a calendar that could not be read is still a 200, its
// error in the answer, as the admin area shows it.
func (s *Server) syncCalendarSource(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.admin.CalendarSource(ctx, id); err != nil {
		return err
	}
	if s.calendars == nil {
		return booking.Errorf(booking.EUNAVAILABLE, "Calendars cannot be read by this server.")
	}
	if err := s.adminOps.Record(ctx, who(c), "calendar_source.sync", "calendar_source:"+strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	src, err := s.calendars.Sync(ctx, id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(c, http.StatusOK, calendarSourceOut(*src))
}
