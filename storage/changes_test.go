package storage_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"consult/booking"
	"consult/storage"
	"consult/storage/storagetest"
)

// TestChangesBetweenVersionsAreKnownOnlyWhenMadeHere books and cancels
// through one Store while other writers change the data too (another
// instance on the same database, an admin transaction, the schedule,
// a row written straight in the database), and expects the change
// between two versions to be told only when this Store made every step
// of it, with the times it changed.
func TestChangesBetweenVersionsAreKnownOnlyWhenMadeHere(t *testing.T) {
	ctx := context.Background()
	pool := storagetest.NewDB(t)
	here, elsewhere := storage.New(pool), storage.New(pool)
	if err := here.InitSettings(ctx, booking.DefaultSettings(), settingsCreated); err != nil {
		t.Fatal(err)
	}
	now := lockTestNow
	version := func() string {
		t.Helper()
		v, _, err := here.AvailabilityFeedVersion(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	allow := func(booking.Schedule, []booking.Interval) error { return nil }
	n := 0
	tokens := map[int64][]byte{}
	book := func(s *storage.Store, start time.Time) *booking.Booking {
		t.Helper()
		n++
		b, err := s.CreateBooking(ctx, booking.NewBooking{Start: start, End: start.Add(20 * time.Minute),
			Name: "Ada", Email: fmt.Sprintf("ada%d@example.org", n), TimeZone: "UTC",
			TokenHash: []byte(fmt.Sprint("token ", n)), Now: now}, allow)
		if err != nil {
			t.Fatal(err)
		}
		tokens[b.ID] = []byte(fmt.Sprint("token ", n))
		return b
	}
	cancel := func(s *storage.Store, b *booking.Booking) {
		t.Helper()
		if _, err := s.CancelBooking(ctx, tokens[b.ID], now, func(*booking.Booking) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	taken := func(b *booking.Booking) booking.BusyChange {
		return booking.BusyChange{Interval: booking.Interval{Start: b.Start, End: b.End}, Taken: true}
	}
	given := func(b *booking.Booking) booking.BusyChange {
		return booking.BusyChange{Interval: booking.Interval{Start: b.Start, End: b.End}}
	}
	expect := func(what, from, to string, want ...booking.BusyChange) {
		t.Helper()
		got, ok := here.ChangedBetween(from, to)
		if want == nil {
			if ok {
				t.Errorf("%s: told %v, want unknown", what, got)
			}
			return
		}
		byStart := func(a, b booking.BusyChange) int {
			if c := a.Start.Compare(b.Start); c != 0 {
				return c
			}
			return cmp.Compare(fmt.Sprint(a.Taken), fmt.Sprint(b.Taken))
		}
		slices.SortFunc(got, byStart)
		slices.SortFunc(want, byStart)
		if !ok || !slices.Equal(got, want) {
			t.Errorf("%s: told %v (known %v), want %v", what, got, ok, want)
		}
	}

	start := lockTestNow.Add(48 * time.Hour)
	v0 := version()
	if got, ok := here.ChangedBetween(v0, v0); !ok || len(got) != 0 {
		t.Errorf("no change: told %v, known %v; want nothing, known", got, ok)
	}
	a := book(here, start)
	v1 := version()
	expect("a booking here", v0, v1, taken(a))
	b := book(here, start.Add(time.Hour))
	cancel(here, a)
	v2 := version()
	expect("a booking and a cancellation here", v1, v2, taken(b), given(a))
	expect("three changes here", v0, v2, taken(a), taken(b), given(a))
	expect("backwards", v2, v0)

	book(elsewhere, start.Add(2*time.Hour))
	v3 := version()
	expect("a booking by another instance", v2, v3)
	c := book(here, start.Add(3*time.Hour))
	v4 := version()
	expect("a booking here after one elsewhere", v3, v4, taken(c))
	expect("across the booking elsewhere", v2, v4)

	if err := here.InTx(ctx, func(tx booking.AdminStore) error {
		_, err := tx.CreateBooking(ctx, booking.NewBooking{Start: start.Add(4 * time.Hour), End: start.Add(4*time.Hour + 20*time.Minute),
			Name: "Ada", Email: "ada-admin@example.org", TimeZone: "UTC", TokenHash: []byte("admin token"), Now: now}, allow)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	v5 := version()
	expect("a booking inside a transaction of the caller's", v4, v5)

	if _, err := pool.Exec(ctx, `UPDATE bookings SET note = 'edited' WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	v6 := version()
	expect("a row written in the database", v5, v6)

	d := book(here, start.Add(5*time.Hour))
	if _, err := pool.Exec(ctx, `INSERT INTO weekly_windows (weekday, start_minute, end_minute) VALUES (1, 540, 720)`); err != nil {
		t.Fatal(err)
	}
	v7 := version()
	expect("a booking here and new hours", v6, v7)
	if _, ok := here.ChangedBetween(v6, v7); ok {
		t.Errorf("%v's booking with new hours: known", d.Start)
	}
}
