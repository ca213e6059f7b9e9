package api

import (
	"context"
	"reflect"
	"slices"
	"time"

	"consult/booking"
)

// After a booking or a cancellation made through this process, the
// horizon's slots are patched rather than computed again: only the days
// around the times that changed are read and computed, and the other
// days' slots are kept. make bench's mixed load books or cancels every
// twentieth request, and computing the whole horizon after each (its
// busy times read, ninety days of slots laid out) was the most costly
// query and a third of the service's allocation.
//
// A slot is bound to the practice-local date its start falls on, and a
// booking changes only the slots of the dates within the buffer and a
// slot's length of it, and the daily cap of its own date; computing a
// run of whole dates gives what the whole horizon's computation gives
// for them (see horizonSlots). A day on either side is computed too.

// changeLog tells the times of the bookings changed between two data
// versions, when this process made every one of those changes
// (storage.Store.ChangedBetween); ok is false otherwise.
type changeLog interface {
	ChangedBetween(from, to string) (times []booking.Interval, ok bool)
}

// maxPatchedChanges bounds the changes patched in: past it, computing
// the whole horizon costs no more.
const maxPatchedChanges = 8

// patchHorizon returns base, the slots of data version from, patched to
// those of version to at now, and the runs of dates patched; nil when
// they cannot be patched (the change is not known, the day or the
// settings are another), for the caller to compute them afresh.
func (s *Server) patchHorizon(ctx context.Context, base *horizonSlots, from, to string, now time.Time) (h *horizonSlots, patched []booking.Interval, err error) {
	if s.changeLog == nil || base == nil || !base.covers(now) {
		return nil, nil, nil
	}
	times, ok := s.changeLog.ChangedBetween(from, to)
	if !ok || len(times) > maxPatchedChanges {
		return nil, nil, nil
	}
	out := make([]booking.Slot, 0, len(base.slots)+8)
	rest := base.slots
	patched = base.datesAround(times)
	for _, span := range patched {
		i := slotStartingFrom(rest, span.Start)
		out = append(out, rest[:i]...)
		rest = rest[i:]
		rest = rest[slotStartingFrom(rest, span.End):]
		slots, used, err := s.svc.SlotsOfDay(ctx, base.day, span.Start, span.End)
		if err != nil {
			return nil, nil, err
		}
		if !reflect.DeepEqual(used, base.settings) {
			return nil, nil, nil // the schedule changed since: compute it all
		}
		out = append(out, slots...)
	}
	next := *base
	next.slots = append(out, rest...)
	return &next, patched, nil
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
