package calendar

import (
	"fmt"
	"testing"
	"time"

	"consult/booking"
)

// benchSlots is 90 days of 20-minute slots every 30 minutes (10 minutes'
// buffer), 08:00–18:00 on weekdays and 10:00–17:00 on Saturdays in Los
// Angeles: about 1,450 slots, as a busy practice's horizon would hold.
func benchSlots(b *testing.B) []booking.Slot {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		b.Fatal(err)
	}
	var slots []booking.Slot
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, loc)
	for d := range 90 {
		date := day.AddDate(0, 0, d)
		from, to := 8, 18
		switch date.Weekday() {
		case time.Sunday:
			continue
		case time.Saturday:
			from, to = 10, 17
		}
		for m := from * 60; m+20 <= to*60; m += 30 {
			s := time.Date(date.Year(), date.Month(), date.Day(), m/60, m%60, 0, 0, loc)
			slots = append(slots, booking.Slot{Start: s, End: s.Add(20 * time.Minute)})
		}
	}
	return slots
}

func BenchmarkAvailabilityFeed90Days(b *testing.B) {
	slots := benchSlots(b)
	b.ReportAllocs()
	p := testPractice()
	var size int
	for b.Loop() {
		out, err := AvailabilityFeed(p, slots, testNow)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(len(slots)), "slots")
	b.ReportMetric(float64(size), "bytes/feed")
}

func BenchmarkBookingsFeed5000(b *testing.B) {
	bs := make([]booking.Booking, 5000)
	start := time.Date(2026, 1, 5, 17, 0, 0, 0, time.UTC)
	for i := range bs {
		s := start.Add(time.Duration(i) * 3 * time.Hour)
		bs[i] = booking.Booking{
			ID: int64(i + 1), Start: s, End: s.Add(20 * time.Minute), Status: booking.StatusConfirmed,
			Name: fmt.Sprintf("Client Number%d", i), Email: fmt.Sprintf("c%d@example.net", i),
			Phone: "+1 555 0100", Sequence: i % 3, CreatedAt: s.Add(-72 * time.Hour), UpdatedAt: s.Add(-48 * time.Hour),
		}
		if i%10 == 0 {
			bs[i].Status = booking.StatusCancelled
		}
	}
	p := testPractice()
	for _, full := range []bool{false, true} {
		b.Run(fmt.Sprintf("full=%t", full), func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				out, err := BookingsFeed(p, bs, full, testNow)
				if err != nil {
					b.Fatal(err)
				}
				size = len(out)
			}
			b.ReportMetric(float64(size), "bytes/feed")
		})
	}
}
