package storage_test

import (
	"context"
	"testing"
	"time"

	"consult/booking"
	"consult/storage"
)

func TestEraseExpiredKeepsCountsNotPeople(t *testing.T) {
	ctx := context.Background()
	pool := storage.NewTestDB(t)
	s := storage.New(pool)
	insert := func(start time.Time, email string) {
		t.Helper()
		_, tok := booking.NewToken()
		_, err := pool.Exec(ctx, `INSERT INTO bookings (starts_at, ends_at, name, email, phone, note, time_zone, manage_token_hash)
			VALUES ($1, $2, 'Olga Old', $3, '+1 555 0100', 'a note', 'UTC', $4)`, start, start.Add(20*time.Minute), email, tok)
		if err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	insert(now.AddDate(0, 0, -200), "old@example.org")
	insert(now.AddDate(0, 0, -100), "recent@example.org")
	insert(now.AddDate(0, 0, 3), "upcoming@example.org")

	n, err := s.EraseExpired(ctx, now.AddDate(0, 0, -180))
	if err != nil || n != 1 {
		t.Fatalf("EraseExpired = %d, %v; want 1", n, err)
	}
	var left, people int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE name <> 'Erased') FROM bookings`).Scan(&left, &people); err != nil {
		t.Fatal(err)
	}
	if left != 3 || people != 2 {
		t.Errorf("%d bookings left, %d with a person; want 3 and 2", left, people)
	}
	var leak int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM bookings WHERE email = 'old@example.org' OR phone <> '' AND name = 'Erased'`).Scan(&leak); err != nil || leak != 0 {
		t.Errorf("personal data left after erasure (%d rows, %v)", leak, err)
	}
	if n, _ := s.EraseExpired(ctx, now.AddDate(0, 0, -180)); n != 0 {
		t.Errorf("second run erased %d again", n)
	}
}
