package booking_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the DST expectations must not depend on the machine's zone files

	"github.com/google/go-cmp/cmp"

	"consult/booking"
)

// wallClock parses a wall-clock literal; the literals are fixed, so a bad one is a
// broken test and panicking is fine.
func wallClock(s string) booking.Clock {
	c, err := booking.ParseClock(s)
	if err != nil {
		panic(err)
	}
	return c
}

// wallRange returns the wall-clock range from a to b.
func wallRange(a, b string) booking.TimeRange {
	return booking.TimeRange{Start: wallClock(a), End: wallClock(b)}
}

// weeklyHours returns a window on weekday from a to b.
func weeklyHours(day time.Weekday, a, b string) booking.WeeklyWindow {
	return booking.WeeklyWindow{Weekday: day, TimeRange: wallRange(a, b)}
}

// utcMinute parses "2006-01-02 15:04" as a UTC instant.
func utcMinute(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// civilDate parses "2006-01-02".
func civilDate(s string) booking.Date {
	d, err := booking.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// slotStarts lists slot starts as UTC "2006-01-02 15:04" strings, which make
// failures readable, and checks each slot's length and location on the way.
func slotStarts(t *testing.T, slots []booking.Slot, length time.Duration) []string {
	t.Helper()
	var starts []string
	for _, s := range slots {
		if got := s.End.Sub(s.Start); got != length {
			t.Errorf("slot at %v lasts %v, want %v", s.Start, got, length)
		}
		if s.Start.Location() != time.UTC || s.End.Location() != time.UTC {
			t.Errorf("slot at %v is not in UTC", s.Start)
		}
		starts = append(starts, s.Start.Format("2006-01-02 15:04"))
	}
	return starts
}

// ruleSchedule is a UTC practice open on Mondays 09:00-10:00, with no
// buffer, notice, cap or same-day rule, so each case switches on one rule.
func ruleSchedule() booking.Schedule {
	return booking.Schedule{
		Settings: booking.Settings{TimeZone: "UTC", SlotLength: 20 * time.Minute, HorizonDays: 60},
		Weekly:   []booking.WeeklyWindow{weeklyHours(time.Monday, "09:00", "10:00")},
	}
}

func TestFreeSlotsRules(t *testing.T) {
	setWeekly := func(w ...booking.WeeklyWindow) func(*booking.Schedule) {
		return func(s *booking.Schedule) { s.Weekly = w }
	}
	la := func(w ...booking.WeeklyWindow) func(*booking.Schedule) {
		return func(s *booking.Schedule) { s.Settings.TimeZone = "America/Los_Angeles"; s.Weekly = w }
	}
	busy := func(from, to string) booking.Interval {
		return booking.Interval{Start: utcMinute(from), End: utcMinute(to)}
	}
	mon, tue, wed := time.Monday, time.Tuesday, time.Wednesday
	tests := []struct {
		name     string
		edit     func(*booking.Schedule) // nil keeps ruleSchedule
		busy     []booking.Interval
		from, to string // default 2026-06-01 00:00 to 2026-06-02 00:00 (Monday)
		now      string // default 2026-05-31 00:00
		want     []string
	}{
		{name: "weekly window", want: []string{"2026-06-01 09:00", "2026-06-01 09:20", "2026-06-01 09:40"}},
		{name: "window end off the grid", edit: setWeekly(weeklyHours(mon, "09:00", "10:10")),
			want: []string{"2026-06-01 09:00", "2026-06-01 09:20", "2026-06-01 09:40"}},
		{name: "weekday without hours", from: "2026-06-02 00:00", to: "2026-06-03 00:00"},
		{name: "a week of weekly hours", edit: setWeekly(weeklyHours(wed, "14:00", "14:40"), weeklyHours(mon, "09:00", "09:40")),
			to:   "2026-06-08 09:00",
			want: []string{"2026-06-01 09:00", "2026-06-01 09:20", "2026-06-03 14:00", "2026-06-03 14:20"}},
		{name: "several windows on a weekday, listed out of order",
			edit: setWeekly(weeklyHours(mon, "13:00", "13:40"), weeklyHours(mon, "09:00", "09:40"), weeklyHours(mon, "16:20", "16:40")),
			want: []string{"2026-06-01 09:00", "2026-06-01 09:20", "2026-06-01 13:00", "2026-06-01 13:20", "2026-06-01 16:20"}},
		{name: "overlapping windows are merged", edit: setWeekly(weeklyHours(mon, "09:00", "10:00"), weeklyHours(mon, "09:30", "10:30")),
			want: []string{"2026-06-01 09:00", "2026-06-01 09:20", "2026-06-01 09:40", "2026-06-01 10:00"}},
		{name: "touching windows are merged", edit: setWeekly(weeklyHours(mon, "09:00", "09:30"), weeklyHours(mon, "09:30", "10:00")),
			want: []string{"2026-06-01 09:00", "2026-06-01 09:20", "2026-06-01 09:40"}},
		{name: "duplicate and contained windows", edit: setWeekly(weeklyHours(mon, "09:00", "10:00"), weeklyHours(mon, "09:00", "10:00"), weeklyHours(mon, "09:10", "09:50")),
			want: []string{"2026-06-01 09:00", "2026-06-01 09:20", "2026-06-01 09:40"}},
		{name: "invalid ranges are ignored", edit: setWeekly(weeklyHours(mon, "10:00", "09:00"), weeklyHours(mon, "09:00", "09:00"),
			booking.WeeklyWindow{Weekday: mon, TimeRange: booking.TimeRange{Start: -60, End: 30}},
			booking.WeeklyWindow{Weekday: mon, TimeRange: booking.TimeRange{Start: 1400, End: 1500}},
			booking.WeeklyWindow{Weekday: 8, TimeRange: wallRange("09:00", "10:00")}, weeklyHours(mon, "11:00", "11:20")),
			want: []string{"2026-06-01 11:00"}},
		{name: "override closes the date", to: "2026-06-09 00:00", edit: func(s *booking.Schedule) {
			s.Overrides = []booking.Override{{Date: civilDate("2026-06-01"), Closed: true, Windows: []booking.TimeRange{wallRange("09:00", "10:00")}}}
		}, want: []string{"2026-06-08 09:00", "2026-06-08 09:20", "2026-06-08 09:40"}},
		{name: "override with other hours", edit: func(s *booking.Schedule) {
			s.Overrides = []booking.Override{{Date: civilDate("2026-06-01"), Windows: []booking.TimeRange{wallRange("13:00", "13:40")}}}
		}, want: []string{"2026-06-01 13:00", "2026-06-01 13:20"}},
		{name: "override opens a day without weekly hours", to: "2026-06-03 00:00", edit: func(s *booking.Schedule) {
			s.Overrides = []booking.Override{{Date: civilDate("2026-06-02"), Windows: []booking.TimeRange{wallRange("08:00", "08:40")}}}
		}, want: []string{"2026-06-01 09:00", "2026-06-01 09:20", "2026-06-01 09:40", "2026-06-02 08:00", "2026-06-02 08:20"}},
		{name: "override without windows closes the date", edit: func(s *booking.Schedule) {
			s.Overrides = []booking.Override{{Date: civilDate("2026-06-01")}}
		}},
		{name: "the last override for a date wins", edit: func(s *booking.Schedule) {
			s.Overrides = []booking.Override{
				{Date: civilDate("2026-06-01"), Windows: []booking.TimeRange{wallRange("13:00", "13:20")}},
				{Date: civilDate("2026-06-01"), Windows: []booking.TimeRange{wallRange("15:00", "15:20")}},
			}
		}, want: []string{"2026-06-01 15:00"}},
		{name: "busy slot is taken", edit: setWeekly(weeklyHours(mon, "09:00", "10:20")),
			busy: []booking.Interval{busy("2026-06-01 09:20", "2026-06-01 09:40")},
			want: []string{"2026-06-01 09:00", "2026-06-01 09:40", "2026-06-01 10:00"}},
		{name: "busy time off the grid blocks both neighbours", edit: setWeekly(weeklyHours(mon, "09:00", "11:00")),
			busy: []booking.Interval{busy("2026-06-01 09:50", "2026-06-01 10:10")},
			want: []string{"2026-06-01 09:00", "2026-06-01 09:20", "2026-06-01 10:20", "2026-06-01 10:40"}},
		{name: "buffer before and after a booking", edit: func(s *booking.Schedule) {
			s.Weekly = []booking.WeeklyWindow{weeklyHours(mon, "09:00", "11:00")}
			s.Settings.Buffer = 10 * time.Minute
		}, busy: []booking.Interval{busy("2026-06-01 10:00", "2026-06-01 10:20")},
			want: []string{"2026-06-01 09:00", "2026-06-01 09:20", "2026-06-01 10:40"}},
		{name: "buffer that exactly fits", edit: func(s *booking.Schedule) {
			s.Weekly = []booking.WeeklyWindow{weeklyHours(mon, "09:00", "11:00")}
			s.Settings.Buffer = 20 * time.Minute
		}, busy: []booking.Interval{busy("2026-06-01 10:00", "2026-06-01 10:20")},
			want: []string{"2026-06-01 09:00", "2026-06-01 09:20", "2026-06-01 10:40"}},
		{name: "buffer a minute too wide", edit: func(s *booking.Schedule) {
			s.Weekly = []booking.WeeklyWindow{weeklyHours(mon, "09:00", "11:00")}
			s.Settings.Buffer = 21 * time.Minute
		}, busy: []booking.Interval{busy("2026-06-01 10:00", "2026-06-01 10:20")},
			want: []string{"2026-06-01 09:00"}},
		{name: "unsorted busy, some far away", edit: setWeekly(weeklyHours(mon, "09:00", "11:00")),
			busy: []booking.Interval{busy("2026-06-01 10:40", "2026-06-01 11:00"), busy("2026-07-01 09:00", "2026-07-01 09:20"),
				busy("2026-06-01 09:00", "2026-06-01 09:20"), busy("2026-05-01 09:00", "2026-05-01 09:20")},
			want: []string{"2026-06-01 09:20", "2026-06-01 09:40", "2026-06-01 10:00", "2026-06-01 10:20"}},
		{name: "busy from the evening before", busy: []booking.Interval{busy("2026-05-31 22:00", "2026-06-01 09:10")},
			want: []string{"2026-06-01 09:20", "2026-06-01 09:40"}},
		{name: "buffer reaches over midnight into the first bookable day", to: "2026-06-03 00:00", now: "2026-06-01 10:00",
			edit: func(s *booking.Schedule) {
				s.Weekly = []booking.WeeklyWindow{weeklyHours(tue, "00:00", "01:00")}
				s.Settings.Buffer, s.Settings.NotSameDay = 10*time.Minute, true
			}, busy: []booking.Interval{busy("2026-06-01 23:35", "2026-06-01 23:55")},
			want: []string{"2026-06-02 00:20", "2026-06-02 00:40"}},
		{name: "minimum notice", edit: func(s *booking.Schedule) { s.Settings.MinNotice = time.Hour },
			now: "2026-06-01 08:30", want: []string{"2026-06-01 09:40"}},
		{name: "minimum notice is inclusive", edit: func(s *booking.Schedule) { s.Settings.MinNotice = time.Hour },
			now: "2026-06-01 08:20", want: []string{"2026-06-01 09:20", "2026-06-01 09:40"}},
		{name: "no slots in the past", now: "2026-06-01 09:30", want: []string{"2026-06-01 09:40"}},
		{name: "not the same day, practice-local", to: "2026-06-03 00:00", now: "2026-06-01 08:00", // Monday 01:00 in LA
			edit: func(s *booking.Schedule) {
				la(weeklyHours(mon, "09:00", "10:00"), weeklyHours(tue, "09:00", "09:40"))(s)
				s.Settings.NotSameDay = true
			}, want: []string{"2026-06-02 16:00", "2026-06-02 16:20"}},
		{name: "not the same day while it is still Sunday in LA", to: "2026-06-03 00:00", now: "2026-06-01 06:00",
			edit: func(s *booking.Schedule) {
				la(weeklyHours(mon, "09:00", "10:00"), weeklyHours(tue, "09:00", "09:40"))(s)
				s.Settings.NotSameDay = true
			}, want: []string{"2026-06-01 16:00", "2026-06-01 16:20", "2026-06-01 16:40", "2026-06-02 16:00", "2026-06-02 16:20"}},
		{name: "horizon counts practice-local days", to: "2026-06-04 00:00", now: "2026-06-01 08:00",
			edit: func(s *booking.Schedule) {
				la(weeklyHours(mon, "09:00", "09:40"), weeklyHours(tue, "09:00", "09:40"), weeklyHours(wed, "09:00", "09:40"))(s)
				s.Settings.HorizonDays = 1
			}, want: []string{"2026-06-01 16:00", "2026-06-01 16:20", "2026-06-02 16:00", "2026-06-02 16:20"}},
		{name: "horizon from a Sunday evening in LA", to: "2026-06-04 00:00", now: "2026-06-01 06:00",
			edit: func(s *booking.Schedule) {
				la(weeklyHours(mon, "09:00", "09:40"), weeklyHours(tue, "09:00", "09:40"), weeklyHours(wed, "09:00", "09:40"))(s)
				s.Settings.HorizonDays = 1
			}, want: []string{"2026-06-01 16:00", "2026-06-01 16:20"}},
		{name: "horizon zero is today only", to: "2026-06-03 00:00", now: "2026-06-01 06:00",
			edit: func(s *booking.Schedule) {
				s.Weekly = []booking.WeeklyWindow{weeklyHours(mon, "09:00", "09:40"), weeklyHours(tue, "09:00", "09:40")}
				s.Settings.HorizonDays = 0
			}, want: []string{"2026-06-01 09:00", "2026-06-01 09:20"}},
		{name: "horizon zero and not the same day", now: "2026-06-01 06:00",
			edit: func(s *booking.Schedule) { s.Settings.HorizonDays, s.Settings.NotSameDay = 0, true }},
		{name: "daily cap reached", to: "2026-06-03 00:00",
			edit: func(s *booking.Schedule) {
				s.Weekly = append(s.Weekly, weeklyHours(tue, "09:00", "09:40"))
				s.Settings.DailyCap = 2
			}, busy: []booking.Interval{busy("2026-06-01 14:00", "2026-06-01 14:20"), busy("2026-06-01 07:00", "2026-06-01 07:20")},
			want: []string{"2026-06-02 09:00", "2026-06-02 09:20"}},
		{name: "below the daily cap", edit: func(s *booking.Schedule) { s.Settings.DailyCap = 3 },
			busy: []booking.Interval{busy("2026-06-01 14:00", "2026-06-01 14:20"), busy("2026-06-01 07:00", "2026-06-01 07:20")},
			want: []string{"2026-06-01 09:00", "2026-06-01 09:20", "2026-06-01 09:40"}},
		{name: "daily cap counts bookings before the window", from: "2026-06-01 09:30",
			edit: func(s *booking.Schedule) { s.Settings.DailyCap = 1 },
			busy: []booking.Interval{busy("2026-06-01 08:00", "2026-06-01 08:20")}},
		{name: "a booking at midnight counts for the day it starts", to: "2026-06-03 00:00",
			edit: func(s *booking.Schedule) {
				s.Weekly = append(s.Weekly, weeklyHours(tue, "09:00", "09:40"))
				s.Settings.DailyCap = 1
			}, busy: []booking.Interval{busy("2026-06-02 00:00", "2026-06-02 00:20")},
			want: []string{"2026-06-01 09:00", "2026-06-01 09:20", "2026-06-01 09:40"}},
		{name: "daily cap counts the practice-local date", to: "2026-06-03 00:00",
			edit: func(s *booking.Schedule) {
				la(weeklyHours(mon, "09:00", "09:40"), weeklyHours(tue, "09:00", "09:40"))(s)
				s.Settings.DailyCap = 1
			}, // Monday 18:00 and Sunday 22:00 in LA: only the first counts for Monday
			busy: []booking.Interval{busy("2026-06-02 01:00", "2026-06-02 01:20"), busy("2026-06-01 05:00", "2026-06-01 05:20")},
			want: []string{"2026-06-02 16:00", "2026-06-02 16:20"}},
		{name: "from on a slot start includes it", from: "2026-06-01 09:20", want: []string{"2026-06-01 09:20", "2026-06-01 09:40"}},
		{name: "from inside a slot keeps the grid", from: "2026-06-01 09:10", want: []string{"2026-06-01 09:20", "2026-06-01 09:40"}},
		{name: "to on a slot start excludes it", to: "2026-06-01 09:40", want: []string{"2026-06-01 09:00", "2026-06-01 09:20"}},
		{name: "empty window", from: "2026-06-01 09:00", to: "2026-06-01 09:00"},
		{name: "reversed window", from: "2026-06-01 10:00", to: "2026-06-01 09:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ruleSchedule()
			if tt.edit != nil {
				tt.edit(&s)
			}
			from, to, now := "2026-06-01 00:00", "2026-06-02 00:00", "2026-05-31 00:00"
			if tt.from != "" {
				from = tt.from
			}
			if tt.to != "" {
				to = tt.to
			}
			if tt.now != "" {
				now = tt.now
			}
			slots, err := booking.FreeSlots(s, tt.busy, utcMinute(from), utcMinute(to), utcMinute(now))
			if err != nil {
				t.Fatalf("FreeSlots: %v", err)
			}
			if slots == nil {
				t.Error("FreeSlots returned nil, want an empty slice")
			}
			got := slotStarts(t, slots, s.Settings.SlotLength)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("slot starts (-want +got):\n%s", diff)
			}
		})
	}
}
