package booking_test

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"consult/booking"
)

// slotZones mixes whole-hour, half-hour and odd DST shifts, fixed offsets
// off the hour, and zones whose clocks change at midnight, each with the
// dates of its 2026 clock changes.
var slotZones = []struct {
	name    string
	changes []string
}{
	{"UTC", nil},
	{"Asia/Kolkata", nil},
	{"Asia/Kathmandu", nil},
	{"America/Los_Angeles", []string{"2026-03-08", "2026-11-01"}},
	{"Europe/Berlin", []string{"2026-03-29", "2026-10-25"}},
	{"Australia/Lord_Howe", []string{"2026-04-05", "2026-10-04"}},
	{"America/Havana", []string{"2026-03-08", "2026-11-01"}},
	{"America/Santiago", []string{"2026-04-05", "2026-09-06"}},
	{"Pacific/Chatham", []string{"2026-04-05", "2026-09-27"}},
}

// slotCase is one question for the slot engine.
type slotCase struct {
	s             booking.Schedule
	busy          []booking.Interval
	from, to, now time.Time
}

// randomRange returns mostly valid wall-clock ranges on a five-minute grid,
// often in the small hours where clocks change, and now and then an invalid one.
func randomRange(r *rand.Rand) booking.TimeRange {
	if r.IntN(20) == 0 {
		return booking.TimeRange{Start: booking.Clock(r.IntN(1600) - 60), End: booking.Clock(r.IntN(1600) - 60)}
	}
	start := r.IntN(288) * 5
	switch r.IntN(8) {
	case 0:
		start = 0
	case 1, 2, 3:
		start = r.IntN(60) * 5
	}
	return booking.TimeRange{Start: booking.Clock(start), End: booking.Clock(min(start+(r.IntN(48)+1)*5, 1440))}
}

// randomCase builds a schedule, window, now and busy set, usually around
// one of the zone's clock changes and with hours in the small hours of the
// days next to it, so that the changes are well exercised.
func randomCase(r *rand.Rand) slotCase {
	zone := slotZones[r.IntN(len(slotZones))]
	anchor := civilDate("2026-06-15").AddDays(r.IntN(200) - 100)
	if len(zone.changes) > 0 && r.IntN(4) != 0 {
		anchor = civilDate(zone.changes[r.IntN(len(zone.changes))])
	}
	base := time.Date(anchor.Year, anchor.Month, anchor.Day, 0, 0, 0, 0, time.UTC)
	minutes := func(n int) time.Duration { return time.Duration(n) * time.Minute }
	var c slotCase
	c.s.Settings = booking.Settings{
		TimeZone:    zone.name,
		SlotLength:  minutes([]int{10, 15, 20, 25, 30, 45, 60, 90}[r.IntN(8)]),
		Buffer:      minutes([]int{0, 0, 5, 10, 15, 30}[r.IntN(6)]),
		MinNotice:   minutes([]int{0, 30, 12 * 60, r.IntN(72 * 60)}[r.IntN(4)]),
		NotSameDay:  r.IntN(4) == 0,
		HorizonDays: r.IntN(40),
		DailyCap:    max(0, r.IntN(8)-2),
	}
	for range r.IntN(12) {
		day := time.Weekday(r.IntN(8)) // 7 is no weekday at all
		if r.IntN(2) == 0 {
			day = anchor.AddDays(r.IntN(3) - 1).Weekday()
		}
		c.s.Weekly = append(c.s.Weekly, booking.WeeklyWindow{Weekday: day, TimeRange: randomRange(r)})
	}
	for range r.IntN(4) {
		o := booking.Override{Date: anchor.AddDays(r.IntN(8) - 4), Closed: r.IntN(3) == 0}
		for range r.IntN(4) {
			o.Windows = append(o.Windows, randomRange(r))
		}
		c.s.Overrides = append(c.s.Overrides, o)
	}
	c.now = base.Add(minutes(r.IntN(6*24*60) - 5*24*60))
	if r.IntN(4) == 0 {
		c.now = c.now.Add(time.Duration(r.IntN(60)) * time.Second)
	}
	c.from = c.now.Add(minutes(r.IntN(5*24*60) - 2*24*60))
	c.to = c.from.Add(minutes(r.IntN(10 * 24 * 60)))
	span := int(c.to.Sub(c.from)/time.Minute) + 4*24*60
	for range r.IntN(40) {
		start := c.from.Add(minutes(r.IntN(span)/5*5 - 2*24*60))
		if r.IntN(5) == 0 { // near a local midnight, where days and buffers meet
			loc, _ := time.LoadLocation(zone.name)
			start = anchor.AddDays(r.IntN(9)-4).In(0, loc).Add(minutes(r.IntN(13)*5 - 30))
		}
		b := booking.Interval{Start: start, End: start.Add(minutes((r.IntN(18) + 1) * 5))}
		switch r.IntN(40) {
		case 0:
			b.End = b.Start // empty, but the buffer still reaches around it
		case 1:
			b.Start, b.End = b.End, b.Start
		}
		c.busy = append(c.busy, b)
	}
	return c
}

