package booking_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"consult/booking"
)

// dstSchedule opens the practice in zone only on date, from a to b, so the
// expected slots below are exactly that day's.
func dstSchedule(zone, day, a, b string) booking.Schedule {
	return booking.Schedule{
		Settings:  booking.Settings{TimeZone: zone, SlotLength: 20 * time.Minute, HorizonDays: 400},
		Overrides: []booking.Override{{Date: civilDate(day), Windows: []booking.TimeRange{wallRange(a, b)}}},
	}
}

// TestFreeSlotsDST pins the slots on days when the clocks change. Every
// expectation is written out as a UTC instant, worked out by hand from the
// zone's offsets, so none of it relies on the code under test. A window edge
// the clock skips resolves to the moment of the jump; one the clock repeats
// resolves to its first occurrence.
func TestFreeSlotsDST(t *testing.T) {
	tests := []struct {
		name, zone, day, a, b string
		want                  []string
	}{
		// Los Angeles springs forward at 02:00 PST (10:00Z) to 03:00 PDT.
		{"LA spring, window across the gap", "America/Los_Angeles", "2026-03-08", "01:00", "04:00",
			[]string{"2026-03-08 09:00", "2026-03-08 09:20", "2026-03-08 09:40", "2026-03-08 10:00", "2026-03-08 10:20", "2026-03-08 10:40"}},
		{"LA spring, start in the gap", "America/Los_Angeles", "2026-03-08", "02:30", "04:00",
			[]string{"2026-03-08 10:00", "2026-03-08 10:20", "2026-03-08 10:40"}},
		{"LA spring, end in the gap", "America/Los_Angeles", "2026-03-08", "00:00", "02:30",
			[]string{"2026-03-08 08:00", "2026-03-08 08:20", "2026-03-08 08:40", "2026-03-08 09:00", "2026-03-08 09:20", "2026-03-08 09:40"}},
		{"LA spring, window wholly in the gap", "America/Los_Angeles", "2026-03-08", "02:00", "03:00", nil},
		// Los Angeles falls back at 02:00 PDT (09:00Z) to 01:00 PST.
		{"LA fall, window across the repeat", "America/Los_Angeles", "2026-11-01", "00:00", "03:00",
			[]string{"2026-11-01 07:00", "2026-11-01 07:20", "2026-11-01 07:40", "2026-11-01 08:00", "2026-11-01 08:20", "2026-11-01 08:40",
				"2026-11-01 09:00", "2026-11-01 09:20", "2026-11-01 09:40", "2026-11-01 10:00", "2026-11-01 10:20", "2026-11-01 10:40"}},
		{"LA fall, the repeated hour twice", "America/Los_Angeles", "2026-11-01", "01:00", "02:00",
			[]string{"2026-11-01 08:00", "2026-11-01 08:20", "2026-11-01 08:40", "2026-11-01 09:00", "2026-11-01 09:20", "2026-11-01 09:40"}},
		{"LA fall, start in the repeat", "America/Los_Angeles", "2026-11-01", "01:30", "02:00",
			[]string{"2026-11-01 08:30", "2026-11-01 08:50", "2026-11-01 09:10", "2026-11-01 09:30"}},
		// Berlin springs forward at 02:00 CET (01:00Z) to 03:00 CEST.
		{"Berlin spring, window across the gap", "Europe/Berlin", "2026-03-29", "01:00", "04:00",
			[]string{"2026-03-29 00:00", "2026-03-29 00:20", "2026-03-29 00:40", "2026-03-29 01:00", "2026-03-29 01:20", "2026-03-29 01:40"}},
		{"Berlin spring, start in the gap", "Europe/Berlin", "2026-03-29", "02:30", "03:30",
			[]string{"2026-03-29 01:00"}},
		// Berlin falls back at 03:00 CEST (01:00Z) to 02:00 CET.
		{"Berlin fall, window across the repeat", "Europe/Berlin", "2026-10-25", "01:00", "04:00",
			[]string{"2026-10-24 23:00", "2026-10-24 23:20", "2026-10-24 23:40", "2026-10-25 00:00", "2026-10-25 00:20", "2026-10-25 00:40",
				"2026-10-25 01:00", "2026-10-25 01:20", "2026-10-25 01:40", "2026-10-25 02:00", "2026-10-25 02:20", "2026-10-25 02:40"}},
		{"Berlin fall, start in the repeat", "Europe/Berlin", "2026-10-25", "02:30", "03:00",
			[]string{"2026-10-25 00:30", "2026-10-25 00:50", "2026-10-25 01:10", "2026-10-25 01:30"}},
		// Lord Howe moves by half an hour: 02:00 +10:30 (15:30Z) becomes 02:30 +11 ...
		{"Lord Howe spring, window across the gap", "Australia/Lord_Howe", "2026-10-04", "01:00", "04:00",
			[]string{"2026-10-03 14:30", "2026-10-03 14:50", "2026-10-03 15:10", "2026-10-03 15:30", "2026-10-03 15:50", "2026-10-03 16:10", "2026-10-03 16:30"}},
		{"Lord Howe spring, window wholly in the gap", "Australia/Lord_Howe", "2026-10-04", "02:00", "02:30", nil},
		// ... and 02:00 +11 (15:00Z) becomes 01:30 +10:30.
		{"Lord Howe fall, window across the repeat", "Australia/Lord_Howe", "2026-04-05", "01:00", "03:00",
			[]string{"2026-04-04 14:00", "2026-04-04 14:20", "2026-04-04 14:40", "2026-04-04 15:00", "2026-04-04 15:20", "2026-04-04 15:40", "2026-04-04 16:00"}},
		// Havana skips midnight: 00:00 CST (05:00Z) becomes 01:00 CDT. The day
		// starts at the jump, not at 23:00 the evening before.
		{"Havana spring, midnight skipped", "America/Havana", "2026-03-08", "00:00", "02:00",
			[]string{"2026-03-08 05:00", "2026-03-08 05:20", "2026-03-08 05:40"}},
		// Havana falls back at 01:00 CDT (05:00Z) to 00:00 CST.
		{"Havana fall, midnight hour repeated", "America/Havana", "2026-11-01", "00:00", "02:00",
			[]string{"2026-11-01 04:00", "2026-11-01 04:20", "2026-11-01 04:40", "2026-11-01 05:00", "2026-11-01 05:20", "2026-11-01 05:40",
				"2026-11-01 06:00", "2026-11-01 06:20", "2026-11-01 06:40"}},
		// Santiago falls back at Sunday 00:00 -03 (03:00Z) to Saturday 23:00 -04,
		// so Saturday's 24:00 comes at 04:00Z.
		{"Santiago fall, Saturday night repeated", "America/Santiago", "2026-04-04", "22:00", "24:00",
			[]string{"2026-04-05 01:00", "2026-04-05 01:20", "2026-04-05 01:40", "2026-04-05 02:00", "2026-04-05 02:20", "2026-04-05 02:40",
				"2026-04-05 03:00", "2026-04-05 03:20", "2026-04-05 03:40"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := dstSchedule(tt.zone, tt.day, tt.a, tt.b)
			day, _ := time.Parse(time.DateOnly, tt.day)
			slots, err := booking.FreeSlots(s, nil, day.AddDate(0, 0, -2), day.AddDate(0, 0, 2), utcMinute("2026-01-01 00:00"))
			if err != nil {
				t.Fatalf("FreeSlots: %v", err)
			}
			got := slotStarts(t, slots, s.Settings.SlotLength)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("slot starts (-want +got):\n%s", diff)
			}
			for _, slot := range slots {
				if err := booking.CheckSlot(s, nil, slot.Start, utcMinute("2026-01-01 00:00")); err != nil {
					t.Errorf("CheckSlot(%v) = %v, want nil", slot.Start, err)
				}
			}
		})
	}
}

