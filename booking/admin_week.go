package booking

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Week is one practice-local week as the practitioner's calendar shows
// it: each day's hours, bookings, open slots, time off and whether the
// daily cap is reached.
type Week struct {
	Location *time.Location
	Settings Settings
	// Today is the practice-local date now; First the Monday the week
	// begins on.
	Today, First Date
	Days         [7]WeekDay
	// Busy are the times the practitioner's linked calendars hold in the
	// week, by start, as last synced; the calendar draws them.
	Busy []BusyBlock
}

// WeekDay is one day of a Week.
type WeekDay struct {
	Date Date
	// Start and Next are the day's first instant and the next day's.
	Start, Next time.Time
	// Hours are the day's opening windows as instants; none when closed.
	Hours []Interval
	// Closed says an override closes the day; TimeOff that time off does.
	Closed, TimeOff bool
	// Bookings are the day's bookings other than cancelled ones, by start.
	Bookings []AdminBooking
	// Open are the slots clients can book now.
	Open []Slot
	// Taken counts what the daily cap counts (bookings and held times);
	// CapReached is set when it reaches a cap.
	Taken      int
	CapReached bool
}

// BusyBlock is a time another calendar holds.
type BusyBlock struct {
	Start, End time.Time
	// Label says where it comes from ("Work calendar"); never a title
	// copied from the other calendar.
	Label string
}

// MondayOf returns the Monday of the week d falls in.
func MondayOf(d Date) Date {
	return d.AddDays(-((int(d.Weekday()) + 6) % 7))
}

// Week returns the week beginning on the Monday of the week day falls in
// (the zero Date: this week), recording the view of its bookings.
func (a *Admin) Week(ctx context.Context, who Actor, day Date) (*Week, error) {
	now := a.now().UTC()
	loc, today, err := a.today(ctx)
	if err != nil {
		return nil, err
	}
	if day == (Date{}) {
		day = today
	}
	first := MondayOf(day)
	w := &Week{Location: loc, Today: today, First: first}
	from, to := StartOfDay(first, loc), StartOfDay(first.AddDays(7), loc)
	span := SpanFor(from, to)
	sched, err := a.store.Schedule(ctx, span.FirstDay, span.LastDay)
	if err != nil {
		return nil, err
	}
	w.Settings = sched.Settings
	busy, err := a.store.Busy(ctx, span.BusyFrom, span.BusyTo)
	if err != nil {
		return nil, err
	}
	open, err := FreeSlots(sched, busy, from, to, now)
	if err != nil {
		return nil, fmt.Errorf("week: %w", err)
	}
	av, err := a.store.Availability(ctx, first)
	if err != nil {
		return nil, err
	}
	bs, err := a.store.BookingsBetween(ctx, from, to)
	if err != nil {
		return nil, err
	}
	overrides := overridesBetween(sched.Overrides, first, first.AddDays(6))
	for i := range w.Days {
		d := first.AddDays(i)
		wd := WeekDay{Date: d, Start: StartOfDay(d, loc), Next: StartOfDay(d.AddDays(1), loc)}
		wd.Hours = dayWindows(nil, loc, d, wd.Start, wd.Next, sched.Weekly, overrides)
		if o, ok := overrides[d]; ok && o.Closed {
			wd.Closed = true
		}
		for _, t := range av.TimeOff {
			if !d.Before(t.First) && !t.Last.Before(d) {
				wd.TimeOff = true
			}
		}
		in := func(t time.Time) bool { return !t.Before(wd.Start) && t.Before(wd.Next) }
		for _, b := range bs {
			if b.Status != StatusCancelled && in(b.Start) {
				wd.Bookings = append(wd.Bookings, b)
			}
		}
		for _, s := range open {
			if in(s.Start) {
				wd.Open = append(wd.Open, s)
			}
		}
		for _, b := range busy {
			if in(b.Start) {
				wd.Taken++
			}
		}
		wd.CapReached = sched.Settings.DailyCap > 0 && wd.Taken >= sched.Settings.DailyCap
		w.Days[i] = wd
	}
	if w.Busy, err = a.weekBusy(ctx, from, to); err != nil {
		return nil, err
	}
	var shown []AdminBooking
	for _, d := range w.Days {
		shown = append(shown, d.Bookings...)
	}
	if err := a.recordBookings(ctx, who, "bookings.week", shown); err != nil {
		return nil, err
	}
	return w, nil
}

// weekBusy returns the linked calendars' busy time in [from, to), each
// block labelled with its calendar's host, by start.
func (a *Admin) weekBusy(ctx context.Context, from, to time.Time) ([]BusyBlock, error) {
	byID, err := a.store.CalendarBusy(ctx, from, to)
	if err != nil || len(byID) == 0 {
		return nil, err
	}
	sources, err := a.store.CalendarSources(ctx)
	if err != nil {
		return nil, err
	}
	label := map[int64]string{}
	for _, s := range sources {
		label[s.ID] = "Busy in " + s.Host
	}
	var out []BusyBlock
	for id, ivs := range byID {
		for _, iv := range ivs {
			out = append(out, BusyBlock{Start: iv.Start, End: iv.End, Label: label[id]})
		}
	}
	slices.SortFunc(out, func(x, y BusyBlock) int { return x.Start.Compare(y.Start) })
	return out, nil
}
