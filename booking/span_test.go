package booking_test

import (
	"testing"
	"time"

	"consult/booking"
)

// TestSpanCoversWholeLocalDays checks that, in the zones furthest from
// UTC either way, the span around an interval holds every practice-local
// date the interval touches, and every instant of those days, so the
// daily cap counts all of a day's bookings.
func TestSpanCoversWholeLocalDays(t *testing.T) {
	for _, zone := range []string{"Pacific/Kiritimati", "Etc/GMT+12", "America/Los_Angeles", "UTC"} {
		loc, err := booking.LoadZone(zone)
		if err != nil {
			t.Fatal(err)
		}
		for _, start := range []time.Time{
			time.Date(2026, 3, 8, 0, 5, 0, 0, time.UTC),
			time.Date(2026, 3, 8, 23, 55, 0, 0, time.UTC),
			time.Date(2026, 11, 1, 9, 0, 0, 0, loc),
		} {
			end := start.Add(20 * time.Minute)
			span := booking.SpanFor(start, end)
			for _, at := range []time.Time{start, end} {
				day := booking.DateOf(at.In(loc))
				if day.Before(span.FirstDay) || span.LastDay.Before(day) {
					t.Errorf("%s, [%s, %s): local date %s outside [%s, %s]", zone, start, end, day, span.FirstDay, span.LastDay)
				}
				dayStart, dayEnd := day.In(0, loc), day.AddDays(1).In(0, loc)
				if dayStart.Before(span.BusyFrom) || span.BusyTo.Before(dayEnd) {
					t.Errorf("%s, [%s, %s): local day [%s, %s) outside busy span [%s, %s)", zone, start, end,
						dayStart, dayEnd, span.BusyFrom, span.BusyTo)
				}
			}
		}
	}
}