func TestFreeSlotsProperties(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	r := rand.New(rand.NewPCG(2026, 3))
	for i := range n {
		c := randomCase(r)
		got, err := booking.FreeSlots(c.s, c.busy, c.from, c.to, c.now)
		if err != nil {
			t.Fatalf("case %d: FreeSlots: %v", i, err)
		}
		checkSlots(t, c, got, r)
		if t.Failed() {
			t.Fatalf("case %d failed: %+v", i, c)
		}
	}
}

// checkSlots checks got against the rules one by one, against a plain
// reference implementation, and against CheckSlot.
func checkSlots(t *testing.T, c slotCase, got []booking.Slot, r *rand.Rand) {
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
	for i, s := range got {
		d := booking.DateOf(s.Start.In(loc))
		switch {
		case s.End.Sub(s.Start) != st.SlotLength || s.Start.Location() != time.UTC:
			t.Errorf("slot %v-%v: want %v long, in UTC", s.Start, s.End, st.SlotLength)
		case i > 0 && s.Start.Before(got[i-1].End):
			t.Errorf("slot %v starts before the previous one ends (%v)", s.Start, got[i-1].End)
		case s.Start.Before(c.from) || !s.Start.Before(c.to):
			t.Errorf("slot %v is outside [%v, %v)", s.Start, c.from, c.to)
		case s.Start.Before(c.now.Add(st.MinNotice)):
			t.Errorf("slot %v is within the minimum notice of %v", s.Start, c.now)
		case d.Before(today) || (st.NotSameDay && !today.Before(d)) || today.AddDays(st.HorizonDays).Before(d):
			t.Errorf("slot %v falls on %v, not allowed when today is %v", s.Start, d, today)
		case st.DailyCap > 0 && perDay[d] >= st.DailyCap:
			t.Errorf("slot %v falls on %v, which has %d bookings already", s.Start, d, perDay[d])
		case !inSomeWindow(t, loc, c.s, s, d):
			t.Errorf("slot %v (%v local) is in no window of %v", s.Start, s.Start.In(loc), d)
		}
		for _, b := range c.busy {
			if s.Start.Before(b.End.Add(st.Buffer)) && b.Start.Add(-st.Buffer).Before(s.End) {
				t.Errorf("slot %v-%v is within %v of busy %v-%v", s.Start, s.End, st.Buffer, b.Start, b.End)
			}
		}
	}

	want, candidates := referenceSlots(t, c)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FreeSlots differs from the reference (-want +got):\n%s", diff)
	}

	// CheckSlot must accept every listed start and nothing else: probe the
	// listed slots, grid starts that were turned down, and arbitrary minutes.
	listed := map[int64]bool{}
	for _, s := range got {
		listed[s.Start.UnixNano()] = true
	}
	probes := make([]time.Time, 0, len(got)+40)
	for _, s := range got {
		probes = append(probes, s.Start)
	}
	for range 20 {
		if len(candidates) > 0 {
			probes = append(probes, candidates[r.IntN(len(candidates))])
		}
		if span := c.to.Sub(c.from); span > 0 {
			probes = append(probes, c.from.Add(time.Duration(r.Int64N(int64(span))).Truncate(time.Minute)))
		}
	}
	// A refused start is "taken" exactly when the same schedule with no
	// bookings and no daily cap would offer it; any other refusal names a
	// rule the client can act on.
	open := c.s
	open.Settings.DailyCap = 0
	openSlots, err := booking.FreeSlots(open, nil, c.from, c.to, c.now)
	if err != nil {
		t.Fatal(err)
	}
	offered := map[int64]bool{}
	for _, s := range openSlots {
		offered[s.Start.UnixNano()] = true
	}
	// Every probe lies in [from, to), where FreeSlots has had its say.
	for _, p := range probes {
		err := booking.CheckSlot(c.s, c.busy, p, c.now)
		if listed[p.UnixNano()] != (err == nil) {
			t.Errorf("CheckSlot(%v) = %v, but FreeSlots lists it: %v", p, err, listed[p.UnixNano()])
			continue
		}
		if err == nil {
			continue
		}
		var e *booking.Error
		if !errors.As(err, &e) || e.Kind == "" {
			t.Errorf("CheckSlot(%v) = %v, want a refusal naming its kind", p, err)
			continue
		}
		if taken := e.Kind == booking.RefusedTaken; taken != offered[p.UnixNano()] || taken != (e.Code == booking.ECONFLICT) {
			t.Errorf("CheckSlot(%v) = %s (%s), but the open schedule offers it: %v", p, e.Kind, e.Code, offered[p.UnixNano()])
		}
	}
}

