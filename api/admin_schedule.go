package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
)

// settingsJSON is the practice's rules in the admin API.
type settingsJSON struct {
	PracticeName   string `json:"practice_name"`
	TimeZone       string `json:"timezone"`
	SlotMinutes    int    `json:"slot_minutes"`
	BufferMinutes  int    `json:"buffer_minutes"`
	MinNoticeHours int    `json:"min_notice_hours"`
	NotSameDay     bool   `json:"not_same_day"`
	HorizonDays    int    `json:"horizon_days"`
	DailyCap       int    `json:"daily_cap"`
}

func settingsOut(st booking.Settings) settingsJSON {
	return settingsJSON{PracticeName: st.PracticeName, TimeZone: st.TimeZone, SlotMinutes: int(st.SlotLength / time.Minute),
		BufferMinutes: int(st.Buffer / time.Minute), MinNoticeHours: int(st.MinNotice / time.Hour), NotSameDay: st.NotSameDay,
		HorizonDays: st.HorizonDays, DailyCap: st.DailyCap}
}

func (s *Server) settings(c echo.Context) error {
	st, err := s.adminOps.Settings(c.Request().Context(), who(c))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(c, http.StatusOK, settingsOut(st))
}

// saveSettings replaces the rules; the slot length stays as it is
// (the consultation is 20 minutes) and is ignored if sent.
func (s *Server) saveSettings(c echo.Context) error {
	ctx := c.Request().Context()
	var in settingsJSON
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	st, err := s.svc.Settings(ctx)
	if err != nil {
		return err
	}
	st.PracticeName, st.TimeZone = strings.TrimSpace(in.PracticeName), in.TimeZone
	st.Buffer, st.MinNotice = time.Duration(in.BufferMinutes)*time.Minute, time.Duration(in.MinNoticeHours)*time.Hour
	st.NotSameDay, st.HorizonDays, st.DailyCap = in.NotSameDay, in.HorizonDays, in.DailyCap
	if err := s.adminOps.SaveRules(ctx, who(c), st); err != nil {
		return err
	}
	return httpx.WriteJSON(c, http.StatusOK, settingsOut(st))
}

// windowJSON is a wall-clock window; weekday is set for weekly hours.
type windowJSON struct {
	Weekday string `json:"weekday,omitempty"`
	Start   string `json:"start"`
	End     string `json:"end"`
}

type overrideJSON struct {
	Date    string       `json:"date"`
	Closed  bool         `json:"closed"`
	Windows []windowJSON `json:"windows"`
}

type timeOffJSON struct {
	ID    int64  `json:"id"`
	First string `json:"first"`
	Last  string `json:"last"`
}

// availabilityJSON is the whole editable availability, with the upcoming
// bookings that fall outside it (kept, never cancelled by an edit).
type availabilityJSON struct {
	TimeZone     string                  `json:"timezone"`
	Weekly       []windowJSON            `json:"weekly"`
	Overrides    []overrideJSON          `json:"overrides"`
	TimeOff      []timeOffJSON           `json:"time_off"`
	OutsideHours []booking.BookingRecord `json:"outside_hours"`
}

// weekdayNames maps API weekday names to weekdays.
var weekdayNames = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

func windowsOut(rs []booking.TimeRange) []windowJSON {
	out := []windowJSON{}
	for _, r := range rs {
		out = append(out, windowJSON{Start: r.Start.String(), End: r.End.String()})
	}
	return out
}

// parseWindows reads windows, naming field in errors.
func parseWindows(field string, ws []windowJSON) ([]booking.TimeRange, error) {
	var out []booking.TimeRange
	for i, w := range ws {
		a, err1 := booking.ParseClock(w.Start)
		b, err2 := booking.ParseClock(w.End)
		r := booking.TimeRange{Start: a, End: b}
		if err1 != nil || err2 != nil || !r.Valid() {
			return nil, booking.FieldErrors{fmt.Sprintf("%s[%d]", field, i): "Give start and end as HH:MM, the start before the end."}.Err()
		}
		out = append(out, r)
	}
	return out, nil
}

