package booking_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"consult/booking"
)

func TestParseRanges(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"", "", false},
		{"09:00-12:00", "09:00-12:00", false},
		{"13:00-17:00, 9:00-12:00", "09:00-12:00, 13:00-17:00", false},
		{"09:00–10:00; 22:00-24:00", "09:00-10:00, 22:00-24:00", false},
		{"09:00-12:00, 11:00-13:00", "", true},
		{"12:00-09:00", "", true},
		{"09:00-09:00", "", true},
		{"9-12", "", true},
		{"25:00-26:00", "", true},
		{"09:00", "", true},
	}
	for _, tt := range tests {
		got, err := booking.ParseRanges(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseRanges(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if s := booking.FormatRanges(got); err == nil && s != tt.want {
			t.Errorf("ParseRanges(%q) = %q, want %q", tt.in, s, tt.want)
		}
	}
}

func TestOutsideHours(t *testing.T) {
	loc, _ := time.LoadLocation("America/Los_Angeles")
	st := booking.DefaultSettings()
	sched := booking.Schedule{
		Settings: st,
		Weekly: []booking.WeeklyWindow{
			{Weekday: time.Tuesday, TimeRange: booking.TimeRange{Start: 9 * 60, End: 12 * 60}},
			{Weekday: time.Tuesday, TimeRange: booking.TimeRange{Start: 12 * 60, End: 13 * 60}},
		},
		Overrides: []booking.Override{
			{Date: booking.Date{Year: 2026, Month: 12, Day: 15}, Closed: true},
			{Date: booking.Date{Year: 2026, Month: 12, Day: 16}, Windows: []booking.TimeRange{{Start: 10 * 60, End: 11 * 60}}},
		},
	}
	at := func(day, h, m int) booking.Booking {
		s := time.Date(2026, 12, day, h, m, 0, 0, loc)
		return booking.Booking{ID: int64(day*10000 + h*100 + m), Start: s.UTC(), End: s.Add(20 * time.Minute).UTC()}
	}
	bs := []booking.Booking{
		at(8, 9, 0),    // inside
		at(8, 11, 50),  // spans two touching windows: inside
		at(8, 12, 50),  // runs past 13:00
		at(8, 8, 50),   // starts before 09:00
		at(9, 10, 0),   // Wednesday: no hours
		at(15, 10, 0),  // closed date
		at(16, 10, 20), // override hours
		at(16, 9, 0),   // outside the override
	}
	got, err := booking.OutsideHours(sched, bs)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, b := range got {
		ids = append(ids, b.ID)
	}
	want := []int64{81250, 80850, 91000, 151000, 160900}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("OutsideHours ids (-want +got):\n%s", diff)
	}
}

func TestThrottleRetryAfter(t *testing.T) {
	th := booking.Throttle{Max: 3, Window: 15 * time.Minute}
	t0 := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	fs := []time.Time{t0, t0.Add(time.Minute), t0.Add(2 * time.Minute)}
	if got := th.RetryAfter(fs[:2], t0.Add(3*time.Minute)); got != 0 {
		t.Errorf("two failures: wait %v", got)
	}
	if got := th.RetryAfter(fs, t0.Add(3*time.Minute)); got != 12*time.Minute {
		t.Errorf("three failures: wait %v, want 12m", got)
	}
	if got := th.RetryAfter(fs, t0.Add(15*time.Minute)); got != 0 {
		t.Errorf("after the window: wait %v", got)
	}
}

func TestThrottleDelaysGrowInsteadOfLocking(t *testing.T) {
	th := booking.Throttle{Max: 3, Window: time.Hour, Delay: 15 * time.Second, MaxDelay: 5 * time.Minute}
	t0 := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	var fs []time.Time
	for i := range 12 {
		fs = append(fs, t0.Add(time.Duration(i)*time.Second))
	}
	for n, want := range map[int]time.Duration{2: 0, 3: 15 * time.Second, 4: 30 * time.Second, 5: time.Minute,
		7: 4 * time.Minute, 8: 5 * time.Minute, 12: 5 * time.Minute} {
		last := fs[n-1]
		if got := th.RetryAfter(fs[:n], last); got != want {
			t.Errorf("%d failures: wait %v, want %v", n, got, want)
		}
	}
	if got := th.RetryAfter(fs[:4], fs[3].Add(30*time.Second)); got != 0 {
		t.Errorf("after the delay: wait %v", got)
	}
}

func TestValidateSettingsNamesEachBadField(t *testing.T) {
	st := booking.DefaultSettings()
	if err := booking.ValidateSettings(st); err != nil {
		t.Fatalf("defaults refused: %v", err)
	}
	st.TimeZone, st.HorizonDays, st.DailyCap, st.Buffer, st.PracticeName = "Local", 0, -1, -time.Minute, " "
	err := booking.ValidateSettings(st)
	var e *booking.Error
	if !asError(err, &e) {
		t.Fatalf("err = %v", err)
	}
	for _, f := range []string{"timezone", "horizon_days", "daily_cap", "buffer_minutes", "practice_name"} {
		if e.Fields[f] == "" {
			t.Errorf("no message for %s in %v", f, e.Fields)
		}
	}
}

func asError(err error, e **booking.Error) bool {
	be, ok := err.(*booking.Error)
	*e = be
	return ok && be.Code == booking.EINVALID
}
