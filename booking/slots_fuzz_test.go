package booking_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"consult/booking"
)

// FuzzFreeSlots lets the fuzzer pick the settings, including ones the
// engine must refuse, and the hours: every five bytes of hours are one
// window, weekly or (high bit set) an override near now, with clocks that
// may be out of range. The zone, window, now and busy set come from seed.
// Refused settings must give an error; anything else must pass every check
// of the property test. Nothing may panic.
func FuzzFreeSlots(f *testing.F) {
	nineToFive := []byte{1, 2, 28, 4, 36, 3, 2, 28, 4, 36, 6, 2, 88, 3, 32}
	f.Add(uint64(1), int16(20), int16(10), int16(720), int16(60), int8(6), false, nineToFive)
	f.Add(uint64(2), int16(20), int16(0), int16(0), int16(0), int8(0), true, nineToFive)
	f.Add(uint64(3), int16(25), int16(5), int16(30), int16(10), int8(2), false, []byte{0, 0, 60, 0, 240, 0x80, 0, 0, 5, 160})
	f.Add(uint64(4), int16(45), int16(15), int16(0), int16(30), int8(1), false, []byte{0xc1, 0, 0, 0, 0, 5, 255, 255, 0, 0})
	f.Add(uint64(5), int16(0), int16(10), int16(60), int16(60), int8(0), false, nineToFive)
	f.Add(uint64(6), int16(20), int16(-5), int16(-60), int16(-1), int8(-1), false, []byte{})
	f.Fuzz(func(t *testing.T, seed uint64, slotMin, bufMin, noticeMin, horizon int16, dailyCap int8, notSameDay bool, hours []byte) {
		r := rand.New(rand.NewPCG(seed, 0x5107))
		c := randomCase(r)
		minute := time.Minute
		c.s.Settings = booking.Settings{
			TimeZone:    c.s.Settings.TimeZone,
			SlotLength:  time.Duration(slotMin) * minute,
			Buffer:      time.Duration(bufMin) * minute,
			MinNotice:   time.Duration(noticeMin) * minute,
			NotSameDay:  notSameDay,
			HorizonDays: int(horizon),
			DailyCap:    int(dailyCap),
		}
		if len(hours) >= 5 {
			loc, err := time.LoadLocation(c.s.Settings.TimeZone)
			if err != nil {
				t.Fatal(err)
			}
			today := booking.DateOf(c.now.In(loc))
			c.s.Weekly, c.s.Overrides = nil, nil
			for ; len(hours) >= 5; hours = hours[5:] {
				clock := func(hi, lo byte) booking.Clock { return booking.Clock((int(hi)<<8|int(lo))%1500 - 30) }
				tr := booking.TimeRange{Start: clock(hours[1], hours[2]), End: clock(hours[3], hours[4])}
				if hours[0]&0x80 == 0 {
					c.s.Weekly = append(c.s.Weekly, booking.WeeklyWindow{Weekday: time.Weekday(hours[0] % 8), TimeRange: tr})
					continue
				}
				c.s.Overrides = append(c.s.Overrides, booking.Override{
					Date:    today.AddDays(int(hours[0]&0x0f) - 2),
					Closed:  hours[0]&0x40 != 0,
					Windows: []booking.TimeRange{tr},
				})
			}
		}

		got, err := booking.FreeSlots(c.s, c.busy, c.from, c.to, c.now)
		refused := slotMin < 1 || bufMin < 0 || noticeMin < 0 || horizon < 0 || dailyCap < 0
		switch {
		case refused && err == nil:
			t.Fatalf("FreeSlots accepted settings %+v", c.s.Settings)
		case refused:
			if err := booking.CheckSlot(c.s, c.busy, c.from, c.now); booking.ErrorCode(err) != booking.EINTERNAL {
				t.Fatalf("CheckSlot with settings %+v = %v, want a settings error", c.s.Settings, err)
			}
		case err != nil:
			t.Fatalf("FreeSlots(%+v): %v", c.s.Settings, err)
		default:
			checkSlots(t, c, got, r)
		}
	})
}

// benchSchedule is a realistic week: weekdays 09:00-12:00 and 13:00-17:00
// and Saturday mornings in Los Angeles, with the default rules. The daily
// cap is off so that no day is skipped and every slot is looked at.
func benchSchedule() booking.Schedule {
	s := booking.Schedule{Settings: booking.DefaultSettings()}
	s.Settings.HorizonDays, s.Settings.DailyCap = 120, 0
	for day := time.Monday; day <= time.Friday; day++ {
		s.Weekly = append(s.Weekly, weeklyHours(day, "09:00", "12:00"), weeklyHours(day, "13:00", "17:00"))
	}
	s.Weekly = append(s.Weekly, weeklyHours(time.Saturday, "10:00", "13:00"))
	return s
}

// benchBookings books n of the free slots in [from, to), picked with a fixed
// seed, and returns them in no particular order.
func benchBookings(b *testing.B, s booking.Schedule, from, to, now time.Time, n int) []booking.Interval {
	b.Helper()
	free, err := booking.FreeSlots(s, nil, from, to, now)
	if err != nil || len(free) < n {
		b.Fatalf("only %d free slots (%v), want at least %d", len(free), err, n)
	}
	r := rand.New(rand.NewPCG(90, 500))
	r.Shuffle(len(free), func(i, j int) { free[i], free[j] = free[j], free[i] })
	return free[:n]
}

func BenchmarkFreeSlots90Days500Bookings(b *testing.B) {
	s := benchSchedule()
	from := utcMinute("2026-03-01 08:00") // the window spans the spring clock change
	to, now := from.AddDate(0, 0, 90), from.Add(-time.Hour)
	busy := benchBookings(b, s, from, to, now, 500)
	var n int
	b.ReportAllocs()
	for b.Loop() {
		slots, err := booking.FreeSlots(s, busy, from, to, now)
		if err != nil {
			b.Fatal(err)
		}
		n = len(slots)
	}
	b.ReportMetric(float64(n), "slots/op")
}

func BenchmarkCheckSlot500Bookings(b *testing.B) {
	s := benchSchedule()
	from := utcMinute("2026-03-01 08:00")
	to, now := from.AddDate(0, 0, 90), from.Add(-time.Hour)
	busy := benchBookings(b, s, from, to, now, 500)
	start := busy[0].Start.Add(time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		_ = booking.CheckSlot(s, busy, start, now)
	}
}
