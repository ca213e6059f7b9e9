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

// TestManageBudgetIsItsOwn: reading, cancelling and rescheduling by token
// share one budget per address, separate from booking's.
func TestManageBudgetIsItsOwn(t *testing.T) {
	a := newTestAPIWith(t, api.Config{BaseURL: "http://consult.test", RateLimitPerMinute: 3})
	tok := a.book(a.slots(wednesday)[0], "M").token()
	paths := []struct{ method, path, body string }{
		{"GET", "/api/v1/bookings/" + tok, ""},
		{"POST", "/api/v1/bookings/" + tok + "/reschedule", `{"start":"2026-12-02T17:00:00Z"}`},
		{"GET", "/api/v1/bookings/AAAAAAAAAAAAAAAAAAAAAA", ""},
		{"DELETE", "/api/v1/bookings/" + tok, ""},
	}
	var last response
	for _, p := range paths {
		var body any
		if p.body != "" {
			body = p.body
		}
		last = a.do(p.method, p.path, body, nil)
	}
	if last.Status != 429 {
		t.Fatalf("fourth request by token within a minute: %d, want 429", last.Status)
	}
	if n := a.bookingCount("cancelled"); n != 0 {
		t.Error("a rate-limited cancel went through")
	}
	// Booking still has budget left (one of three used).
	if r := a.do("POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"N","email":"n@example.org"}`,
		a.slots(wednesday)[6].Format(time.RFC3339)), nil); r.Status != 201 {
		t.Errorf("booking after the manage budget ran out: %d", r.Status)
	}
}
