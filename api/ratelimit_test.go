package api_test

import (
	"fmt"
	"net/http"
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

// TestManageBudgetIsItsOwn: cancelling and rescheduling by token share
// one budget per address, separate from booking's; reading by token
// spends none of it.
func TestManageBudgetIsItsOwn(t *testing.T) {
	a := newTestAPIWith(t, api.Config{BaseURL: "http://consult.test", RateLimitPerMinute: 3})
	slots := a.slots(wednesday)
	tok := a.book(slots[0], "M").token()
	paths := []struct{ method, path, body string }{
		{"POST", "/api/v1/bookings/" + tok + "/reschedule", fmt.Sprintf(`{"start":%q}`, slots[3].Format(time.RFC3339))},
		{"GET", "/api/v1/bookings/" + tok, ""},
		{"POST", "/api/v1/bookings/" + tok + "/reschedule", fmt.Sprintf(`{"start":%q}`, slots[6].Format(time.RFC3339))},
		{"GET", "/api/v1/bookings/" + tok, ""},
		{"POST", "/api/v1/bookings/" + tok + "/reschedule", fmt.Sprintf(`{"start":%q}`, slots[9].Format(time.RFC3339))},
		{"GET", "/api/v1/bookings/" + tok, ""},
		{"DELETE", "/api/v1/bookings/" + tok, ""},
	}
	var last response
	for _, p := range paths {
		var body any
		if p.body != "" {
			body = p.body
		}
		last = a.do(p.method, p.path, body, nil)
		if p.method == "GET" && last.Status != 200 {
			t.Errorf("reading the booking: %d", last.Status)
		}
	}
	if last.Status != 429 {
		t.Fatalf("fourth change by token within a minute: %d, want 429", last.Status)
	}
	if n := a.bookingCount("cancelled"); n != 0 {
		t.Error("a rate-limited cancel went through")
	}
	// Booking still has budget left (one of three used).
	if r := a.do("POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"N","email":"n@example.org"}`,
		a.slots(wednesday)[12].Format(time.RFC3339)), nil); r.Status != 201 {
		t.Errorf("booking after the manage budget ran out: %d", r.Status)
	}
}

// TestReadingByTokenIsBoundedOnlyForUnknownTokens: a client may open their
// own manage link as often as they like, while guessing tokens runs out of
// budget, after which the address learns nothing, right guesses included.
func TestReadingByTokenIsBoundedOnlyForUnknownTokens(t *testing.T) {
	site := newTestSiteWith(t, siteOptions{rateLimit: 20})
	token := site.book(site.slotsOn(firstDay, "America/Los_Angeles")[0])
	reads := []string{"", "/confirmation", "/consultation.ics", "/cancel"}
	for i := range 40 {
		path := "/manage/" + token + reads[i%len(reads)]
		if p := site.get(path); p.Status != http.StatusOK {
			t.Fatalf("read %d of the manage pages (%s): %d", i+1, reads[i%len(reads)], p.Status)
		}
	}
	for i := range 10 {
		if p := site.get("/api/v1/bookings/" + token); p.Status != http.StatusOK {
			t.Fatalf("read %d of the booking by the API: %d", i+1, p.Status)
		}
	}
	// Reads spent none of the budget for changes.
	if p := site.post("/manage/"+token+"/cancel", nil); p.Status != http.StatusSeeOther {
		t.Errorf("cancel after 50 reads: %d", p.Status)
	}

	refusedAt := 0
	for i := range 40 {
		p := site.get(fmt.Sprintf("/manage/AAAAAAAAAAAAAAAAAAAA%02d", i))
		if p.Status == http.StatusTooManyRequests {
			refusedAt = i + 1
			break
		}
		if p.Status != http.StatusNotFound {
			t.Fatalf("unknown token %d: %d", i+1, p.Status)
		}
	}
	if refusedAt != 21 {
		t.Fatalf("unknown tokens refused from the %dth on, want the 21st (0: never)", refusedAt)
	}
	for _, path := range []string{"/manage/" + token, "/api/v1/bookings/" + token, "/api/v1/bookings/AAAAAAAAAAAAAAAAAAAAAA"} {
		if p := site.get(path); p.Status != http.StatusTooManyRequests {
			t.Errorf("%s after the guessing budget ran out: %d, want 429", path, p.Status)
		}
	}
}
