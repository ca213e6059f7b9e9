package api

import (
	"context"
	"sort"
	"time"

	"consult/booking"
)

// openSlots is the open-slots feed's content at one moment and the span
// (since, until] over which, unless the data changes, it stays exactly
// the same.
type openSlots struct {
	slots        []booking.Slot
	settings     booking.Settings
	since, until time.Time
}

// openSlotsMemo is what a process remembers of the last open-slots
// feed it built: for If-Modified-Since, and to send again unchanged.
type openSlotsMemo struct {
	version      string
	since, until time.Time
	stamp        time.Time // the content's last change: DTSTAMP and Last-Modified
	tag          string    // "" for a feed built while its data kept changing
	body         []byte
}

// covers reports whether the remembered content is the content at now
// (given the same data version).
func (m *openSlotsMemo) covers(now time.Time) bool {
	return now.After(m.since) && !now.After(m.until)
}

// openSlots returns the slots open at now, from today (practice-local) to
// the end of the booking horizon, and the span they stay the same.
//
// With the data fixed, what is open changes with time in two ways only:
// at local midnight (the horizon and same-day rules go by date), and each
// time a slot's start comes within the minimum notice. Every other rule
// depends on the date alone. So the slots are computed for the whole day
// with the clock at its first instant, and those starting at least the
// minimum notice after now are kept: the same result as computing at now
// (TestOpenSlotsFollowTheClock checks it), but the cut also tells when
// the content last changed (the latest slot that fell within the notice,
// or midnight) and when it will next (the first kept slot's turn, or the
// next midnight). The entity tag carries the latter, so a revalidation
// needs no slot computation at all.
func (s *Server) openSlots(ctx context.Context, now time.Time) (openSlots, error) {
	st, err := s.svc.Settings(ctx)
	if err != nil {
		return openSlots{}, err
	}
	loc, err := st.Location()
	if err != nil {
		return openSlots{}, err
	}
	today := booking.DateOf(now.In(loc))
	dayStart, nextDay := startOfDay(today, loc), startOfDay(today.AddDays(1), loc)
	atDayStart := booking.NewService(s.svc.Store, func() time.Time { return dayStart })
	all, st, err := atDayStart.Slots(ctx, dayStart, startOfDay(today.AddDays(st.HorizonDays+1), loc))
	if err != nil {
		return openSlots{}, err
	}

	o := openSlots{settings: st, since: dayStart, until: nextDay.Add(-time.Nanosecond)}
	lower := now.Add(st.MinNotice)
	i := sort.Search(len(all), func(i int) bool { return !all[i].Start.Before(lower) })
	if i > 0 {
		// The slot before the cut was bookable until exactly this moment.
		if t := all[i-1].Start.Add(-st.MinNotice); t.After(o.since) {
			o.since = t
		}
	}
	if i < len(all) {
		// The first kept slot stays bookable up to and including this moment.
		if t := all[i].Start.Add(-st.MinNotice); t.Before(o.until) {
			o.until = t
		}
	}
	o.slots = all[i:]
	return o, nil
}

// startOfDay returns the first instant of date d in loc. Where a DST
// change skips midnight (as in Santiago or Havana), time.Date answers
// with an instant of the day before; the day then begins when the clock
// jumps, as the slot engine has it.
func startOfDay(d booking.Date, loc *time.Location) time.Time {
	t := d.In(0, loc)
	if local := t.In(loc); booking.DateOf(local).Before(d) {
		h, m, sec := local.Clock()
		t = t.Add(24*time.Hour - time.Duration(h*3600+m*60+sec)*time.Second)
	}
	return t
}
