package booking

import (
	"context"
	"fmt"
	"time"
)

// PreviewDays is how far ahead a preview shows the free slots.
const PreviewDays = 14

// ScheduleChange edits a schedule into the one a proposed change gives.
type ScheduleChange func(*Schedule)

// ChangeWeekly replaces the weekly hours.
func ChangeWeekly(ws []WeeklyWindow) ScheduleChange {
	return func(s *Schedule) { s.Weekly = ws }
}

// ChangeOverride sets one date's override; time off covering the date
// still closes it, as it does once saved.
func ChangeOverride(o Override, timeOff []TimeOff) ScheduleChange {
	return func(s *Schedule) {
		for _, t := range timeOff {
			if !o.Date.Before(t.First) && !t.Last.Before(o.Date) {
				o = Override{Date: o.Date, Closed: true}
			}
		}
		s.Overrides = append(s.Overrides, o) // the last one listed for a date wins
	}
}

// ChangeTimeOff closes every date from first to last.
func ChangeTimeOff(first, last Date) ScheduleChange {
	return func(s *Schedule) {
		for d := first; !last.Before(d); d = d.AddDays(1) {
			s.Overrides = append(s.Overrides, Override{Date: d, Closed: true})
		}
	}
}

// ChangeSettings replaces the rules.
func ChangeSettings(st Settings) ScheduleChange {
	return func(s *Schedule) { s.Settings = st }
}

// Preview is what a proposed change would give, nothing saved.
type Preview struct {
	// Location is the practice's zone under the change; Today the first
	// of the PreviewDays days previewed, a date in it.
	Location *time.Location
	Today    Date
	// Slots are the free slots of those days: what the slots API offers
	// for them once the change is saved.
	Slots []Slot
	// Days are the same slots day by day, with how many of them clients
	// could book under the daily cap.
	Days []PreviewDay
	// DailyCap is the cap under the change (0: none).
	DailyCap int
	// Outside are the upcoming bookings the change would leave outside the hours.
	Outside []Booking
}

// PreviewDay is one practice-local day of a Preview.
type PreviewDay struct {
	Date  Date
	Slots []Slot
	// Bookable is how many of Slots clients could book before the day
	// reaches the daily cap: all of them without a cap, else the cap less
	// the day's bookings, never more than the slots offered.
	Bookable int
}

// Bookable is the most consultations clients could book over the
// previewed days.
func (p *Preview) Bookable() int {
	n := 0
	for _, d := range p.Days {
		n += d.Bookable
	}
	return n
}

// proposed loads the current schedule (covering every upcoming booking and
// the preview window), the upcoming confirmed bookings and the busy times,
// and applies change (nil: none).
func (a *Admin) proposed(ctx context.Context, now time.Time, change ScheduleChange) (Schedule, []Booking, []Interval, error) {
	page, _, err := a.store.ListBookings(ctx, BookingFilter{When: WhenUpcoming, Now: now, Limit: 500})
	if err != nil {
		return Schedule{}, nil, nil, err
	}
	var upcoming []Booking
	last := now.Add((PreviewDays + 2) * 24 * time.Hour)
	for _, b := range page {
		if b.Status == StatusConfirmed {
			upcoming = append(upcoming, b.Booking)
			if b.End.After(last) {
				last = b.End
			}
		}
	}
	from := DateOf(now).AddDays(-2)
	sched, err := a.store.Schedule(ctx, from, DateOf(last).AddDays(2))
	if err != nil {
		return Schedule{}, nil, nil, err
	}
	busy, err := a.store.Busy(ctx, now.Add(-48*time.Hour), now.Add((PreviewDays+2)*24*time.Hour))
	if err != nil {
		return Schedule{}, nil, nil, err
	}
	if change != nil {
		change(&sched)
	}
	return sched, upcoming, busy, nil
}

// OutsideHours returns the upcoming confirmed bookings that lie outside
// the hours of the schedule change gives (nil: the current one). They
// are kept: an edit of the hours never cancels a booking.
func (a *Admin) OutsideHours(ctx context.Context, change ScheduleChange) ([]Booking, error) {
	sched, upcoming, _, err := a.proposed(ctx, a.now().UTC(), change)
	if err != nil {
		return nil, err
	}
	return OutsideHours(sched, upcoming)
}

// Preview computes the free slots of the next PreviewDays days under
// change, and the bookings it would leave outside the hours, without
// saving anything.
func (a *Admin) Preview(ctx context.Context, change ScheduleChange) (*Preview, error) {
	now := a.now().UTC()
	sched, upcoming, busy, err := a.proposed(ctx, now, change)
	if err != nil {
		return nil, err
	}
	loc, err := sched.Settings.Location()
	if err != nil {
		return nil, err
	}
	today := DateOf(now.In(loc))
	p := &Preview{Location: loc, Today: today}
	p.Slots, err = FreeSlots(sched, busy, today.In(0, loc), today.AddDays(PreviewDays).In(0, loc), now)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	p.DailyCap = sched.Settings.DailyCap
	for d := today; d.Before(today.AddDays(PreviewDays)); d = d.AddDays(1) {
		start, next := StartOfDay(d, loc), StartOfDay(d.AddDays(1), loc)
		day := PreviewDay{Date: d}
		for _, sl := range p.Slots {
			if !sl.Start.Before(start) && sl.Start.Before(next) {
				day.Slots = append(day.Slots, sl)
			}
		}
		day.Bookable = len(day.Slots)
		if cap := sched.Settings.DailyCap; cap > 0 {
			taken := 0
			for _, b := range busy {
				if !b.Start.Before(start) && b.Start.Before(next) {
					taken++
				}
			}
			day.Bookable = max(0, min(day.Bookable, cap-taken))
		}
		p.Days = append(p.Days, day)
	}
	if p.Outside, err = OutsideHours(sched, upcoming); err != nil {
		return nil, err
	}
	return p, nil
}
