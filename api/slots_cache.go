package api

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"consult/api/httpx"
	"consult/booking"
)

// The slots API's copies. make bench measured a slots request at 7
// queries and ~800 µs of CPU, an eighth of a one-query handler's
// throughput; most of it went to reading the same schedule and bookings
// and computing the same slots for every client looking at the same
// weeks. An answer is now kept per query and data version
// (AvailabilityFeedVersion, a one-row read of the change stamps the
// database's triggers keep on every change to hours, rules and bookings).
// The version itself is read at most every httpx.VersionTTL, and at once after
// any change made through this process (see caches): a booking or an
// admin edit made here is in the very next answer, one made on another
// instance within a second. Reading it on every request was measured at
// half the one-query handler's throughput, just at the target.
//
// Time moves the answer in only two ways, as for the open-slots feed (see
// openSlots in api/feeds): at local midnight, and as each slot comes
// within the minimum notice. So the slots are computed once per practice-local day,
// with the clock at the day's first instant, and each request keeps those
// starting at least the minimum notice after its own now, the same result
// as computing at now.

// maxSlotAnswers bounds the copies kept for one version (about 30 KB each
// for two weeks once encoded); when full, they are dropped and cut again
// from the horizon's slots.
const maxSlotAnswers = 128

// slotsCache holds the slots of one data version: those of the whole
// horizon, and the answers cut from them. The zero value is empty.
type slotsCache struct {
	mu      sync.Mutex
	version string
	horizon *horizonSlots
	answers map[slotsKey]*slotsAnswer // cut from horizon
	builds  singleflight.Group
}

// slotsKey is a query: its days and the zone they are in ("" for the
// practice's).
type slotsKey struct {
	from, to booking.Date
	zone     string
}

// slotsAnswer is one query's slots for one practice-local day.
type slotsAnswer struct {
	zone              []byte    // the zone's name as a JSON string
	from, to          time.Time // the instants the slots may start in
	dayStart, nextDay time.Time
	minNotice         time.Duration
	slots             []booking.Slot // free at dayStart
	keep              bool           // kept for other requests: worth compressing once
	enc               atomic.Pointer[slotsBody]
}

// slotsBody is the answer's JSON from one cut on, and gzipped.
type slotsBody struct {
	cut       int
	plain, gz []byte
}

// covers reports whether the answer holds at now.
func (a *slotsAnswer) covers(now time.Time) bool {
	return !now.Before(a.dayStart) && now.Before(a.nextDay)
}

// body returns the JSON answer at now, and gzipped (nil when not kept or small).
func (a *slotsAnswer) body(now time.Time) (plain, gz []byte) {
	cut := booking.NoticeCut(a.slots, now, a.minNotice)
	if b := a.enc.Load(); b != nil && b.cut == cut {
		return b.plain, b.gz
	}
	b := &slotsBody{cut: cut, plain: a.encode(a.slots[cut:])}
	if a.keep {
		b.gz = httpx.Gzipped(b.plain)
	}
	a.enc.Store(b)
	return b.plain, b.gz
}

// encode writes the answer as encoding/json would write
// {"timezone": …, "slots": [{"start", "end"}…]}, times in UTC, without
// reflection.
func (a *slotsAnswer) encode(slots []booking.Slot) []byte {
	b := make([]byte, 0, 32+len(a.zone)+len(slots)*72)
	b = append(b, `{"timezone":`...)
	b = append(b, a.zone...)
	b = append(b, `,"slots":[`...)
	for i, sl := range slots {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"start":"`...)
		b = sl.Start.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, `","end":"`...)
		b = sl.End.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, `"}`...)
	}
	return append(b, "]}\n"...)
}

