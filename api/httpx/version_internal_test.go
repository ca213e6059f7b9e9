package httpx

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"consult/booking"
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

// TestWatchedWritesAdvanceTheVersion sends writes through Changes.Note
// and expects a watched one to bring the latest version forward without
// a read, as long as that version was fresh but for it; and a read
// afresh after an unwatched write, after a write that cannot advance it,
// and once the version's time to live since its reading is over.
func TestWatchedWritesAdvanceTheVersion(t *testing.T) {
	now := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	changes := NewChanges(func() time.Time { return now })
	var reads atomic.Int64
	vs := NewVersions(changes, func(context.Context, time.Time) (string, time.Time, error) {
		return fmt.Sprintf("read%d", reads.Add(1)), now, nil
	})
	e := echo.New()
	write := func(watched bool, advance func(string) (string, time.Time, bool)) {
		t.Helper()
		h := changes.Note(func(c echo.Context) error {
			if watched {
				ctx := vs.Watch(c)
				if advance != nil {
					booking.CommitWatcherOf(ctx).Committed(advance)
				}
			}
			return c.String(http.StatusCreated, "booked")
		})
		c := e.NewContext(httptest.NewRequest(http.MethodPost, "/api/v1/bookings", nil), httptest.NewRecorder())
		if err := h(c); err != nil {
			t.Fatal(err)
		}
	}
	get := func() string {
		t.Helper()
		v, _, err := vs.Get(context.Background(), now, true)
		if err != nil {
			t.Fatal(err)
		}
		return v.Value
	}
	plus := func(v string) (string, time.Time, bool) { return v + "+", now.Add(time.Minute), true }

	if got := get(); got != "read1" {
		t.Fatalf("first version %q", got)
	}
	write(true, plus)
	if got := get(); got != "read1+" || reads.Load() != 1 {
		t.Fatalf("after a watched write: %q after %d reads, want read1+ without a read", got, reads.Load())
	}
	write(true, plus)
	if got := get(); got != "read1++" || reads.Load() != 1 {
		t.Fatalf("after a second: %q after %d reads, want read1++ without a read", got, reads.Load())
	}
	if v, _ := vs.Recent(); v.Changed != now.Add(time.Minute) {
		t.Fatalf("changed %v, want the write's", v.Changed)
	}
	write(false, nil)
	write(true, plus) // follows a write the version does not show
	if got := get(); got != "read2" {
		t.Fatalf("after an unwatched write: %q, want a read", got)
	}
	write(true, func(string) (string, time.Time, bool) { return "", time.Time{}, false })
	if got := get(); got != "read3" {
		t.Fatalf("after a write that could not advance it: %q, want a read", got)
	}
	write(true, nil) // refused: it committed nothing
	if got := get(); got != "read4" {
		t.Fatalf("after a refused write: %q, want a read", got)
	}
	now = now.Add(VersionTTL)
	write(true, plus)
	if got := get(); got != "read5" {
		t.Fatalf("a version read %v before: %q, want a read", VersionTTL, got)
	}
}
