package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"consult/booking"
	"consult/storage"
	"consult/storage/storagetest"
)

// TestScheduleAndBusyReadAsBoth expects the one-round-trip read to answer
// as Schedule and Busy do, after changes made straight in the database
// to the hours and to the bookings alike.
func TestScheduleAndBusyReadAsBoth(t *testing.T) {
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
	from, to := booking.Date{Year: 2026, Month: 12, Day: 1}, booking.Date{Year: 2026, Month: 12, Day: 14}
	busyFrom, busyTo := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC)
	compare := func(when string) {
		t.Helper()
		gotSched, gotBusy, err := s.ScheduleAndBusy(ctx, from, to, busyFrom, busyTo)
		if err != nil {
			t.Fatal(err)
		}
		wantSched, err := s.Schedule(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		wantBusy, err := s.Busy(ctx, busyFrom, busyTo)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wantSched, gotSched); diff != "" {
			t.Errorf("%s: schedule differs (-Schedule +ScheduleAndBusy):\n%s", when, diff)
		}
		if diff := cmp.Diff(wantBusy, gotBusy); diff != "" {
			t.Errorf("%s: busy times differ (-Busy +ScheduleAndBusy):\n%s", when, diff)
		}
	}
	book := func(start time.Time, status string) {
		t.Helper()
		_, hash := booking.NewToken()
		exec(`INSERT INTO bookings (starts_at, ends_at, status, name, email, time_zone, manage_token_hash, created_at, updated_at)
			VALUES ($1, $2, $3, 'N', 'n@example.org', 'UTC', $4, $5, $5)`, start, start.Add(20*time.Minute), status, hash, settingsCreated)
	}
	compare("empty")
	exec(`INSERT INTO weekly_windows (weekday, start_minute, end_minute) VALUES (2, 540, 720)`)
	exec(`UPDATE practice_settings SET buffer_minutes = 15`)
	book(time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC), "confirmed")
	book(time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC), "cancelled")
	book(time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC), "completed")
	compare("after hours, a rule and bookings")
	got, busy, err := s.ScheduleAndBusy(ctx, from, to, busyFrom, busyTo)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Weekly) != 1 || got.Settings.Buffer != 15*time.Minute || len(busy) != 2 {
		t.Errorf("read %d weekly windows, buffer %s, %d busy times; want 1, 15m0s, 2", len(got.Weekly), got.Settings.Buffer, len(busy))
	}
}
