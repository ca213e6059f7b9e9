package api_test

import (
	"encoding/json"
	"testing"
	"time"
)

// TestABookingAndItsCancellationTakeFewRoundTrips books a time the slots
// offer and cancels it through the API, and counts the round trips to
// the database each takes: a booking is its BEGIN with its locks and its
// check (under the schedule the slots were computed from), then its row
// with what follows it and its COMMIT; a cancellation is its BEGIN with
// its read, then its update with what follows it and its COMMIT; the
// slots after a booking read nothing. Under
// make bench's mixed load each round trip costs both the service and
// PostgreSQL.
func TestABookingAndItsCancellationTakeFewRoundTrips(t *testing.T) {
	h, queries := newBenchSite(t)
	serve := func(method, path, body string) []byte {
		t.Helper()
		return serveOK(t, h, method, path, body, "application/json")
	}
	roundTrips := func() int64 { return queries.n.Load() + queries.batches.Load() }
	var list slotList
	if err := json.Unmarshal(serve("GET", "/api/v1/slots?from=2026-12-02&to=2026-12-15", ""), &list); err != nil || len(list.Slots) == 0 {
		t.Fatalf("no slots: %v", err)
	}
	before := roundTrips()
	var b bookingBody
	if err := json.Unmarshal(serve("POST", "/api/v1/bookings",
		`{"start": "`+list.Slots[0].Start.Format(time.RFC3339)+`", "name": "Ada Lovelace", "email": "ada@example.org"}`), &b); err != nil {
		t.Fatal(err)
	}
	if n := roundTrips() - before; n != 2 {
		t.Errorf("a booking took %d round trips, want 2", n)
	}
	// The version read before, brought forward by the booking: the slots
	// after it need nothing from the database, and leave its time out.
	before = roundTrips()
	var after slotList
	if err := json.Unmarshal(serve("GET", "/api/v1/slots?from=2026-12-02&to=2026-12-15", ""), &after); err != nil {
		t.Fatal(err)
	}
	if n := roundTrips() - before; n != 0 {
		t.Errorf("the slots after a booking took %d round trips, want 0", n)
	}
	if len(after.Slots) == 0 || after.Slots[0].Start.Equal(list.Slots[0].Start) {
		t.Errorf("the slots after booking %v still start with it", list.Slots[0].Start)
	}
	before = roundTrips()
	serve("DELETE", "/api/v1/bookings/"+b.token(), "")
	if n := roundTrips() - before; n != 2 {
		t.Errorf("a cancellation took %d round trips, want 2", n)
	}
}