// inSomeWindow reports whether s starts within a window of date d and lies
// within the union of that date's windows (a slot may straddle two windows
// that overlap). On a day whose UTC offset never changes the start is judged
// by its plain wall-clock reading; on a day with a clock change, by where the
// window's edges fall.
func inSomeWindow(t testing.TB, loc *time.Location, sc booking.Schedule, s booking.Slot, d booking.Date) bool {
	t.Helper()
	steady := !clockChanges(t, loc, d)
	local := s.Start.In(loc)
	minute := local.Hour()*60 + local.Minute()
	var spans []booking.Interval
	startsIn := false
	for _, w := range windowsOn(sc, d) {
		if !w.Valid() {
			continue
		}
		iv := booking.Interval{Start: clockReaches(t, loc, d, w.Start), End: clockReaches(t, loc, d, w.End)}
		spans = append(spans, iv)
		if steady {
			startsIn = startsIn || (booking.DateOf(local) == d && minute >= int(w.Start) && minute < int(w.End))
		} else {
			startsIn = startsIn || (!s.Start.Before(iv.Start) && s.Start.Before(iv.End))
		}
	}
	for _, sp := range sortedUnion(spans) {
		if startsIn && !s.Start.Before(sp.Start) && !sp.End.Before(s.End) {
			return true
		}
	}
	return false
}

// windowsOn returns the wall-clock windows of d: the last override for d,
// or else the weekly windows of its weekday.
func windowsOn(sc booking.Schedule, d booking.Date) []booking.TimeRange {
	for i := len(sc.Overrides) - 1; i >= 0; i-- {
		if o := sc.Overrides[i]; o.Date == d {
			if o.Closed {
				return nil
			}
			return o.Windows
		}
	}
	var out []booking.TimeRange
	for _, w := range sc.Weekly {
		if w.Weekday == d.Weekday() {
			out = append(out, w.TimeRange)
		}
	}
	return out
}

// sortedUnion merges overlapping or touching intervals.
func sortedUnion(ivs []booking.Interval) []booking.Interval {
	slices.SortFunc(ivs, func(a, b booking.Interval) int { return a.Start.Compare(b.Start) })
	var out []booking.Interval
	for _, iv := range ivs {
		if n := len(out); n > 0 && !iv.Start.After(out[n-1].End) {
			out[n-1].End = maxTime(out[n-1].End, iv.End)
			continue
		}
		out = append(out, iv)
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// TestMergedBlockedTimeBlocksTheSame puts random busy sets of the
// property cases into the schedule as calendar busy time, and expects
// the slots to be the same with the intervals as read and merged.
func TestMergedBlockedTimeBlocksTheSame(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 12))
	merged := 0
	for i := range 1000 {
		c := randomCase(r)
		var blocked []booking.Interval
		for _, b := range c.busy {
			if b.Start.Before(b.End) { // as the store reads them: never empty
				blocked = append(blocked, b)
			}
		}
		slices.SortFunc(blocked, func(a, b booking.Interval) int { return a.Start.Compare(b.Start) })
		c.s.Blocked = blocked
		want, err := booking.FreeSlots(c.s, nil, c.from, c.to, c.now)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		c.s.Blocked = booking.MergeOverlapping(slices.Clone(blocked))
		merged += len(blocked) - len(c.s.Blocked)
		got, err := booking.FreeSlots(c.s, nil, c.from, c.to, c.now)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("case %d: merged blocked time gives %d slots, as read %d: %+v", i, len(got), len(want), c)
		}
	}
	if merged == 0 {
		t.Fatal("no case had overlapping intervals to merge")
	}
}
