package feeds

import (
	"context"
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
	gz           []byte // body gzipped, compressed once with the build
}

// covers reports whether the remembered content is the content at now
// (given the same data version).
func (m *openSlotsMemo) covers(now time.Time) bool {
	return now.After(m.since) && !now.After(m.until)
}

// openSlots returns the slots open at now, from today (practice-local) to
// the end of the booking horizon, and the span they stay the same: from
// the latest slot that fell within the minimum notice (or midnight) to
// the first kept slot's turn (or the next midnight); see
// booking.SlotsOfDay. The entity tag carries the latter, so a
// revalidation needs no slot computation at all.
func (h *Handler) openSlots(ctx context.Context, now time.Time) (openSlots, error) {
	day, err := h.svc.DayOf(ctx, now)
	if err != nil {
		return openSlots{}, err
	}
	loc, err := day.Settings.Location()
	if err != nil {
		return openSlots{}, err
	}
	horizon := booking.StartOfDay(day.Date.AddDays(day.Settings.HorizonDays+1), loc)
	all, st, err := h.svc.SlotsOfDay(ctx, day, day.Start, horizon)
	if err != nil {
		return openSlots{}, err
	}

	o := openSlots{settings: st, since: day.Start, until: day.Next.Add(-time.Nanosecond)}
	i := booking.NoticeCut(all, now, st.MinNotice)
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
