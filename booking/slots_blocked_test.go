package booking_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"consult/booking"
)

// blockedSchedule is one UTC Monday, 09:00–12:00, hourly slots, a
// 15-minute buffer and a cap of two bookings.
func blockedSchedule() booking.Schedule {
	return booking.Schedule{
		Settings: booking.Settings{TimeZone: "UTC", SlotLength: time.Hour, Buffer: 15 * time.Minute, HorizonDays: 30, DailyCap: 2},
		Weekly:   []booking.WeeklyWindow{weeklyHours(time.Monday, "09:00", "12:00")},
	}
}

func TestBlockedTimeBlocksSlotsWithTheBuffer(t *testing.T) {
	s := blockedSchedule()
	s.Blocked = []booking.Interval{{Start: utcMinute("2027-01-04 10:50"), End: utcMinute("2027-01-04 11:00")}}
	now := utcMinute("2027-01-01 00:00")
	got, err := booking.FreeSlots(s, nil, utcMinute("2027-01-04 00:00"), utcMinute("2027-01-05 00:00"), now)
	if err != nil {
		t.Fatal(err)
	}
	// 10:00–11:00 overlaps; 11:00–12:00 is within the buffer.
	if want := []string{"2027-01-04 09:00"}; !slices.Equal(slotStarts(t, got, time.Hour), want) {
		t.Errorf("slots %v, want %v", slotStarts(t, got, time.Hour), want)
	}
	for _, at := range []string{"2027-01-04 10:00", "2027-01-04 11:00"} {
		err := booking.CheckSlot(s, nil, utcMinute(at), now)
		var e *booking.Error
		if !domainError(err, &e) || e.Kind != booking.RefusedTaken {
			t.Errorf("CheckSlot(%s) = %v, want taken", at, err)
		}
	}
}

// Calendar events are not consultations: they count towards no cap.
func TestBlockedTimeCountsTowardsNoCap(t *testing.T) {
	s := blockedSchedule()
	s.Blocked = []booking.Interval{
		{Start: utcMinute("2027-01-04 00:00"), End: utcMinute("2027-01-04 01:00")},
		{Start: utcMinute("2027-01-04 02:00"), End: utcMinute("2027-01-04 03:00")},
		{Start: utcMinute("2027-01-04 04:00"), End: utcMinute("2027-01-04 05:00")},
	}
	got, err := booking.FreeSlots(s, nil, utcMinute("2027-01-04 00:00"), utcMinute("2027-01-05 00:00"), utcMinute("2027-01-01 00:00"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Errorf("%d slots, want all 3", len(got))
	}
	// Two bookings do reach the cap.
	busy := []booking.Interval{s.Blocked[0], s.Blocked[1]}
	if got, _ := booking.FreeSlots(s, busy, utcMinute("2027-01-04 00:00"), utcMinute("2027-01-05 00:00"), utcMinute("2027-01-01 00:00")); len(got) != 0 {
		t.Errorf("%d slots with the cap reached, want 0", len(got))
	}
}

func TestStaleCalendarsBlockEverything(t *testing.T) {
	s := blockedSchedule()
	s.CalendarsStale = true
	now := utcMinute("2027-01-01 00:00")
	got, err := booking.FreeSlots(s, nil, utcMinute("2027-01-04 00:00"), utcMinute("2027-01-05 00:00"), now)
	if err != nil || len(got) != 0 {
		t.Fatalf("FreeSlots = %v, %v; want none", got, err)
	}
	err = booking.CheckSlot(s, nil, utcMinute("2027-01-04 09:00"), now)
	var e *booking.Error
	if !domainError(err, &e) || e.Code != booking.ECONFLICT || e.Kind != booking.RefusedTaken {
		t.Errorf("CheckSlot = %v, want a conflict", err)
	}
	// Rules the client can act on are still said first.
	if err := booking.CheckSlot(s, nil, utcMinute("2026-12-31 09:00"), now); !domainError(err, &e) || e.Kind != booking.RefusedPast {
		t.Errorf("CheckSlot in the past = %v", err)
	}
}

func domainError(err error, target **booking.Error) bool {
	return errors.As(err, target)
}
