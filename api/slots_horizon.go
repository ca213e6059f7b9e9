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
	loc               *time.Location // the practice's zone
	dayStart, nextDay time.Time
	minNotice         time.Duration
	slots             []booking.Slot // free at dayStart, sorted by start
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
	slots := startingIn(h.slots, q.From.In(0, loc), q.To.AddDays(1).In(0, loc))
	return &slotsAnswer{zone: zone, dayStart: h.dayStart, nextDay: h.nextDay, minNotice: h.minNotice, slots: slots}, nil
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
func (s *Server) computeHorizon(ctx context.Context, now time.Time) (*horizonSlots, error) {
	for range 3 {
		day, err := s.svc.DayOf(ctx, now)
		if err != nil {
			return nil, err
		}
		st := day.Settings
		loc, err := st.Location()
		if err != nil {
			return nil, err
		}
		// A day past the horizon's last: the engine stops at the horizon
		// itself, in the practice's zone.
		end := booking.StartOfDay(day.Date.AddDays(max(st.HorizonDays, 0)+2), loc)
		slots, used, err := s.svc.SlotsOfDay(ctx, day, day.Start, end)
		if err != nil {
			return nil, err
		}
		if used.TimeZone != st.TimeZone || used.HorizonDays > st.HorizonDays {
			continue // the settings changed in between: the day or the reach is another
		}
		return &horizonSlots{loc: loc, dayStart: day.Start, nextDay: day.Next, minNotice: used.MinNotice, slots: slots}, nil
	}
	return nil, booking.Errorf(booking.EUNAVAILABLE, "The service is briefly unavailable. Please try again.")
}
