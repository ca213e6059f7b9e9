package booking

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// FreeSlots returns the bookable slots that start within [from, to), sorted by start.
//
// Slots are laid out over instants, never over wall-clock arithmetic: each
// practice-local date's windows (its Override if it has one, else the weekly
// windows for its weekday) are turned into instants, merged when they overlap
// or touch, and stepped through by SlotLength from each merged window's start.
// A wall-clock time resolves to the first instant at which the practice's
// clock reads that time or later, so a window edge inside a skipped DST hour
// moves to the moment the clock jumps, and one inside a repeated hour takes
// its first occurrence.
//
// A slot is free when it keeps Buffer away from every busy interval, starts no
// earlier than now+MinNotice, falls on a date the horizon and NotSameDay allow,
// and its date has fewer than DailyCap busy intervals starting on it; so busy
// (which is not modified) should hold every confirmed booking on those dates.
// The schedule's Blocked time (the practitioner's own calendars) blocks
// slots as busy does but counts towards no cap; while CalendarsStale is
// set, no slot is free. Slots are in UTC; when none is free the result is
// empty, not nil.
func FreeSlots(s Schedule, busy []Interval, from, to, now time.Time) ([]Slot, error) {
	st := s.Settings
	if err := checkSlotSettings(st); err != nil {
		return nil, err
	}
	loc, err := st.Location()
	if err != nil {
		return nil, err
	}
	// Monotonic clock readings would make comparisons depend on how the
	// caller obtained its times; only the instants matter here.
	from, to, now = from.Round(0), to.Round(0), now.Round(0)

	slots := []Slot{}
	if s.CalendarsStale {
		return slots, nil
	}
	lower := now.Add(st.MinNotice)
	if from.After(lower) {
		lower = from
	}
	if !lower.Before(to) {
		return slots, nil
	}
	today := DateOf(now.In(loc))
	minDate := today
	if st.NotSameDay {
		minDate = today.AddDays(1)
	}
	// A spare date on either side costs little and guards the edges.
	first := DateOf(lower.In(loc)).AddDays(-1)
	if first.Before(minDate) {
		first = minDate
	}
	last := DateOf(to.In(loc)).AddDays(1)
	// Compare day counts before adding so a huge horizon cannot overflow.
	if int64(st.HorizonDays) < dayNumber(last)-dayNumber(today) {
		last = today.AddDays(st.HorizonDays)
	}
	if last.Before(first) {
		return slots, nil
	}

	slots = make([]Slot, 0, slotsEstimate(s.Weekly, st.SlotLength, first, last))
	dayStart := firstInstant(loc, first, 0)
	sw := newSlotSweep(busy, s.Blocked, st.Buffer, dayStart, firstInstant(loc, last, 24*60))
	defer sw.release()
	overrides := overridesBetween(s.Overrides, first, last)
	var spans []Interval
	length := st.SlotLength
	for d := first; !last.Before(d); d = d.AddDays(1) {
		dayEnd := firstInstant(loc, d, 24*60)
		if st.DailyCap > 0 && sw.startsIn(dayStart, dayEnd) >= st.DailyCap {
			dayStart = dayEnd
			continue
		}
		spans = dayWindows(spans[:0], loc, d, dayStart, dayEnd, s.Weekly, overrides)
		for _, w := range spans {
			if !lower.Before(w.End) {
				continue
			}
			t := w.Start
			if t.Before(lower) {
				// Skip whole steps so the grid stays anchored at the window start.
				n := (lower.Sub(t) + length - 1) / length
				t = t.Add(n * length)
			}
			for end := t.Add(length); !end.After(w.End); t, end = end, end.Add(length) {
				if !t.Before(to) {
					return slots, nil
				}
				if sw.free(t, end) {
					slots = append(slots, Slot{Start: t, End: end})
				}
			}
		}
		dayStart = dayEnd
	}
	return slots, nil
}

// slotsEstimate is about how many slots the weekly hours lay out on the
// dates from first to last: room for them at once, where growing the
// slice by appending allocated about twice what the whole horizon's slots
// hold, after every booking. Counted per weekday of the dates, so that
// the few days computed after a booking (see api's patchHorizon) make
// room for those days only.
func slotsEstimate(weekly []WeeklyWindow, length time.Duration, first, last Date) int {
	var perDay [7]int64
	for _, w := range weekly {
		if w.Valid() && w.Weekday >= time.Sunday && w.Weekday <= time.Saturday {
			perDay[w.Weekday] += int64(time.Duration(w.End-w.Start)*time.Minute/length) + 1
		}
	}
	days := dayNumber(last) - dayNumber(first) + 1
	if days <= 0 {
		return 0
	}
	weeks, rest := days/7, days%7
	var n int64
	for _, c := range perDay {
		n += c * weeks
	}
	for i, wd := int64(0), first.Weekday(); i < rest; i, wd = i+1, (wd+1)%7 {
		n += perDay[wd]
	}
	return int(min(n, maxSlotsEstimate))
}

