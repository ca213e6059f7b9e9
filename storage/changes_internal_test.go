package storage

import (
	"testing"
	"time"

	"consult/booking"
)

// TestAChangeIsKnownOnlyOnceCommitted expects a step whose transaction
// has not said yet whether it committed to be waited for, known when it
// did, and unknown when it rolled back or does not say in time.
func TestAChangeIsKnownOnlyOnceCommitted(t *testing.T) {
	iv := booking.BusyChange{Interval: booking.Interval{Start: time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)}, Taken: true}
	iv.End = iv.Start.Add(20 * time.Minute)
	from := formatVersion(1, 0, 0, make([]int64, changeShards))
	counts := make([]int64, changeShards)
	counts[3] = 1
	to := formatVersion(1, 1, 0, counts)
	step := changeStep{shard: 3, count: 1}

	for _, committed := range []bool{true, false} {
		s := &Store{changes: &knownChanges{}}
		s.changes.expect(step, iv)
		type told struct {
			times []booking.BusyChange
			ok    bool
		}
		answer := make(chan told)
		go func() {
			times, ok := s.ChangedBetween(from, to)
			answer <- told{times, ok}
		}()
		time.Sleep(settleWait / 10) // ChangedBetween is waiting by now
		s.changes.settle(step, committed)
		got := <-answer
		if got.ok != committed || (committed && (len(got.times) != 1 || got.times[0] != iv)) {
			t.Errorf("committed %v: told %v, known %v", committed, got.times, got.ok)
		}
	}

	s := &Store{changes: &knownChanges{}}
	s.changes.expect(step, iv)
	begun := time.Now() // a duration only: how long ChangedBetween waited
	if times, ok := s.ChangedBetween(from, to); ok {
		t.Errorf("never settled: told %v, known", times)
	}
	if waited := time.Since(begun); waited < settleWait {
		t.Errorf("gave up after %v, want %v", waited, settleWait)
	}
	if _, ok := s.ChangedBetween(from, from); !ok {
		t.Error("no change between a version and itself: unknown")
	}
}
