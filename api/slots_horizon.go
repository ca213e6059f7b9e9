package api

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"consult/booking"
)

// The slots of a version are computed once, over the whole bookable
// horizon, and every query is answered by cutting its instants from
// them. make bench's mixed load moves the version with every booking and
// cancellation, and computing per query (the slots API's two weeks and
// the booking form's whole horizon in the visitor's zone) read the
// schedule and bookings and ran the slot engine twice per version.
//
// Cutting gives what computing the query's range would: the engine lays
// slots out per practice-local date whatever the range asked, counts a
// date's bookings against its cap over the whole date, and keeps a slot
// when its start is in the range.

// horizonSlots is every free slot of the bookable horizon of one data
// version, as free through one practice-local day.
type horizonSlots struct {
	settings          booking.Settings // those the slots were computed with
	loc               *time.Location   // the practice's zone
	day               booking.Day      // the day the slots are free through
	dayStart, nextDay time.Time
	end               time.Time      // the end of the instants computed
	slots             []booking.Slot // free at dayStart, sorted by start
	// What the slots were computed from (booking.Service.SlotInputs), for
	// patching: the schedule, and the busy times of span, sorted by start,
	// as of dataVersion (empty: not known, not patched). Read only, as the
	// slots.
	sched       booking.Schedule
	busy        []booking.Interval
	span        booking.Span
	dataVersion string
}

// covers reports whether the slots hold at now.
func (h *horizonSlots) covers(now time.Time) bool {
	return !now.Before(h.dayStart) && now.Before(h.nextDay)
}

// answer cuts q's answer from the horizon's slots; the answer's slots
// are shared with the horizon's: read only.
func (h *horizonSlots) answer(q slotQuery) (*slotsAnswer, error) {
	loc := q.Loc
	if loc == nil {
		loc = h.loc
	}
	zone, err := json.Marshal(loc.String())
	if err != nil {
		return nil, err
	}
	from, to := q.From.In(0, loc), q.To.AddDays(1).In(0, loc)
	slots := startingIn(h.slots, from, to)
	return &slotsAnswer{zone: zone, from: from, to: to, dayStart: h.dayStart, nextDay: h.nextDay, minNotice: h.settings.MinNotice, slots: slots}, nil
}

// startingIn returns the run of slots (sorted by start) that start in
// [from, to), capped so that an append cannot write into slots.
func startingIn(slots []booking.Slot, from, to time.Time) []booking.Slot {
	i := sort.Search(len(slots), func(i int) bool { return !slots[i].Start.Before(from) })
	j := i + sort.Search(len(slots)-i, func(k int) bool { return !slots[i+k].Start.Before(to) })
	return slots[i:j:j]
}

// computeHorizon computes the horizon's slots for the practice-local day
// of now, with the clock at the day's first instant.
//
// The day and the reach are found with the settings of the last
// computation, and checked against those the slots are computed with,
// which are read with the schedule: reading the settings first was one
// more query per version.
func (s *Server) computeHorizon(ctx context.Context, now time.Time) (*horizonSlots, error) {
	st, known := s.slotsCache.lastSettings()
	for range 3 {
		if !known {
			var err error
			if st, err = s.svc.Settings(ctx); err != nil {
				return nil, err
			}
		}
		day, err := booking.DayAt(st, now)
		if err != nil {
			return nil, err
		}
		loc, err := st.Location()
		if err != nil {
			return nil, err
		}
		// A day past the horizon's last: the engine stops at the horizon
		// itself, in the practice's zone.
		end := booking.StartOfDay(day.Date.AddDays(max(st.HorizonDays, 0)+2), loc)
		// As SlotsOfDay computes them, keeping what they are computed from.
		sched, busy, version, err := s.slotInputs(ctx, day.Start, end)
		if err != nil {
			return nil, err
		}
		used := sched.Settings
		if used.TimeZone != st.TimeZone || used.HorizonDays > st.HorizonDays {
			// The settings changed since: the day or the reach is another.
			st, known = used, true
			continue
		}
		slots, err := booking.FreeSlots(sched, busy, day.Start, end, day.Start)
		if err != nil {
			return nil, err
		}
		return &horizonSlots{settings: used, loc: loc, day: day, dayStart: day.Start, nextDay: day.Next, end: end, slots: slots,
			sched: sched, busy: busy, span: booking.SpanFor(day.Start, end), dataVersion: version}, nil
	}
	return nil, booking.Errorf(booking.EUNAVAILABLE, "The service is briefly unavailable. Please try again.")
}

// slotInputs reads what the slots of [from, to) are computed from, and,
// when the store tells changes apart, the data version they are of.
func (s *Server) slotInputs(ctx context.Context, from, to time.Time) (booking.Schedule, []booking.Interval, string, error) {
	if s.changeLog == nil {
		sched, busy, err := s.svc.SlotInputs(ctx, from, to)
		return sched, busy, "", err
	}
	span := booking.SpanFor(from, to)
	return s.changeLog.ScheduleBusyAndVersion(ctx, span.FirstDay, span.LastDay, span.BusyFrom, span.BusyTo)
}

// lastSettings returns the settings the latest horizon's slots were
// computed with; ok is false before the first.
func (c *slotsCache) lastSettings() (st booking.Settings, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.horizon == nil {
		return booking.Settings{}, false
	}
	return c.horizon.settings, true
}

// slotSettings returns the settings the free slots of the data's
// current version are computed with, for pages that show those slots.
func (s *Server) slotSettings(ctx context.Context, now time.Time) (booking.Settings, error) {
	v, _, err := s.versions.Get(ctx, now, true)
	if err != nil {
		return booking.Settings{}, err
	}
	h, err := s.horizonOf(ctx, v.Value, now)
	if err != nil {
		return booking.Settings{}, err
	}
	return h.settings, nil
}
