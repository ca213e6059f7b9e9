package booking

import (
	"context"
	"sort"
	"time"
)

// With the data fixed, what is open changes with time in two ways only: at
// practice-local midnight (the horizon and same-day rules go by date), and
// each time a slot's start comes within the minimum notice. Every other
// rule depends on the date alone. So the slots of a span can be computed
// once per day, with the clock at the day's first instant (SlotsOfDay),
// and cut for each moment of that day at the minimum notice (NoticeCut):
// the same result as computing at that moment, for a fraction of the
// work, and the cut also tells when the answer last changed and when it
// next will.

// Day is the practice-local day an instant falls in, as the slot engine
// counts days.
type Day struct {
	Date Date
	// Start is the day's first instant, Next the next day's.
	Start, Next time.Time
	// Settings are the practice's settings the day was found with.
	Settings Settings
}

// DayOf returns the practice-local day now falls in.
func (s *Service) DayOf(ctx context.Context, now time.Time) (Day, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return Day{}, err
	}
	return DayAt(st, now)
}

// DayAt returns the practice-local day now falls in under st.
func DayAt(st Settings, now time.Time) (Day, error) {
	loc, err := st.Location()
	if err != nil {
		return Day{}, err
	}
	today := DateOf(now.In(loc))
	return Day{Date: today, Start: StartOfDay(today, loc), Next: StartOfDay(today.AddDays(1), loc), Settings: st}, nil
}

// SlotsOfDay returns the slots starting in [from, to) as they are free
// through day, computed with the clock at the day's first instant, and
// the settings they were computed with. Callers keep, at a moment of the
// day, the slots from NoticeCut on.
func (s *Service) SlotsOfDay(ctx context.Context, day Day, from, to time.Time) ([]Slot, Settings, error) {
	atStart := *s
	atStart.Now = func() time.Time { return day.Start }
	return atStart.Slots(ctx, from, to)
}

// NoticeCut returns the index of the first of slots (sorted by start)
// that starts at least notice after now: the slots before it are no
// longer bookable at now.
func NoticeCut(slots []Slot, now time.Time, notice time.Duration) int {
	lower := now.Add(notice)
	return sort.Search(len(slots), func(i int) bool { return !slots[i].Start.Before(lower) })
}

// StartOfDay returns the first instant of date d in loc. Where a DST
// change skips midnight (as in Santiago or Havana), time.Date answers
// with an instant of the day before; the day then begins when the clock
// jumps, as the slot engine has it.
func StartOfDay(d Date, loc *time.Location) time.Time {
	t := d.In(0, loc)
	if local := t.In(loc); DateOf(local).Before(d) {
		h, m, sec := local.Clock()
		t = t.Add(24*time.Hour - time.Duration(h*3600+m*60+sec)*time.Second)
	}
	return t
}