// maxSlotsEstimate bounds the room made at once, whatever the hours say.
const maxSlotsEstimate = 1 << 14

// CheckSlot reports whether the exact slot starting at start is bookable under s, given busy and now.
// It returns nil when it is, or a *Error saying why not (see refusal): ECONFLICT of
// kind RefusedTaken when another booking holds it, EINVALID naming the rule otherwise. It agrees with FreeSlots exactly:
// a start is accepted iff FreeSlots over a window containing it would list it.
// Faulty settings are reported as such, not as conflicts.
func CheckSlot(s Schedule, busy []Interval, start, now time.Time) error {
	// Asking FreeSlots about a one-nanosecond window makes agreement hold by
	// construction instead of by keeping two implementations in step.
	slots, err := FreeSlots(s, busy, start, start.Add(time.Nanosecond), now)
	if err != nil {
		return err
	}
	if len(slots) == 1 && slots[0].Start.Equal(start) {
		return nil
	}
	return refusal(s, busy, start, now)
}

// Span is what FreeSlots and CheckSlot need loaded to decide on the slots
// of an interval: the practice-local dates to read the Schedule for and
// the instants to read the busy intervals between.
type Span struct {
	FirstDay, LastDay Date      // for Store.Schedule, both included
	BusyFrom, BusyTo  time.Time // for Store.Busy
}

// spanMarginDays is how far a Span reaches beyond its interval each way:
// enough for the daily cap and the buffer to see whole practice-local
// days, whatever the zone's offset from UTC.
const spanMarginDays = 2

// BusyChange is a booking's time changed: taken (a booking made) or
// given back (a booking cancelled).
type BusyChange struct {
	Interval
	Taken bool
}

// HoldsTime reports whether a booking of status s holds its time: is
// among the busy times the slots are computed from.
func (s Status) HoldsTime() bool {
	switch s {
	case StatusConfirmed, StatusHeld, StatusCompleted, StatusNoShow:
		return true
	}
	return false
}

// SpanFor returns the Span for deciding on the slots in [from, to).
func SpanFor(from, to time.Time) Span {
	margin := spanMarginDays * 24 * time.Hour
	return Span{
		FirstDay: DateOf(from.UTC()).AddDays(-spanMarginDays),
		LastDay:  DateOf(to.UTC()).AddDays(spanMarginDays),
		BusyFrom: from.Add(-margin),
		BusyTo:   to.Add(margin),
	}
}

// CheckDates returns the practice-local dates, first to last, whose
// bookings a check of a booking of [start, end) under st reads: those
// within Buffer of it, and those starting on its date, which count towards
// that date's DailyCap (FreeSlots reads nothing else of the busy
// intervals). The booking itself lies on those dates, so two bookings
// either of which could change the other's check always share a date: a
// lock per date, taken before each check, keeps them from being decided at
// the same time, while bookings of dates apart go ahead side by side.
func CheckDates(st Settings, start, end time.Time) (first, last Date, err error) {
	loc, err := st.Location()
	if err != nil {
		return Date{}, Date{}, err
	}
	// The buffered interval is [start-Buffer, end+Buffer): its last
	// instant is just before end+Buffer.
	first = DateOf(start.Add(-st.Buffer).In(loc))
	last = DateOf(end.Add(st.Buffer).Add(-time.Nanosecond).In(loc))
	if d := DateOf(start.In(loc)); last.Before(d) {
		last = d // an empty interval still counts on its date
	}
	return first, last, nil
}

// DayNumber counts the days from 1970-01-01 to d.
func DayNumber(d Date) int64 { return dayNumber(d) }

