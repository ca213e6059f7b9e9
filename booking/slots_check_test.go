package booking_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"consult/booking"
)

func TestFreeSlotsSettingsErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*booking.Settings)
	}{
		{"zero slot length", func(s *booking.Settings) { s.SlotLength = 0 }},
		{"negative slot length", func(s *booking.Settings) { s.SlotLength = -20 * time.Minute }},
		{"slot length in the wrong unit", func(s *booking.Settings) { s.SlotLength = 20 }},
		{"negative buffer", func(s *booking.Settings) { s.Buffer = -time.Minute }},
		{"negative notice", func(s *booking.Settings) { s.MinNotice = -time.Hour }},
		{"negative horizon", func(s *booking.Settings) { s.HorizonDays = -1 }},
		{"negative daily cap", func(s *booking.Settings) { s.DailyCap = -1 }},
		{"unknown zone", func(s *booking.Settings) { s.TimeZone = "Mars/Olympus_Mons" }},
		{"machine zone", func(s *booking.Settings) { s.TimeZone = "Local" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ruleSchedule()
			tt.edit(&s.Settings)
			slots, err := booking.FreeSlots(s, nil, utcMinute("2026-06-01 00:00"), utcMinute("2026-06-02 00:00"), utcMinute("2026-05-31 00:00"))
			if err == nil {
				t.Fatalf("FreeSlots = %d slots, nil error; want an error", len(slots))
			}
			// Bad settings are the practice's fault, never the client's.
			if code := booking.ErrorCode(err); code != booking.EINTERNAL {
				t.Errorf("ErrorCode(FreeSlots) = %q, want %q", code, booking.EINTERNAL)
			}
			err = booking.CheckSlot(s, nil, utcMinute("2026-06-01 09:00"), utcMinute("2026-05-31 00:00"))
			if code := booking.ErrorCode(err); code != booking.EINTERNAL {
				t.Errorf("ErrorCode(CheckSlot) = %q (%v), want %q", code, err, booking.EINTERNAL)
			}
		})
	}
}

func TestFreeSlotsLeavesBusyAlone(t *testing.T) {
	busy := []booking.Interval{
		{Start: utcMinute("2026-06-01 09:40"), End: utcMinute("2026-06-01 10:00")},
		{Start: utcMinute("2026-06-01 09:00"), End: utcMinute("2026-06-01 09:20")},
	}
	before := append([]booking.Interval(nil), busy...)
	if _, err := booking.FreeSlots(ruleSchedule(), busy, utcMinute("2026-06-01 00:00"), utcMinute("2026-06-02 00:00"), utcMinute("2026-05-31 00:00")); err != nil {
		t.Fatalf("FreeSlots: %v", err)
	}
	if diff := cmp.Diff(before, busy); diff != "" {
		t.Errorf("busy changed (-before +after):\n%s", diff)
	}
}

// TestFreeSlotsInputLocations checks that only the instants of from, to and
// now matter, not the locations the caller happened to use.
func TestFreeSlotsInputLocations(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	from, to, now := utcMinute("2026-06-01 09:20"), utcMinute("2026-06-02 00:00"), utcMinute("2026-05-31 00:00")
	want, err := booking.FreeSlots(ruleSchedule(), nil, from, to, now)
	if err != nil {
		t.Fatal(err)
	}
	got, err := booking.FreeSlots(ruleSchedule(), nil, from.In(tokyo), to.In(tokyo), now.In(tokyo))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" || len(got) != 2 {
		t.Errorf("slots differ with Tokyo inputs (-UTC +Tokyo):\n%s", diff)
	}
}