// TestFreeSlotsWeeklyAcrossDST runs the same Sunday hours through the week
// Los Angeles changes clocks: the wall-clock times stay put while the UTC
// instants move, and the short day has fewer slots.
func TestFreeSlotsWeeklyAcrossDST(t *testing.T) {
	s := booking.Schedule{
		Settings: booking.Settings{TimeZone: "America/Los_Angeles", SlotLength: 20 * time.Minute, HorizonDays: 60},
		Weekly:   []booking.WeeklyWindow{weeklyHours(time.Sunday, "01:00", "04:00")},
	}
	slots, err := booking.FreeSlots(s, nil, utcMinute("2026-03-01 00:00"), utcMinute("2026-03-16 00:00"), utcMinute("2026-02-20 00:00"))
	if err != nil {
		t.Fatalf("FreeSlots: %v", err)
	}
	want := []string{
		"2026-03-01 09:00", "2026-03-01 09:20", "2026-03-01 09:40", "2026-03-01 10:00", "2026-03-01 10:20", "2026-03-01 10:40",
		"2026-03-01 11:00", "2026-03-01 11:20", "2026-03-01 11:40",
		"2026-03-08 09:00", "2026-03-08 09:20", "2026-03-08 09:40", "2026-03-08 10:00", "2026-03-08 10:20", "2026-03-08 10:40",
		"2026-03-15 08:00", "2026-03-15 08:20", "2026-03-15 08:40", "2026-03-15 09:00", "2026-03-15 09:20", "2026-03-15 09:40",
		"2026-03-15 10:00", "2026-03-15 10:20", "2026-03-15 10:40",
	}
	if diff := cmp.Diff(want, slotStarts(t, slots, s.Settings.SlotLength)); diff != "" {
		t.Errorf("slot starts (-want +got):\n%s", diff)
	}
}
