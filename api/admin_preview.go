package api

import (
	"fmt"
	"time"

	"github.com/labstack/echo/v4"

	"consult/booking"
)

// previewDays is how far ahead a preview shows the free slots.
const previewDays = 14

// adminBookingRow is a booking as the admin lists show it, in the practice's zone.
type adminBookingRow struct {
	ID     int64
	When   string
	Date   string // YYYY-MM-DD in the practice's zone
	Status string
	Name   string
	Email  string
}

func adminRowOf(b booking.AdminBooking, loc *time.Location) adminBookingRow {
	return adminBookingRow{ID: b.ID, When: adminWhen(b.Start, b.End, loc), Date: booking.DateOf(b.Start.In(loc)).String(),
		Status: adminStatusLabel(b.Status), Name: b.Name, Email: b.Email}
}

// adminWhen shows a booking's time: "Tue 8 Dec 2026, 09:00–09:20 PST".
func adminWhen(start, end time.Time, loc *time.Location) string {
	s, e := start.In(loc), end.In(loc)
	return s.Format("Mon 2 Jan 2006, 15:04") + "–" + e.Format("15:04 MST")
}

func adminStatusLabel(st booking.Status) string {
	switch st {
	case booking.StatusConfirmed:
		return "Confirmed"
	case booking.StatusCancelled:
		return "Cancelled"
	case booking.StatusCompleted:
		return "Completed"
	case booking.StatusNoShow:
		return "No-show"
	}
	return string(st)
}

// adminPreviewDay is one day of a preview: its free slots as local times.
type adminPreviewDay struct {
	Date  string
	Slots []string
}

// adminPreview is what a proposed change would give.
type adminPreview struct {
	Days  []adminPreviewDay
	Total int
	// Outside are the upcoming bookings the change would leave outside the hours.
	Outside []adminBookingRow
}

// scheduleChange edits a schedule into the one a proposed change gives.
type scheduleChange func(*booking.Schedule)

// proposed loads the current schedule (covering every upcoming booking and
// the preview window), the upcoming confirmed bookings and the busy times,
// and applies change (nil: none).
func (s *Server) proposed(c echo.Context, change scheduleChange) (booking.Schedule, []booking.Booking, []booking.Interval, error) {
	ctx := c.Request().Context()
	now := s.now()
	page, _, err := s.admin.ListBookings(ctx, booking.BookingFilter{When: booking.WhenUpcoming, Now: now, Limit: 500})
	if err != nil {
		return booking.Schedule{}, nil, nil, err
	}
	var upcoming []booking.Booking
	last := now.Add((previewDays + 2) * 24 * time.Hour)
	for _, b := range page {
		if b.Status == booking.StatusConfirmed {
			upcoming = append(upcoming, b.Booking)
			if b.End.After(last) {
				last = b.End
			}
		}
	}
	from := booking.DateOf(now).AddDays(-2)
	sched, err := s.svc.Store.Schedule(ctx, from, booking.DateOf(last).AddDays(2))
	if err != nil {
		return booking.Schedule{}, nil, nil, err
	}
	busy, err := s.svc.Store.Busy(ctx, now.Add(-48*time.Hour), now.Add((previewDays+2)*24*time.Hour))
	if err != nil {
		return booking.Schedule{}, nil, nil, err
	}
	if change != nil {
		change(&sched)
	}
	return sched, upcoming, busy, nil
}

// outsideHours returns the upcoming confirmed bookings that lie outside
// the hours of the schedule change gives (nil: the current one).
func (s *Server) outsideHours(c echo.Context, change scheduleChange) ([]booking.Booking, error) {
	sched, upcoming, _, err := s.proposed(c, change)
	if err != nil {
		return nil, err
	}
	return booking.OutsideHours(sched, upcoming)
}

// preview computes the free slots of the next two weeks under change, and
// the bookings it would leave outside the hours, without saving anything.
func (s *Server) preview(c echo.Context, change scheduleChange) (*adminPreview, error) {
	sched, upcoming, busy, err := s.proposed(c, change)
	if err != nil {
		return nil, err
	}
	loc, err := sched.Settings.Location()
	if err != nil {
		return nil, err
	}
	now := s.now()
	today := booking.DateOf(now.In(loc))
	from, to := today.In(0, loc), today.AddDays(previewDays).In(0, loc)
	slots, err := booking.FreeSlots(sched, busy, from, to, now)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	p := &adminPreview{Total: len(slots)}
	for d := today; d.Before(today.AddDays(previewDays)); d = d.AddDays(1) {
		day := adminPreviewDay{Date: d.In(12*60, loc).Format("Mon 2 Jan")}
		for _, sl := range slots {
			if booking.DateOf(sl.Start.In(loc)) == d {
				day.Slots = append(day.Slots, sl.Start.In(loc).Format("15:04"))
			}
		}
		p.Days = append(p.Days, day)
	}
	outside, err := booking.OutsideHours(sched, upcoming)
	if err != nil {
		return nil, err
	}
	for _, b := range outside {
		p.Outside = append(p.Outside, adminRowOf(booking.AdminBooking{Booking: b}, loc))
	}
	return p, nil
}

// changeWeekly replaces the weekly hours.
func changeWeekly(ws []booking.WeeklyWindow) scheduleChange {
	return func(s *booking.Schedule) { s.Weekly = ws }
}

// changeOverride sets one date's override; time off covering the date still
// closes it, as it does once saved.
func changeOverride(o booking.Override, timeOff []booking.TimeOff) scheduleChange {
	return func(s *booking.Schedule) {
		for _, t := range timeOff {
			if !o.Date.Before(t.First) && !t.Last.Before(o.Date) {
				o = booking.Override{Date: o.Date, Closed: true}
			}
		}
		s.Overrides = append(s.Overrides, o) // the last one listed for a date wins
	}
}

// changeTimeOff closes every date from first to last.
func changeTimeOff(first, last booking.Date) scheduleChange {
	return func(s *booking.Schedule) {
		for d := first; !last.Before(d); d = d.AddDays(1) {
			s.Overrides = append(s.Overrides, booking.Override{Date: d, Closed: true})
		}
	}
}

// changeSettings replaces the rules.
func changeSettings(st booking.Settings) scheduleChange {
	return func(s *booking.Schedule) { s.Settings = st }
}