// availabilityOut reads the current availability for the API.
func (s *Server) availabilityOut(c echo.Context) (availabilityJSON, error) {
	ctx := c.Request().Context()
	st, err := s.svc.Settings(ctx)
	if err != nil {
		return availabilityJSON{}, err
	}
	av, err := s.adminOps.Availability(ctx)
	if err != nil {
		return availabilityJSON{}, err
	}
	out := availabilityJSON{TimeZone: st.TimeZone, Weekly: []windowJSON{}, Overrides: []overrideJSON{},
		TimeOff: []timeOffJSON{}, OutsideHours: []booking.BookingRecord{}}
	for _, w := range av.Weekly {
		out.Weekly = append(out.Weekly, windowJSON{Weekday: strings.ToLower(w.Weekday.String()), Start: w.Start.String(), End: w.End.String()})
	}
	for _, o := range av.Overrides {
		out.Overrides = append(out.Overrides, overrideJSON{Date: o.Date.String(), Closed: o.Closed, Windows: windowsOut(o.Windows)})
	}
	for _, t := range av.TimeOff {
		out.TimeOff = append(out.TimeOff, timeOffJSON{ID: t.ID, First: t.First.String(), Last: t.Last.String()})
	}
	outside, err := s.adminOps.OutsideHours(ctx, nil)
	if err != nil {
		return out, err
	}
	for _, b := range outside {
		out.OutsideHours = append(out.OutsideHours, booking.AdminBooking{Booking: b}.Record())
	}
	return out, nil
}

// writeAvailability answers an availability call with the availability as it now is.
func (s *Server) writeAvailability(c echo.Context, status int) error {
	out, err := s.availabilityOut(c)
	if err != nil {
		return err
	}
	if len(out.OutsideHours) > 0 { // the answer shows these clients' data
		ids := make([]int64, len(out.OutsideHours))
		for i, b := range out.OutsideHours {
			ids[i] = b.ID
		}
		if err := s.adminOps.Record(c.Request().Context(), who(c), "bookings.list", booking.BookingsTarget(ids)); err != nil {
			return err
		}
	}
	return httpx.WriteJSON(c, status, out)
}

func (s *Server) availability(c echo.Context) error {
	return s.writeAvailability(c, http.StatusOK)
}

func (s *Server) saveWeekly(c echo.Context) error {
	var in struct {
		Weekly []windowJSON `json:"weekly"`
	}
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	var ws []booking.WeeklyWindow
	for i, w := range in.Weekly {
		wd, ok := weekdayNames[strings.ToLower(w.Weekday)]
		if !ok {
			return booking.FieldErrors{fmt.Sprintf("weekly[%d].weekday", i): "Use a weekday name such as monday."}.Err()
		}
		rs, err := parseWindows(fmt.Sprintf("weekly[%d]", i), []windowJSON{w})
		if err != nil {
			return err
		}
		ws = append(ws, booking.WeeklyWindow{Weekday: wd, TimeRange: rs[0]})
	}
	if err := s.adminOps.SaveWeekly(c.Request().Context(), who(c), ws); err != nil {
		return err
	}
	return s.writeAvailability(c, http.StatusOK)
}

// apiDate reads a date path parameter; a malformed one is a 422.
func apiDate(c echo.Context) (booking.Date, error) {
	d, err := booking.ParseDate(c.Param("date"))
	if err != nil {
		return d, booking.FieldErrors{"date": "Give the date as YYYY-MM-DD."}.Err()
	}
	return d, nil
}

func (s *Server) setOverride(c echo.Context) error {
	d, err := apiDate(c)
	if err != nil {
		return err
	}
	var in struct {
		Closed  bool         `json:"closed"`
		Windows []windowJSON `json:"windows"`
	}
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	o := booking.Override{Date: d, Closed: in.Closed}
	if !in.Closed {
		if o.Windows, err = parseWindows("windows", in.Windows); err != nil {
			return err
		}
	}
	if err := s.adminOps.SetOverride(c.Request().Context(), who(c), o); err != nil {
		return err
	}
	return s.writeAvailability(c, http.StatusOK)
}

func (s *Server) deleteOverride(c echo.Context) error {
	d, err := apiDate(c)
	if err != nil {
		return err
	}
	if err := s.adminOps.DeleteOverride(c.Request().Context(), who(c), d); err != nil {
		return err
	}
	return s.writeAvailability(c, http.StatusOK)
}

func (s *Server) addTimeOff(c echo.Context) error {
	var in struct {
		First string `json:"first"`
		Last  string `json:"last"`
	}
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	f := booking.FieldErrors{}
	first, err := booking.ParseDate(in.First)
	if err != nil {
		f.Add("first", "Give the first day off as YYYY-MM-DD.")
	}
	last := first
	if in.Last != "" {
		if last, err = booking.ParseDate(in.Last); err != nil {
			f.Add("last", "Give the last day off as YYYY-MM-DD.")
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	if _, err := s.adminOps.AddTimeOff(c.Request().Context(), who(c), first, last); err != nil {
		return err
	}
	return s.writeAvailability(c, http.StatusCreated)
}

func (s *Server) deleteTimeOff(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.adminOps.DeleteTimeOff(c.Request().Context(), who(c), id); err != nil {
		return err
	}
	return s.writeAvailability(c, http.StatusOK)
}