// computeSlots computes q's answer for the practice-local day of now.
func (s *Server) computeSlots(ctx context.Context, q slotQuery, now time.Time) (*slotsAnswer, error) {
	for range 3 {
		day, err := s.svc.DayOf(ctx, now)
		if err != nil {
			return nil, err
		}
		st := day.Settings
		loc := q.Loc
		if loc == nil {
			if loc, err = st.Location(); err != nil {
				return nil, err
			}
		}
		slots, used, err := s.svc.SlotsOfDay(ctx, day, q.From.In(0, loc), q.To.AddDays(1).In(0, loc))
		if err != nil {
			return nil, err
		}
		if used.TimeZone != st.TimeZone {
			continue // the practice moved zone in between: the day is another
		}
		zone, err := json.Marshal(loc.String())
		if err != nil {
			return nil, err
		}
		return &slotsAnswer{zone: zone, from: q.From.In(0, loc), to: q.To.AddDays(1).In(0, loc),
			dayStart: day.Start, nextDay: day.Next, minNotice: used.MinNotice, slots: slots}, nil
	}
	return nil, booking.Errorf(booking.EUNAVAILABLE, "The service is briefly unavailable. Please try again.")
}

// cachedSlots returns q's answer for the data's current version, cut
// from the horizon's slots of the version and day.
func (s *Server) cachedSlots(ctx context.Context, q slotQuery, now time.Time) (*slotsAnswer, error) {
	v, _, err := s.versions.Get(ctx, now, true)
	if err != nil {
		return nil, err
	}
	h, err := s.horizonOf(ctx, v.Value, now)
	if err != nil {
		return nil, err
	}
	key := slotsKey{from: q.From, to: q.To}
	if q.Loc != nil {
		key.zone = q.Loc.String()
	}
	c := &s.slotsCache
	c.mu.Lock()
	a := c.answers[key]
	if c.horizon != h {
		a = nil
	}
	c.mu.Unlock()
	if a != nil {
		return a, nil
	}
	if a, err = h.answer(q); err != nil {
		return nil, err
	}
	a.keep = true
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.horizon == h && len(c.answers) < maxSlotAnswers {
		c.answers[key] = a
	}
	return a, nil
}

// horizonOf returns the horizon's slots of version at now: the copy
// when there is one for this day, else computed once for all the
// requests that ask for them at the same time.
func (s *Server) horizonOf(ctx context.Context, version string, now time.Time) (*horizonSlots, error) {
	c := &s.slotsCache
	c.mu.Lock()
	h := c.horizon
	if c.version != version {
		h = nil
	}
	c.mu.Unlock()
	if h != nil && h.covers(now) {
		return h, nil
	}
	got, err, _ := c.builds.Do(version, func() (any, error) {
		// Detached from the first caller's request, which the others do
		// not depend on.
		ctx := context.WithoutCancel(ctx)
		c.mu.Lock()
		base := c.horizon
		c.mu.Unlock()
		h, patched, err := s.patchHorizon(base, version, now)
		if h == nil && err == nil {
			h, err = s.computeHorizon(ctx, now)
		}
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		answers := map[slotsKey]*slotsAnswer{}
		if patched != nil && c.horizon == base {
			// The answers of days not patched stand, encoded and
			// compressed: most bookings fall outside the weeks asked.
			for k, a := range c.answers {
				if !a.meets(patched) {
					answers[k] = a
				}
			}
		}
		c.version, c.horizon, c.answers = version, h, answers
		return h, nil
	})
	if err != nil {
		return nil, err
	}
	if h := got.(*horizonSlots); h.covers(now) {
		return h, nil
	}
	// Computed for another day (a request arriving as the day turns).
	return s.computeHorizon(ctx, now)
}

// freeSlots returns the free slots at now of the days from to to
// (inclusive) in loc, from the slots API's copies: the booking pages
// show the same slots. The slice is shared: read only.
func (s *Server) freeSlots(ctx context.Context, from, to booking.Date, loc *time.Location, now time.Time) ([]booking.Slot, error) {
	a, err := s.cachedSlots(ctx, slotQuery{From: from, To: to, Loc: loc}, now)
	if err != nil {
		return nil, err
	}
	return a.slots[booking.NoticeCut(a.slots, now, a.minNotice):], nil
}
