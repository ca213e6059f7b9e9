package api

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"consult/booking"
)

// TestPasswordChecksQueueForAFewSlots: however many checks arrive at once,
// no more than maxPasswordChecks argon2 computations (64 MiB each) run
// together; a check that cannot get a slot before its request ends fails
// as unavailable instead of piling up.
func TestPasswordChecksQueueForAFewSlots(t *testing.T) {
	s, err := New(Config{BaseURL: "http://consult.test"}, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if cap(s.passwordSlots) != maxPasswordChecks || maxPasswordChecks > 4 {
		t.Fatalf("%d slots, want maxPasswordChecks (%d, at most 4)", cap(s.passwordSlots), maxPasswordChecks)
	}
	var running, most atomic.Int32
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			err := s.withPasswordSlot(context.Background(), func() {
				n := running.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(5 * time.Millisecond)
				running.Add(-1)
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if m := most.Load(); m < 1 || m > maxPasswordChecks {
		t.Fatalf("%d computations at once, want at most %d", m, maxPasswordChecks)
	}

	// With every slot taken, a check gives up when its request does.
	for range maxPasswordChecks {
		s.passwordSlots <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	hash, err := HashPassword("a long enough passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := s.checkPassword(ctx, hash, "a long enough passphrase"); ok || booking.ErrorCode(err) != booking.EUNAVAILABLE {
		t.Fatalf("with no slot free: %v %v, want EUNAVAILABLE", ok, err)
	}
	<-s.passwordSlots
	if ok, err := s.checkPassword(context.Background(), hash, "a long enough passphrase"); !ok || err != nil {
		t.Fatalf("with a slot free: %v %v", ok, err)
	}
}