func TestCheckSlot(t *testing.T) {
	s := ruleSchedule()
	s.Settings.Buffer = 10 * time.Minute
	s.Settings.MinNotice = 30 * time.Minute
	s.Settings.HorizonDays = 14
	s.Weekly = []booking.WeeklyWindow{weeklyHours(time.Monday, "09:00", "11:00")}
	busy := []booking.Interval{{Start: utcMinute("2026-06-01 10:00"), End: utcMinute("2026-06-01 10:20")}}
	now := utcMinute("2026-06-01 08:00")
	// kind is "" for a free time, else why it is refused.
	tests := []struct {
		start, kind string
	}{
		{"2026-06-01 09:00", ""},
		{"2026-06-01 09:20", ""},
		{"2026-06-01 09:40", booking.RefusedTaken}, // ends inside the buffer before the booking
		{"2026-06-01 10:00", booking.RefusedTaken}, // the booking itself
		{"2026-06-01 10:20", booking.RefusedTaken}, // starts inside the buffer after it
		{"2026-06-01 10:40", ""},
		{"2026-06-01 09:10", booking.RefusedNotStartTime},  // off the grid
		{"2026-06-01 10:50", booking.RefusedNotStartTime},  // would end after the window
		{"2026-06-01 11:00", booking.RefusedClosed},        // after the hours
		{"2026-06-01 07:40", booking.RefusedPast},          // before now
		{"2026-06-01 08:20", booking.RefusedTooSoon},       // inside the notice
		{"2026-06-08 09:00", ""},                           // next Monday
		{"2026-06-15 09:00", ""},                           // the horizon's last day
		{"2026-06-22 09:00", booking.RefusedBeyondHorizon}, // after it
		{"2026-06-02 09:00", booking.RefusedClosed},        // Tuesday has no hours
	}
	for _, tt := range tests {
		t.Run(tt.start, func(t *testing.T) {
			err := booking.CheckSlot(s, busy, utcMinute(tt.start), now)
			if tt.kind == "" {
				if err != nil {
					t.Errorf("CheckSlot = %v, want nil", err)
				}
				return
			}
			wantCode := booking.EINVALID
			if tt.kind == booking.RefusedTaken {
				wantCode = booking.ECONFLICT
			}
			var e *booking.Error
			if !errors.As(err, &e) || e.Code != wantCode || e.Kind != tt.kind || e.Message == "" {
				t.Fatalf("CheckSlot = %#v, want a %s refusal of kind %s", err, wantCode, tt.kind)
			}
			if wantCode == booking.EINVALID && e.Fields["start"] == "" {
				t.Errorf("refusal %s names no start field: %#v", tt.kind, e)
			}
		})
	}
}

func TestRefusalsNameTheRule(t *testing.T) {
	s := ruleSchedule()
	s.Settings.MinNotice = 48 * time.Hour
	s.Settings.HorizonDays = 1
	now := utcMinute("2026-05-31 09:00")
	err := booking.CheckSlot(s, nil, utcMinute("2026-06-01 09:00"), now)
	if got := booking.ErrorMessage(err); !strings.Contains(got, "48 hours' notice") {
		t.Errorf("too soon says %q, want it to name 48 hours' notice", got)
	}
	s.Settings.MinNotice = 0
	s.Settings.NotSameDay = true
	err = booking.CheckSlot(s, nil, utcMinute("2026-05-31 09:40"), utcMinute("2026-05-31 09:00"))
	if booking.ErrorCode(err) != booking.EINVALID || !strings.Contains(booking.ErrorMessage(err), "a day ahead") {
		t.Errorf("same day with same-day bookings off = %v", err)
	}
	err = booking.CheckSlot(s, nil, utcMinute("2026-06-08 09:00"), now)
	if got := booking.ErrorMessage(err); !strings.Contains(got, "up to 1 day ahead") {
		t.Errorf("beyond the horizon says %q", got)
	}
}

func ExampleFreeSlots() {
	s := booking.Schedule{
		Settings: booking.Settings{
			TimeZone:    "America/Los_Angeles",
			SlotLength:  20 * time.Minute,
			Buffer:      10 * time.Minute,
			MinNotice:   12 * time.Hour,
			HorizonDays: 60,
		},
		Weekly: []booking.WeeklyWindow{{Weekday: time.Monday, TimeRange: booking.TimeRange{Start: 9 * 60, End: 11 * 60}}},
	}
	// One booking at 10:00 Pacific, which also takes the ten minutes either side.
	busy := []booking.Interval{{
		Start: time.Date(2026, 6, 1, 17, 0, 0, 0, time.UTC),
		End:   time.Date(2026, 6, 1, 17, 20, 0, 0, time.UTC),
	}}
	from := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 5, 29, 12, 0, 0, 0, time.UTC)
	slots, err := booking.FreeSlots(s, busy, from, from.AddDate(0, 0, 1), now)
	if err != nil {
		fmt.Println(err)
		return
	}
	la, _ := time.LoadLocation("America/Los_Angeles")
	for _, slot := range slots {
		fmt.Println(slot.Start.In(la).Format("Mon 15:04"), "-", slot.End.In(la).Format("15:04 MST"))
	}
	// Output:
	// Mon 09:00 - 09:20 PDT
	// Mon 09:20 - 09:40 PDT
	// Mon 10:40 - 11:00 PDT
}
