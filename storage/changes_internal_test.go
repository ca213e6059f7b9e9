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

// TestChangedSinceTakesTheLaterOfEachCount expects a version read before
// a copy's data in one count, and after it in another, to bring the copy
// up to the later of each: only the changes the copy lacks.
func TestChangedSinceTakesTheLaterOfEachCount(t *testing.T) {
	s := &Store{changes: &knownChanges{}}
	at := func(shard int, n int64) booking.BusyChange {
		start := time.Date(2026, 12, 3, 9+shard, int(n), 0, 0, time.UTC)
		return booking.BusyChange{Interval: booking.Interval{Start: start, End: start.Add(20 * time.Minute)}, Taken: true}
	}
	for _, st := range []changeStep{{3, 1}, {5, 1}, {5, 2}} {
		s.changes.expect(st, at(st.shard, st.count))
		s.changes.settle(st, true)
	}
	version := func(counts map[int]int64) string {
		c := make([]int64, changeShards)
		for shard, n := range counts {
			c[shard] = n
		}
		return formatVersion(1, 0, 0, c)
	}
	copyOf := version(map[int]int64{3: 1, 5: 1}) // the copy has shard 3's change and shard 5's first
	read := version(map[int]int64{5: 2})         // read before shard 3's change, after shard 5's second
	changes, got, ok := s.ChangedSince(copyOf, read)
	if !ok || len(changes) != 1 || changes[0] != at(5, 2) {
		t.Fatalf("changes %v (known %v), want only shard 5's second", changes, ok)
	}
	if want := version(map[int]int64{3: 1, 5: 2}); got != want {
		t.Errorf("the copy is of %s, want %s", got, want)
	}
	if changes, got, ok := s.ChangedSince(copyOf, version(map[int]int64{3: 1})); !ok || len(changes) != 0 || got != copyOf {
		t.Errorf("a version older in every count: %v, %s, %v; want nothing, the copy's own, known", changes, got, ok)
	}
}
