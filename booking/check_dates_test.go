package booking_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"consult/booking"
)

// TestCheckDatesHoldEveryBookingThatMatters checks the promise the booking
// locks rely on: whenever one more booking B changes whether a start A is
// bookable, the dates of A's check and those of B's share a date.
func TestCheckDatesHoldEveryBookingThatMatters(t *testing.T) {
	n := 1500
	if testing.Short() {
		n = 150
	}
	r := rand.New(rand.NewPCG(2026, 12))
	changed := 0
	for i := range n {
		c := randomCase(r)
		st := c.s.Settings
		_, candidates := referenceSlots(t, c)
		if len(candidates) == 0 {
			continue
		}
		for range 20 {
			a := candidates[r.IntN(len(candidates))]
			var bStart time.Time
			switch r.IntN(3) {
			case 0: // another time a client could pick
				bStart = candidates[r.IntN(len(candidates))]
			default: // any time near it, midnights and buffers included
				bStart = a.Add(time.Duration(r.IntN(2*36*12)-36*12) * 5 * time.Minute)
			}
			b := booking.Interval{Start: bStart, End: bStart.Add(st.SlotLength)}
			before := booking.CheckSlot(c.s, c.busy, a, c.now) == nil
			after := booking.CheckSlot(c.s, append(c.busy[:len(c.busy):len(c.busy)], b), a, c.now) == nil
			if before == after {
				continue
			}
			changed++
			af, al, err := booking.CheckDates(st, a, a.Add(st.SlotLength))
			if err != nil {
				t.Fatal(err)
			}
			bf, bl, err := booking.CheckDates(st, b.Start, b.End)
			if err != nil {
				t.Fatal(err)
			}
			if al.Before(bf) || bl.Before(af) {
				t.Fatalf("case %d: a booking at %s changes the check of %s (%s, buffer %s, cap %d), but their dates [%s, %s] and [%s, %s] are apart",
					i, b.Start, a, st.TimeZone, st.Buffer, st.DailyCap, bf, bl, af, al)
			}
		}
	}
	if changed < 100 {
		t.Fatalf("only %d bookings changed a check: the cases do not exercise the promise", changed)
	}
}
