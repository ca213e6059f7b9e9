package booking_test

import (
	"testing"
	"time"

	"consult/booking"
)

func TestParseClock(t *testing.T) {
	valid := []struct {
		in   string
		want booking.Clock
	}{
		{"00:00", 0},
		{"09:30", 570},
		{"23:59", 1439},
		{"24:00", 1440},
	}
	for _, tt := range valid {
		got, err := booking.ParseClock(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseClock(%q) = %d, %v; want %d, nil", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "24:01", "25:00", "09:60", "9:30", "09:3", "0930", "09-30", "ab:cd", "-1:00", "09:30:00"} {
		if got, err := booking.ParseClock(in); err == nil {
			t.Errorf("ParseClock(%q) = %d, nil; want an error", in, got)
		}
	}
}

func TestClockStringRoundTrips(t *testing.T) {
	for c := booking.Clock(0); c <= 24*60; c++ {
		got, err := booking.ParseClock(c.String())
		if err != nil || got != c {
			t.Fatalf("ParseClock(%q) = %d, %v; want %d", c.String(), got, err, c)
		}
	}
}

func TestTimeRangeValid(t *testing.T) {
	tests := []struct {
		r    booking.TimeRange
		want bool
	}{
		{booking.TimeRange{Start: 0, End: 1440}, true},
		{booking.TimeRange{Start: 540, End: 560}, true},
		{booking.TimeRange{Start: 540, End: 540}, false},
		{booking.TimeRange{Start: 600, End: 540}, false},
		{booking.TimeRange{Start: -1, End: 10}, false},
		{booking.TimeRange{Start: 0, End: 1441}, false},
	}
	for _, tt := range tests {
		if got := tt.r.Valid(); got != tt.want {
			t.Errorf("%v.Valid() = %v, want %v", tt.r, got, tt.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	got, err := booking.ParseDate("2026-03-08")
	if want := (booking.Date{Year: 2026, Month: time.March, Day: 8}); err != nil || got != want {
		t.Errorf("ParseDate = %v, %v; want %v", got, err, want)
	}
	if got.String() != "2026-03-08" {
		t.Errorf("String() = %q, want 2026-03-08", got.String())
	}
	for _, in := range []string{"", "2026-02-30", "2026-3-8", "08/03/2026", "2026-03-08T00:00:00Z"} {
		if d, err := booking.ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) = %v, nil; want an error", in, d)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-12-31", 1, "2027-01-01"},
		{"2028-02-28", 1, "2028-02-29"},
		{"2026-03-01", -1, "2026-02-28"},
		{"2026-03-08", 0, "2026-03-08"},
		{"2026-01-01", 365, "2027-01-01"},
	}
	for _, tt := range tests {
		if got := civilDate(tt.from).AddDays(tt.n); got != civilDate(tt.want) {
			t.Errorf("%s.AddDays(%d) = %v, want %s", tt.from, tt.n, got, tt.want)
		}
	}
	if got := civilDate("2026-06-01").Weekday(); got != time.Monday {
		t.Errorf("2026-06-01 is a %v, want Monday", got)
	}
	if got := civilDate("2026-03-08").Weekday(); got != time.Sunday {
		t.Errorf("2026-03-08 is a %v, want Sunday", got)
	}
	for _, tt := range []struct {
		d, e string
		want bool
	}{
		{"2026-03-08", "2026-03-09", true},
		{"2026-03-09", "2026-03-08", false},
		{"2026-03-08", "2026-03-08", false},
		{"2025-12-31", "2026-01-01", true},
		{"2026-02-28", "2026-03-01", true},
	} {
		if got := civilDate(tt.d).Before(civilDate(tt.e)); got != tt.want {
			t.Errorf("%s.Before(%s) = %v, want %v", tt.d, tt.e, got, tt.want)
		}
	}
}

func TestDateOfAndIn(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	if got := booking.DateOf(utcMinute("2026-06-01 03:00").In(la)); got != civilDate("2026-05-31") {
		t.Errorf("DateOf(03:00Z in LA) = %v, want 2026-05-31", got)
	}
	if got, want := civilDate("2026-06-01").In(wallClock("09:30"), la), utcMinute("2026-06-01 16:30"); !got.Equal(want) {
		t.Errorf("In(09:30, LA) = %v, want %v", got, want)
	}
	if got, want := civilDate("2026-06-01").In(wallClock("24:00"), time.UTC), utcMinute("2026-06-02 00:00"); !got.Equal(want) {
		t.Errorf("In(24:00, UTC) = %v, want the next day's midnight %v", got, want)
	}
}

func TestParseClockIsStrict(t *testing.T) {
	for _, bad := range []string{" 9:30", "+9:30", "09: 3", "9:30", "24:01", "12:60", "ab:cd"} {
		if _, err := booking.ParseClock(bad); err == nil {
			t.Errorf("ParseClock(%q) accepted", bad)
		}
	}
}

func TestDateInMidnightSkippedByDST(t *testing.T) {
	// Havana moves its clocks from 00:00 to 01:00 on 2026-03-08: the day
	// starts at the jump, not on the previous date.
	loc, err := time.LoadLocation("America/Havana")
	if err != nil {
		t.Skip(err)
	}
	got := booking.Date{Year: 2026, Month: 3, Day: 8}.In(0, loc)
	if booking.DateOf(got.In(loc)) != (booking.Date{Year: 2026, Month: 3, Day: 8}) || got.In(loc).Hour() != 1 {
		t.Errorf("midnight of 2026-03-08 in Havana = %s, want 01:00 that day", got.In(loc))
	}
}
