package password

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"consult/booking"
)

// TestPasswordChecksQueueForAFewSlots: however many checks arrive at once,
// no more than maxHashes argon2 computations (64 MiB each) run together;
// a check that cannot get a slot before its request ends fails as
// unavailable instead of piling up.
func TestPasswordChecksQueueForAFewSlots(t *testing.T) {
	h := NewHasher()
	if cap(h.slots) != maxHashes || maxHashes > 4 {
		t.Fatalf("%d slots, want maxHashes (%d, at most 4)", cap(h.slots), maxHashes)
	}
	var running, most atomic.Int32
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			err := h.within(context.Background(), func() {
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
	if m := most.Load(); m < 1 || m > maxHashes {
		t.Fatalf("%d computations at once, want at most %d", m, maxHashes)
	}

	// With every slot taken, a check gives up when its request does.
	for range maxHashes {
		h.slots <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	hash, err := Hash("a long enough passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := h.Verify(ctx, hash, "a long enough passphrase"); ok || booking.ErrorCode(err) != booking.EUNAVAILABLE {
		t.Fatalf("with no slot free: %v %v, want EUNAVAILABLE", ok, err)
	}
	<-h.slots
	if ok, err := h.Verify(context.Background(), hash, "a long enough passphrase"); !ok || err != nil {
		t.Fatalf("with a slot free: %v %v", ok, err)
	}
}
