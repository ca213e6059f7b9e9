package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"consult/booking"
	"consult/storage"
	"consult/storage/storagetest"
)

// lockTestNow is the clock of the booking-lock tests: Tuesday 1 December
// 2026, 08:00 in Los Angeles.
var lockTestNow = time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)

// lockTestService returns a service on a fresh database with the default
// settings (a daily cap of 6) and the demo hours.
func lockTestService(t *testing.T, opts ...booking.Option) (*booking.Service, func(status string) int) {
	t.Helper()
	ctx := context.Background()
	pool := storagetest.NewDB(t)
	store := storage.New(pool)
	if err := store.InitSettings(ctx, booking.DefaultSettings(), settingsCreated); err != nil {
		t.Fatal(err)
	}
	if _, err := store.SeedDemoHours(ctx, settingsCreated); err != nil {
		t.Fatal(err)
	}
	count := func(status string) int {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM bookings WHERE status = $1`, status).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	return booking.NewService(store, func() time.Time { return lockTestNow }, opts...), count
}

// freeOn returns the free slots of a practice-local day (Los Angeles).
func freeOn(t *testing.T, svc *booking.Service, day string) []booking.Slot {
	t.Helper()
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	d, err := time.ParseInLocation(time.DateOnly, day, loc)
	if err != nil {
		t.Fatal(err)
	}
	slots, _, err := svc.Slots(context.Background(), d, d.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(slots) == 0 {
		t.Fatalf("no free slots on %s", day)
	}
	return slots
}

// race books every request at the same moment and returns how many were
// booked; every refusal must be a conflict or a refused time, never an
// internal error.
func race(t *testing.T, svc *booking.Service, reqs []booking.Request) int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	start := make(chan struct{})
	booked := 0
	for _, req := range reqs {
		wg.Go(func() {
			<-start
			_, _, err := svc.Book(context.Background(), req, "")
			mu.Lock()
			defer mu.Unlock()
			switch code := booking.ErrorCode(err); {
			case err == nil:
				booked++
			case code != booking.ECONFLICT && code != booking.EINVALID:
				t.Errorf("booking %s: %v", req.Start, err)
			}
		})
	}
	close(start)
	wg.Wait()
	return booked
}

// The daily cap counts the day's bookings, which the exclusion constraint
// cannot: bookings of different times of one day race for it.
func TestConcurrentBookingsKeepTheDailyCap(t *testing.T) {
	svc, count := lockTestService(t)
	slots := freeOn(t, svc, "2026-12-02")
	if cap := booking.DefaultSettings().DailyCap; len(slots) <= cap {
		t.Fatalf("%d free slots, want more than the cap of %d", len(slots), cap)
	}
	var reqs []booking.Request
	for i, sl := range slots {
		reqs = append(reqs, booking.Request{Start: sl.Start, Name: "Racer", Email: fmt.Sprintf("racer%d@example.org", i)})
	}
	want := booking.DefaultSettings().DailyCap
	if got := race(t, svc, reqs); got != want {
		t.Errorf("%d of %d bookings of one day went through, want the cap of %d", got, len(reqs), want)
	}
	if got := count("confirmed"); got != want {
		t.Errorf("%d confirmed bookings stored, want %d", got, want)
	}
}

// weeksApart returns one free slot on each of n Wednesdays, a week apart:
// no two of them read each other's day, so only the locks of the limits
// stand between them.
func weeksApart(t *testing.T, svc *booking.Service, n int) []time.Time {
	t.Helper()
	var out []time.Time
	for i := range n {
		day := time.Date(2026, 12, 2+7*i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		out = append(out, freeOn(t, svc, day)[0].Start)
	}
	return out
}

// The limits per inbox count its bookings on every day.
func TestConcurrentBookingsKeepTheEmailLimit(t *testing.T) {
	svc, count := lockTestService(t, booking.WithLimits(booking.ClientLimits{MaxUpcoming: 1}))
	var reqs []booking.Request
	for i, start := range weeksApart(t, svc, 8) {
		// One inbox, spelt two ways.
		email := "dana@example.org"
		if i%2 == 1 {
			email = "Dana+" + fmt.Sprint(i) + "@example.org"
		}
		reqs = append(reqs, booking.Request{Start: start, Name: "Dana", Email: email})
	}
	if got := race(t, svc, reqs); got != 1 {
		t.Errorf("%d bookings for one inbox went through at once, want 1", got)
	}
	if got := count("confirmed"); got != 1 {
		t.Errorf("%d confirmed bookings stored, want 1", got)
	}
}

// The limit per network counts its bookings on every day.
func TestConcurrentBookingsKeepTheNetworkLimit(t *testing.T) {
	const limit = 2
	svc, count := lockTestService(t, booking.WithLimits(booking.ClientLimits{MaxUpcomingPerNetwork: limit}))
	var reqs []booking.Request
	for i, start := range weeksApart(t, svc, 8) {
		reqs = append(reqs, booking.Request{Start: start, Name: "Filler", Email: fmt.Sprintf("filler%d@example.org", i),
			Address: fmt.Sprintf("203.0.113.%d", 10+i)})
	}
	if got := race(t, svc, reqs); got != limit {
		t.Errorf("%d bookings from one network went through at once, want %d", got, limit)
	}
	if got := count("confirmed"); got != limit {
		t.Errorf("%d confirmed bookings stored, want %d", got, limit)
	}
}
