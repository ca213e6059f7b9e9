package api

import (
	"context"
	"slices"
	"time"

	"consult/booking"
)

// After a booking or a cancellation made through this process, the
// horizon's slots are patched rather than computed again: the busy times
// they were computed from are changed as the bookings were, only the
// days around the times that changed are computed again, and the other
// days' slots are kept. make bench's mixed load books or cancels every
// twentieth request, and computing the whole horizon after each (its
// busy times read, ninety days of slots laid out) was the most costly
// query and a third of the service's allocation; reading the few days
// around the change was a round trip per write still.
//
// A slot is bound to the practice-local date its start falls on, and a
// booking changes only the slots of the dates within the buffer and a
// slot's length of it, and the daily cap of its own date; computing a
// run of whole dates gives what the whole horizon's computation gives
// for them (see horizonSlots). A day on either side is computed too.

// changeLog tells how the bookings' times changed between two data
// versions, when this process made every one of those changes
// (storage.Store.ChangedSince), in no particular order; ok is false
// otherwise.
type changeLog interface {
	// ChangedSince tells the changes to make to data of version from to
	// bring it up to version to, and the version it is then of.
	ChangedSince(from, to string) (changes []booking.BusyChange, at string, ok bool)
	// ScheduleBusyAndVersion reads what the slots are computed from (as
	// booking.Service.SlotInputs) and the data version it is of, in one
	// snapshot, so that the changes after that version are the ones to
	// patch in.
	ScheduleBusyAndVersion(ctx context.Context, from, to booking.Date, busyFrom, busyTo time.Time) (booking.Schedule, []booking.Interval, string, error)
}

// maxPatchedChanges bounds the changes patched in: past it, computing
// the whole horizon costs no more.
const maxPatchedChanges = 8

// patchHorizon returns base patched to the slots of data version to at
// now, and the runs of dates patched; nil when they cannot be patched
// (base's data version is not known, a change is not, the day is
// another), for the caller to compute them afresh. The schedule is the
// same in both versions: ChangedSince knows only changes to bookings. A
// version to read before base's data in some counts is no obstacle: the
// patched copy is then of the later counts (its dataVersion).
func (s *Server) patchHorizon(base *horizonSlots, to string, now time.Time) (h *horizonSlots, patched []booking.Interval, err error) {
	if s.changeLog == nil || base == nil || base.dataVersion == "" || !base.covers(now) {
		return nil, nil, nil
	}
	changes, at, ok := s.changeLog.ChangedSince(base.dataVersion, to)
	if !ok || len(changes) > maxPatchedChanges {
		return nil, nil, nil
	}
	if len(changes) == 0 {
		// to is no later than base's data: nothing to compute again.
		next := *base
		next.dataVersion = at
		return &next, []booking.Interval{}, nil
	}
	busy, ok := base.busyAfter(changes)
	if !ok {
		return nil, nil, nil
	}
	times := make([]booking.Interval, len(changes))
	for i, c := range changes {
		times[i] = c.Interval
	}
	out := make([]booking.Slot, 0, len(base.slots)+8)
	rest := base.slots
	patched = base.datesAround(times)
	for _, span := range patched {
		i := slotStartingFrom(rest, span.Start)
		out = append(out, rest[:i]...)
		rest = rest[i:]
		rest = rest[slotStartingFrom(rest, span.End):]
		// As SlotsOfDay computes them, with the clock at the day's start.
		slots, err := booking.FreeSlots(base.sched, busy, span.Start, span.End, base.dayStart)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, slots...)
	}
	next := *base
	next.slots = append(out, rest...)
	next.busy, next.dataVersion = busy, at
	return &next, patched, nil
}

