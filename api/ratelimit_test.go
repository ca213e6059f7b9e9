package api_test

import (
	"fmt"
	"testing"
	"time"

	"consult/api"
)

func TestRateLimitPerAddress(t *testing.T) {
	a := newTestAPIWith(t, api.Config{BaseURL: "http://consult.test", RateLimitPerMinute: 3})
	slots := a.slots(wednesday)
	var last response
	for i := range 4 {
		last = a.do("POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"R","email":"r%d@example.org"}`,
			slots[i*3].Format(time.RFC3339), i), nil)
	}
	if last.Status != 429 {
		t.Fatalf("fourth booking in a minute: %d, want 429", last.Status)
	}
	if last.Header.Get("Retry-After") != "20" {
		t.Errorf("Retry-After = %q, want 20", last.Header.Get("Retry-After"))
	}
	last.problem(t)
	if n := a.bookingCount(""); n != 3 {
		t.Errorf("%d bookings stored, want 3", n)
	}
	// Reading a booking has its own budget.
	if r := a.do("GET", "/api/v1/bookings/AAAAAAAAAAAAAAAAAAAAAA", nil, nil); r.Status != 404 {
		t.Errorf("manage budget shared with booking: %d", r.Status)
	}
	// Slots are not limited.
	a.slots(wednesday)
}