// checkSlotSettings rejects settings the engine cannot honour. These are
// configuration faults, not client mistakes, so they are plain errors that
// surface as internal errors rather than as validation messages.
func checkSlotSettings(st Settings) error {
	switch {
	case st.SlotLength < time.Minute:
		// A slot length stored in the wrong unit (20 instead of 20 minutes)
		// would otherwise ask for billions of slots per day.
		return fmt.Errorf("booking: slot length %v is shorter than a minute", st.SlotLength)
	case st.Buffer < 0:
		return fmt.Errorf("booking: buffer %v is negative", st.Buffer)
	case st.MinNotice < 0:
		return fmt.Errorf("booking: minimum notice %v is negative", st.MinNotice)
	case st.HorizonDays < 0:
		return fmt.Errorf("booking: horizon of %d days is negative", st.HorizonDays)
	case st.DailyCap < 0:
		return fmt.Errorf("booking: daily cap %d is negative", st.DailyCap)
	case st.TimeZone == "Local":
		// The machine's zone would make the slots depend on where the code runs.
		return errors.New(`booking: practice time zone "Local" is not an IANA zone`)
	}
	return nil
}

// dayNumber counts days since 1970-01-01; midnight UTC is a whole multiple
// of a day, so the division is exact.
func dayNumber(d Date) int64 {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / (24 * 60 * 60)
}

// firstInstant returns the first instant at which the clock in loc reads
// wall-clock time c on d, or a later time. time.Date leaves the choice in a
// skipped or repeated hour unspecified (in practice it differs between zones
// east and west of UTC, and can even land on the previous date), so the
// zone's transitions are walked instead.
func firstInstant(loc *time.Location, d Date, c Clock) time.Time {
	want := time.Date(d.Year, d.Month, d.Day, 0, int(c), 0, 0, time.UTC)
	// No zone is a day ahead of UTC, so 26 hours before want's UTC reading
	// the local clock still reads less than want.
	x := want.Add(-26 * time.Hour)
	for {
		lx := x.In(loc)
		_, off := lx.Zone()
		y := want.Add(-time.Duration(off) * time.Second)
		if !y.After(x) {
			return x // the clock jumped past want when this zone period began
		}
		_, end := lx.ZoneBounds()
		// Broken zone data whose periods fail to move forward ends the walk too.
		if end.IsZero() || y.Before(end) || !end.After(x) {
			return y
		}
		x = end.UTC()
	}
}

// dayWindows appends to buf the windows of date d as instants within
// [dayStart, dayEnd], sorted and merged so that overlapping or touching
// windows cannot yield duplicate or overlapping slots.
func dayWindows(buf []Interval, loc *time.Location, d Date, dayStart, dayEnd time.Time, weekly []WeeklyWindow, overrides map[Date]Override) []Interval {
	// Most days have one UTC offset throughout; then wall-clock minutes map
	// straight onto instants and the zone need not be consulted per window.
	_, zoneEnd := dayStart.In(loc).ZoneBounds()
	even := dayEnd.Sub(dayStart) == 24*time.Hour && (zoneEnd.IsZero() || !zoneEnd.Before(dayEnd))
	add := func(r TimeRange) {
		if !r.Valid() {
			return
		}
		var w Interval
		if even {
			w = Interval{dayStart.Add(time.Duration(r.Start) * time.Minute), dayStart.Add(time.Duration(r.End) * time.Minute)}
		} else {
			w = Interval{firstInstant(loc, d, r.Start), firstInstant(loc, d, r.End)}
		}
		// A window lying wholly inside a skipped hour resolves to nothing.
		if w.Start.Before(w.End) {
			buf = append(buf, w)
		}
	}
	if o, ok := overrides[d]; ok {
		if !o.Closed {
			for _, r := range o.Windows {
				add(r)
			}
		}
	} else {
		wd := d.Weekday()
		for _, w := range weekly {
			if w.Weekday == wd {
				add(w.TimeRange)
			}
		}
	}
	// A day holds a handful of windows, so insertion sort is plenty.
	for i := 1; i < len(buf); i++ {
		for j := i; j > 0 && buf[j].Start.Before(buf[j-1].Start); j-- {
			buf[j], buf[j-1] = buf[j-1], buf[j]
		}
	}
	return MergeOverlapping(buf)
}

// overridesBetween indexes the overrides dated within [first, last]. When a
// date has several, the last one listed wins, as a later edit would.
func overridesBetween(overrides []Override, first, last Date) map[Date]Override {
	var m map[Date]Override
	for _, o := range overrides {
		if o.Date.Before(first) || last.Before(o.Date) {
			continue
		}
		if m == nil {
			m = make(map[Date]Override)
		}
		m[o.Date] = o
	}
	return m
}

