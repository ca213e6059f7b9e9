package api_test

import (
	"net/http"
	"testing"
	"time"
)

// TestFeedRevalidationSeesChangesSoon expects a revalidation of the
// open-slots feed to cost no query while nothing changes, to see a change
// made through this server at once, and one made straight in the
// database, as by another instance, within a second; a full request
// always sees it at once.
func TestFeedRevalidationSeesChangesSoon(t *testing.T) {
	f := newFeedTest(t)
	tag := f.get(availabilityPath).Header.Get("ETag")
	revalidate := func() (int, int64) {
		t.Helper()
		r, n := f.fetch("GET", availabilityPath, map[string]string{"If-None-Match": tag})
		return r.Status, n
	}
	if status, _ := revalidate(); status != http.StatusNotModified {
		t.Fatalf("unchanged: %d, want 304", status)
	}
	if status, n := revalidate(); status != http.StatusNotModified || n != 0 {
		t.Errorf("unchanged, again: %d after %d queries, want 304 after none", status, n)
	}

	f.book(f.slots(wednesday)[0], "Ada Lovelace")
	if status, _ := revalidate(); status != http.StatusOK {
		t.Errorf("after a booking through this server: %d, want 200", status)
	}

	tag = f.get(availabilityPath).Header.Get("ETag")
	revalidate()
	f.exec(t, `INSERT INTO time_off (first_day, last_day) VALUES ($1, $1)`, wednesday)
	// The version read a moment ago is still trusted, for up to a second.
	f.clock.Add(500 * time.Millisecond)
	if status, n := revalidate(); status != http.StatusNotModified || n != 0 {
		t.Errorf("half a second after a change made elsewhere: %d after %d queries, want 304 from the copy", status, n)
	}
	f.clock.Add(600 * time.Millisecond)
	if status, _ := revalidate(); status != http.StatusOK {
		t.Fatalf("a change made elsewhere: still %d after 1.1 s, want 200", status)
	}
	f.exec(t, `DELETE FROM time_off`)
	if r := f.get(availabilityPath); r.Header.Get("ETag") == tag {
		t.Error("a full request after a change elsewhere: the old tag")
	}
}
