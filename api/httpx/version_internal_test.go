package httpx

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestVersionReadsAreShared: requests needing the version at once share
// one read, but never one begun before a write they must see.
func TestVersionReadsAreShared(t *testing.T) {
	now := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	changes := NewChanges(func() time.Time { return now })
	var reads atomic.Int64
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	vs := NewVersions(changes, func(ctx context.Context, _ time.Time) (string, time.Time, error) {
		n := reads.Add(1)
		started <- struct{}{}
		<-release
		return fmt.Sprint(n), now, nil
	})
	get := func(got *string, wg *sync.WaitGroup) {
		defer wg.Done()
		v, _, err := vs.Get(context.Background(), now, true)
		if err != nil {
			t.Error(err)
			return
		}
		*got = v.Value
	}

	// Ten requests at once: one read.
	var wg sync.WaitGroup
	first := make([]string, 10)
	wg.Add(1)
	go get(&first[0], &wg)
	<-started
	for i := 1; i < len(first); i++ {
		wg.Add(1)
		go get(&first[i], &wg)
	}
	time.Sleep(200 * time.Millisecond) // let them join the read under way
	// A write while that read is under way: a request after it must not
	// take the read begun before it.
	changes.writes.Add(1)
	var after string
	wg.Add(1)
	go get(&after, &wg)
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Error("the request after the write took the read begun before it")
	}
	close(release)
	wg.Wait()
	for i, v := range first {
		if v != "1" {
			t.Errorf("request %d got version %q, want the shared read's %q", i, v, "1")
		}
	}
	if after != "2" {
		t.Errorf("the request after the write got version %q, want a read of its own (%q)", after, "2")
	}
	if n := reads.Load(); n != 2 {
		t.Errorf("%d reads, want 2", n)
	}
}