// slotSweep answers busy-time questions for slots and days visited in
// increasing order, in one pass over the busy intervals sorted by start,
// instead of comparing every slot with every booking.
type slotSweep struct {
	bufs    *sweepBuffers // where busy and counted are kept, until release
	busy    []Interval    // bookings and blocked time, sorted by Start
	counted []Interval    // bookings only, sorted by Start, for the daily cap
	buffer  time.Duration
	next    int       // busy[:next] begin, less the buffer, before the latest slot's end
	reach   time.Time // the latest End+buffer among busy[:next]
	reached bool      // whether reach is set
	lo, hi  int       // counted[lo:hi] start within the latest day asked about
}

// sweepBuffers are a sweep's copies of the intervals, reused: the slots
// of the whole horizon are computed again after every booking, and these
// copies were a sixth of make bench's mixed-load allocation.
type sweepBuffers struct{ keep, counted, merged []Interval }

var sweepPool = sync.Pool{New: func() any { return new(sweepBuffers) }}

// maxPooledIntervals bounds the copies kept for reuse (about 48 KB each).
const maxPooledIntervals = 1 << 10

// release gives the sweep's copies back for reuse; the sweep is not used
// afterwards.
func (sw *slotSweep) release() {
	b := sw.bufs
	if b == nil || cap(b.keep) > maxPooledIntervals || cap(b.merged) > maxPooledIntervals {
		return
	}
	*sw = slotSweep{}
	b.keep, b.counted, b.merged = b.keep[:0], b.counted[:0], b.merged[:0]
	sweepPool.Put(b)
}

// newSlotSweep keeps sorted copies of the busy intervals (bookings) and
// the blocked time that can block a slot within [from, to), and of the
// bookings that count towards the cap of a day within it.
func newSlotSweep(busy, blocked []Interval, buffer time.Duration, from, to time.Time) slotSweep {
	bufs := sweepPool.Get().(*sweepBuffers)
	keep, counted := bufs.keep[:0], bufs.counted[:0]
	add := func(b Interval, counts bool) {
		b = Interval{b.Start.Round(0), b.End.Round(0)}
		if b.Start.Add(-buffer).Before(to) && from.Before(b.End.Add(buffer)) {
			keep = append(keep, b)
		}
		if counts && !b.Start.Before(from) && b.Start.Before(to) {
			counted = append(counted, b)
		}
	}
	for _, b := range busy {
		add(b, true)
	}
	byStart := func(a, b Interval) int { return a.Start.Compare(b.Start) }
	if !slices.IsSortedFunc(keep, byStart) {
		slices.SortFunc(keep, byStart)
	}
	slices.SortFunc(counted, byStart)
	n := len(keep)
	for _, b := range blocked {
		add(b, false)
	}
	bufs.keep, bufs.counted = keep, counted
	// Both parts are usually sorted already (the store reads them so):
	// merging them costs a pass, not a sort.
	if !slices.IsSortedFunc(keep[n:], byStart) {
		slices.SortFunc(keep[n:], byStart)
	}
	if n > 0 && n < len(keep) {
		keep = mergeSorted(bufs.merged[:0], keep[:n], keep[n:])
		bufs.merged = keep
	}
	return slotSweep{bufs: bufs, busy: keep, counted: counted, buffer: buffer}
}

// mergeSorted appends to out the merge of two runs sorted by start.
func mergeSorted(out, a, b []Interval) []Interval {
	for len(a) > 0 && len(b) > 0 {
		if b[0].Start.Before(a[0].Start) {
			out, b = append(out, b[0]), b[1:]
		} else {
			out, a = append(out, a[0]), a[1:]
		}
	}
	return append(append(out, a...), b...)
}

// free reports whether [start, end) keeps the buffer away from every busy
// interval, that is, whether no busy b has start < b.End+buffer and
// b.Start-buffer < end. Calls must come in increasing order of end.
func (sw *slotSweep) free(start, end time.Time) bool {
	for sw.next < len(sw.busy) && sw.busy[sw.next].Start.Add(-sw.buffer).Before(end) {
		if e := sw.busy[sw.next].End.Add(sw.buffer); !sw.reached || e.After(sw.reach) {
			sw.reach, sw.reached = e, true
		}
		sw.next++
	}
	return !sw.reached || !sw.reach.After(start)
}

// startsIn counts the bookings starting within [from, to). Calls must
// come in increasing order of days.
func (sw *slotSweep) startsIn(from, to time.Time) int {
	for sw.lo < len(sw.counted) && sw.counted[sw.lo].Start.Before(from) {
		sw.lo++
	}
	sw.hi = max(sw.hi, sw.lo)
	for sw.hi < len(sw.counted) && sw.counted[sw.hi].Start.Before(to) {
		sw.hi++
	}
	return sw.hi - sw.lo
}
