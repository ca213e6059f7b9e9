package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"consult/booking"
	"consult/storage"
	"consult/storage/storagetest"
)

// TestScheduleCopyFollowsEveryChange reads the schedule through one Store
// while changes arrive straight in the database, as from another
// instance, and expects each read to show them at once, with the
// overrides of exactly the dates asked for.
func TestScheduleCopyFollowsEveryChange(t *testing.T) {
	ctx := context.Background()
	pool := storagetest.NewDB(t)
	s := storage.New(pool)
	if err := s.InitSettings(ctx, booking.DefaultSettings(), settingsCreated); err != nil {
		t.Fatal(err)
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	day := func(s string) booking.Date {
		d, err := booking.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	read := func(from, to string) booking.Schedule {
		t.Helper()
		sched, err := s.Schedule(ctx, day(from), day(to))
		if err != nil {
			t.Fatal(err)
		}
		return sched
	}

	if got := read("2026-12-01", "2026-12-14"); len(got.Weekly) != 0 || len(got.Overrides) != 0 {
		t.Fatalf("empty schedule read as %+v", got)
	}
	exec(`INSERT INTO weekly_windows (weekday, start_minute, end_minute) VALUES (1, 540, 720)`)
	exec(`INSERT INTO date_overrides (day, closed) VALUES ('2026-12-03', false), ('2027-03-01', true)`)
	exec(`INSERT INTO override_windows (day, start_minute, end_minute) VALUES ('2026-12-03', 600, 660)`)
	exec(`INSERT INTO time_off (first_day, last_day) VALUES ('2026-12-10', '2026-12-11')`)
	want := booking.Schedule{
		Weekly: []booking.WeeklyWindow{{Weekday: 1, TimeRange: booking.TimeRange{Start: 540, End: 720}}},
		Overrides: []booking.Override{
			{Date: day("2026-12-03"), Windows: []booking.TimeRange{{Start: 600, End: 660}}},
			{Date: day("2026-12-10"), Closed: true},
			{Date: day("2026-12-11"), Closed: true},
		},
	}
	got := read("2026-12-01", "2026-12-14")
	if diff := cmp.Diff(want.Weekly, got.Weekly); diff != "" {
		t.Errorf("weekly hours (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want.Overrides, got.Overrides); diff != "" {
		t.Errorf("overrides (-want +got):\n%s", diff)
	}
	// A narrower window from the same copy, and one beyond it.
	if got := read("2026-12-04", "2026-12-10"); len(got.Overrides) != 1 || got.Overrides[0].Date != day("2026-12-10") {
		t.Errorf("4–10 December: overrides %+v", got.Overrides)
	}
	if got := read("2027-02-20", "2027-03-05"); len(got.Overrides) != 1 || !got.Overrides[0].Closed {
		t.Errorf("around 1 March: overrides %+v", got.Overrides)
	}
	// What a caller does with its copy stays its own.
	got = read("2026-12-01", "2026-12-14")
	got.Weekly[0].End = 1
	got.Overrides[0].Windows[0].End = 1
	if again := read("2026-12-01", "2026-12-14"); again.Weekly[0].End != 720 || again.Overrides[0].Windows[0].End != 660 {
		t.Error("a caller's change reached the shared copy")
	}

	exec(`UPDATE practice_settings SET practice_name = 'Renamed', min_notice_minutes = 60`)
	if got := read("2026-12-01", "2026-12-01"); got.Settings.PracticeName != "Renamed" || got.Settings.MinNotice.Minutes() != 60 {
		t.Errorf("settings after a change: %+v", got.Settings)
	}
	exec(`DELETE FROM time_off`)
	if got := read("2026-12-01", "2026-12-14"); len(got.Overrides) != 1 {
		t.Errorf("time off removed, overrides %+v", got.Overrides)
	}
	exec(`DELETE FROM weekly_windows`)
	if got := read("2026-12-01", "2026-12-14"); len(got.Weekly) != 0 {
		t.Errorf("weekly hours removed, still %+v", got.Weekly)
	}
}

// TestBookingChecksSeeEveryScheduleChange books through one Store while
// the hours change straight in the database, as from another instance,
// and expects the check inside each booking's transaction to be given
// the hours as they are, the process's copy being used only while it
// still holds.
func TestBookingChecksSeeEveryScheduleChange(t *testing.T) {
	ctx := context.Background()
	pool := storagetest.NewDB(t)
	s := storage.New(pool)
	if err := s.InitSettings(ctx, booking.DefaultSettings(), settingsCreated); err != nil {
		t.Fatal(err)
	}
	start := lockTestNow.Add(48 * time.Hour)
	// checked returns the weekly hours a booking's check was given; the
	// check refuses, so nothing is booked.
	checked := func() []booking.WeeklyWindow {
		t.Helper()
		var got []booking.WeeklyWindow
		refuse := errors.New("refused by the test")
		_, err := s.CreateBooking(ctx, booking.NewBooking{Start: start, End: start.Add(20 * time.Minute),
			Name: "Ada", Email: "ada@example.org", TimeZone: "UTC", TokenHash: []byte("t"), Now: lockTestNow},
			func(sched booking.Schedule, _ []booking.Interval) error {
				got = sched.Weekly
				return refuse
			})
		if !errors.Is(err, refuse) {
			t.Fatalf("booking: %v", err)
		}
		return got
	}
	exec := func(sql string) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	window := func(end booking.Clock) []booking.WeeklyWindow {
		return []booking.WeeklyWindow{{Weekday: time.Thursday, TimeRange: booking.TimeRange{Start: 540, End: end}}}
	}

	exec(`INSERT INTO weekly_windows (weekday, start_minute, end_minute) VALUES (4, 540, 720)`)
	for _, copied := range []bool{false, true} {
		if copied {
			// The copy read, and still holding.
			if _, err := s.Schedule(ctx, booking.DateOf(start), booking.DateOf(start)); err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff(window(720), checked()); diff != "" {
			t.Errorf("copied %v: hours checked (-want +got):\n%s", copied, diff)
		}
	}
	// Changed elsewhere: the copy no longer holds.
	exec(`UPDATE weekly_windows SET end_minute = 600`)
	if diff := cmp.Diff(window(600), checked()); diff != "" {
		t.Errorf("after a change: hours checked (-want +got):\n%s", diff)
	}
}

// TestNewBookingsCheckSeesExpiredHoldsGone books, under the process's
// copy of the schedule (whose check is sent with the locks), a time a
// hold kept until a moment ago: the check must be given the bookings as
// they are once that hold has expired, not as they were read with the
// locks.
func TestNewBookingsCheckSeesExpiredHoldsGone(t *testing.T) {
	ctx := context.Background()
	s := storage.New(storagetest.NewDB(t))
	if err := s.InitSettings(ctx, booking.DefaultSettings(), settingsCreated); err != nil {
		t.Fatal(err)
	}
	start := lockTestNow.Add(48 * time.Hour)
	end := start.Add(20 * time.Minute)
	book := func(email string, now, holdUntil time.Time) error {
		_, hash := booking.NewToken()
		_, err := s.CreateBooking(ctx, booking.NewBooking{Start: start, End: end, Name: "Ada", Email: email,
			TimeZone: "UTC", TokenHash: hash, Now: now, HoldUntil: holdUntil},
			func(_ booking.Schedule, held []booking.Interval) error {
				for _, h := range held {
					if h.Start.Before(end) && start.Before(h.End) {
						return booking.Errorf(booking.ECONFLICT, "taken")
					}
				}
				return nil
			})
		return err
	}
	if _, err := s.Schedule(ctx, booking.DateOf(start), booking.DateOf(start)); err != nil {
		t.Fatal(err)
	}
	if err := book("ada@example.org", lockTestNow, lockTestNow.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := book("bo@example.org", lockTestNow.Add(5*time.Minute), time.Time{}); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("booking a time held: %v, want a conflict", err)
	}
	if err := book("bo@example.org", lockTestNow.Add(11*time.Minute), time.Time{}); err != nil {
		t.Fatalf("booking a time whose hold has expired: %v", err)
	}
}
