package booking_test

import (
	"sync"
	"testing"
	"time"

	"consult/booking"
)

// referenceSlots computes what FreeSlots should return the slow, obvious
// way: every date near the window, every grid start, every rule checked
// against every busy interval, and window edges found by watching the clock
// minute by minute. It also returns every grid start in [from, to), free or
// not, for probing CheckSlot.
func referenceSlots(t testing.TB, c slotCase) ([]booking.Slot, []time.Time) {
	t.Helper()
	st := c.s.Settings
	loc, err := time.LoadLocation(st.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	today := booking.DateOf(c.now.In(loc))
	perDay := map[booking.Date]int{}
	for _, b := range c.busy {
		perDay[booking.DateOf(b.Start.In(loc))]++
	}
	want := []booking.Slot{}
	var candidates []time.Time
	last := booking.DateOf(c.to.In(loc)).AddDays(2)
	for d := booking.DateOf(c.from.In(loc)).AddDays(-2); !last.Before(d); d = d.AddDays(1) {
		var spans []booking.Interval
		for _, w := range windowsOn(c.s, d) {
			if !w.Valid() {
				continue
			}
			a, b := clockReaches(t, loc, d, w.Start), clockReaches(t, loc, d, w.End)
			if a.Before(b) {
				spans = append(spans, booking.Interval{Start: a, End: b})
			}
		}
		for _, sp := range sortedUnion(spans) {
			for s := sp.Start; !s.Add(st.SlotLength).After(sp.End); s = s.Add(st.SlotLength) {
				if s.Before(c.from) || !s.Before(c.to) {
					continue
				}
				candidates = append(candidates, s)
				e := s.Add(st.SlotLength)
				sd := booking.DateOf(s.In(loc))
				ok := !s.Before(c.now.Add(st.MinNotice)) &&
					!sd.Before(today) && !today.AddDays(st.HorizonDays).Before(sd) &&
					(!st.NotSameDay || today.Before(sd)) &&
					(st.DailyCap == 0 || perDay[sd] < st.DailyCap)
				for _, b := range c.busy {
					if s.Before(b.End.Add(st.Buffer)) && b.Start.Add(-st.Buffer).Before(e) {
						ok = false
					}
				}
				if ok {
					want = append(want, booking.Slot{Start: s.UTC(), End: e.UTC()})
				}
			}
		}
	}
	return want, candidates
}

// clockKey identifies one clockReaches question.
type clockKey struct {
	zone string
	d    booking.Date
	c    booking.Clock
}

// clockMemo remembers clockReaches answers, which are slow to find and
// asked for again and again.
var clockMemo sync.Map // clockKey -> time.Time

// clockReaches returns the first instant at which the clock in loc shows c
// on d, or any later wall-clock time. It watches the clock minute by minute
// from three hours before time.Date's answer, which no clock change in the
// test zones is large enough to be wrong by.
func clockReaches(t testing.TB, loc *time.Location, d booking.Date, c booking.Clock) time.Time {
	t.Helper()
	key := clockKey{loc.String(), d, c}
	if v, ok := clockMemo.Load(key); ok {
		return v.(time.Time)
	}
	want := dayIndex(d)*1440 + int64(c)
	wall := func(x time.Time) int64 {
		l := x.In(loc)
		return dayIndex(booking.DateOf(l))*1440 + int64(l.Hour()*60+l.Minute())
	}
	x := d.In(c, loc).Add(-3 * time.Hour)
	if wall(x) >= want {
		t.Fatalf("clockReaches(%v, %v, %v): the clock already shows %v three hours early", loc, d, c, x.In(loc))
	}
	for range 12 * 60 {
		if wall(x) >= want {
			clockMemo.Store(key, x.UTC())
			return x.UTC()
		}
		x = x.Add(time.Minute)
	}
	t.Fatalf("clockReaches(%v, %v, %v): the clock never gets there", loc, d, c)
	return time.Time{}
}

// clockChanges reports whether loc's offset from UTC may change during d,
// including at its very end; it errs on the side of yes.
func clockChanges(t testing.TB, loc *time.Location, d booking.Date) bool {
	t.Helper()
	a, b := clockReaches(t, loc, d, 0), clockReaches(t, loc, d.AddDays(1), 0)
	_, oa := a.In(loc).Zone()
	_, ob := b.In(loc).Zone()
	return b.Sub(a) != 24*time.Hour || oa != ob
}

// dayIndex counts days from 1970-01-01 to d.
func dayIndex(d booking.Date) int64 {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / 86400
}