// busyAfter returns the horizon's busy times with changes made, a new
// slice; ok is false when they do not fit them (a time given back that is
// not busy, or taken that is), for the caller to read them afresh. The
// changes come in no order, so each time's are summed: taken and given
// back again is no change.
func (h *horizonSlots) busyAfter(changes []booking.BusyChange) (busy []booking.Interval, ok bool) {
	type key struct{ start, end int64 }
	net := make(map[key]int, len(changes))
	var order []booking.Interval // the times changed, each once
	for _, c := range changes {
		if !c.Start.Before(h.span.BusyTo) || !h.span.BusyFrom.Before(c.End) {
			continue // beyond the times the slots are computed from
		}
		k := key{c.Start.UnixNano(), c.End.UnixNano()}
		if _, seen := net[k]; !seen {
			order = append(order, c.Interval)
		}
		if c.Taken {
			net[k]++
		} else {
			net[k]--
		}
	}
	busy = slices.Clone(h.busy)
	for _, iv := range order {
		i := slices.IndexFunc(busy, func(b booking.Interval) bool { return b.Start.Equal(iv.Start) && b.End.Equal(iv.End) })
		switch n := net[key{iv.Start.UnixNano(), iv.End.UnixNano()}]; {
		case n == 0:
		case n == 1 && i < 0:
			at, _ := slices.BinarySearchFunc(busy, iv.Start, func(b booking.Interval, t time.Time) int { return b.Start.Compare(t) })
			busy = slices.Insert(busy, at, booking.Interval{Start: iv.Start.UTC(), End: iv.End.UTC()})
		case n == -1 && i >= 0:
			busy = slices.Delete(busy, i, i+1)
		default:
			return nil, false
		}
	}
	return busy, true
}

// meets reports whether the answer's slots may start within one of spans
// (sorted by start); an answer of unknown instants meets them all.
func (a *slotsAnswer) meets(spans []booking.Interval) bool {
	if !a.from.Before(a.to) {
		return true
	}
	for _, sp := range spans {
		if sp.Start.Before(a.to) && a.from.Before(sp.End) {
			return true
		}
	}
	return false
}

// slotStartingFrom returns the index of the first of slots (sorted by
// start) starting at t or later.
func slotStartingFrom(slots []booking.Slot, t time.Time) int {
	i, _ := slices.BinarySearchFunc(slots, t, func(sl booking.Slot, t time.Time) int {
		if sl.Start.Before(t) {
			return -1
		}
		return 1
	})
	return i
}

// datesAround returns the runs of whole practice-local dates whose slots
// the bookings at times can change, as instants within the horizon's,
// sorted and apart.
func (h *horizonSlots) datesAround(times []booking.Interval) []booking.Interval {
	st := h.settings
	reach := max(st.Buffer, 0) + st.SlotLength
	var spans []booking.Interval
	for _, iv := range times {
		first := booking.DateOf(iv.Start.Add(-reach).In(h.loc)).AddDays(-1)
		last := booking.DateOf(iv.End.Add(reach).In(h.loc)).AddDays(1)
		span := booking.Interval{Start: booking.StartOfDay(first, h.loc), End: booking.StartOfDay(last.AddDays(1), h.loc)}
		if span.Start.Before(h.dayStart) {
			span.Start = h.dayStart
		}
		if span.End.After(h.end) {
			span.End = h.end
		}
		if span.Start.Before(span.End) {
			spans = append(spans, span)
		}
	}
	slices.SortFunc(spans, func(a, b booking.Interval) int { return a.Start.Compare(b.Start) })
	return booking.MergeOverlapping(spans)
}

// seenFree returns ctx saying that start is free (booking.SeenFree) when
// the horizon's slots of the version last read, which it does not read
// again, offer start at now; else ctx as it is.
func (s *Server) seenFree(ctx context.Context, start, now time.Time) context.Context {
	if s.versions == nil {
		return ctx
	}
	v, ok := s.versions.Recent()
	if !ok {
		return ctx
	}
	c := &s.slotsCache
	c.mu.Lock()
	h := c.horizon
	if c.version != v.Value {
		h = nil
	}
	c.mu.Unlock()
	if h == nil || !h.covers(now) {
		return ctx
	}
	free := h.slots[booking.NoticeCut(h.slots, now, h.settings.MinNotice):]
	if i := slotStartingFrom(free, start); i < len(free) && free[i].Start.Equal(start) {
		return booking.SeenFree(ctx, start, h.settings)
	}
	return ctx
}
