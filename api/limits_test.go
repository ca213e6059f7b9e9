package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"consult/api"
	"consult/booking"
)

func TestOneUpcomingAndOneYearlyConsultationPerEmail(t *testing.T) {
	a := newTestAPIWith(t, api.Config{BaseURL: "http://consult.test"}, booking.WithLimits(
		booking.ClientLimits{MaxUpcoming: 1, MaxPerYear: 1, Contact: "hello@practice.example"}))
	slots := a.slots(wednesday)
	book := func(i int, email string) response {
		return a.do("POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"Hoarder","email":%q}`,
			slots[i].Format(time.RFC3339), email), nil)
	}
	first := book(0, "dana@example.org")
	if first.Status != 201 {
		t.Fatalf("first booking: %d %s", first.Status, first.Body)
	}
	second := book(3, "DANA@example.org")
	if second.Status != 409 {
		t.Fatalf("second upcoming booking for the same address: %d, want 409", second.Status)
	}
	if p := second.problem(t); p.Errors["email"] == "" {
		t.Errorf("the refusal does not point at the email field: %+v", p)
	}
	if r := book(3, "other@example.org"); r.Status != 201 {
		t.Errorf("another address was refused: %d", r.Status)
	}
	// A cancelled consultation counts for neither limit.
	var b bookingBody
	first.decode(t, &b)
	if r := a.do("DELETE", "/api/v1/bookings/"+b.token(), nil, nil); r.Status != 200 {
		t.Fatalf("cancel: %d", r.Status)
	}
	if r := book(6, "dana@example.org"); r.Status != 201 {
		t.Errorf("booking after cancelling: %d %s", r.Status, r.Body)
	}
	if n := a.bookingCount("confirmed"); n != 2 {
		t.Errorf("%d confirmed bookings, want 2", n)
	}
}

func TestYearlyLimitCountsPastConsultations(t *testing.T) {
	a := newTestAPIWith(t, api.Config{BaseURL: "http://consult.test"}, booking.WithLimits(
		booking.ClientLimits{MaxUpcoming: 1, MaxPerYear: 1, Contact: "hello@practice.example"}))
	past := testNow.AddDate(0, -3, 0)
	_, hash := booking.NewToken()
	if _, err := a.pool.Exec(t.Context(), `INSERT INTO bookings (starts_at, ends_at, status, name, email, time_zone, manage_token_hash, client_key)
		VALUES ($1, $2, 'completed', 'Eve', 'eve@example.org', 'UTC', $3, sha256('eve@example.org'::bytea))`, past, past.Add(20*time.Minute), hash); err != nil {
		t.Fatal(err)
	}
	slot := a.slots(wednesday)[0]
	r := a.do("POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"Eve","email":"eve@example.org"}`, slot.Format(time.RFC3339)), nil)
	if r.Status != 409 {
		t.Fatalf("second consultation within a year: %d, want 409", r.Status)
	}
	if p := r.problem(t); p.Errors["email"] == "" || !strings.Contains(p.Detail, "hello@practice.example") {
		t.Errorf("the refusal does not point to the practice's contact: %+v", p)
	}
}

// TestOneInboxManySpellings replays the calendar-filling attack: one
// mailbox written many ways is one client, and booking then cancelling
// again and again stops at the daily limit, which counts cancelled ones.
func TestOneInboxManySpellings(t *testing.T) {
	a := newTestAPIWith(t, api.Config{BaseURL: "http://consult.test"}, booking.WithLimits(
		booking.ClientLimits{MaxUpcoming: 1, MaxPerYear: 100, MaxPerDay: 3}))
	slots := a.slots(wednesday)
	book := func(i int, email string) response {
		return a.do("POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"Filler","email":%q}`,
			slots[i].Format(time.RFC3339), email), nil)
	}
	first := book(0, "u.x@gmail.com")
	if first.Status != 201 {
		t.Fatalf("first booking: %d %s", first.Status, first.Body)
	}
	for i, spelling := range []string{"ux@gmail.com", "u.x+1@gmail.com", "U.X@googlemail.com", "u.\u0445@gmail.com"} { // the last with a Cyrillic х
		if r := book(3*(i+1), spelling); r.Status != 409 {
			t.Errorf("%q booked beside u.x@gmail.com: %d", spelling, r.Status)
		}
	}
	// Book, cancel, book again: the third of the day is the last.
	var b bookingBody
	first.decode(t, &b)
	for i, want := range []int{201, 201, 409} {
		if b.ID != 0 {
			if r := a.do("DELETE", "/api/v1/bookings/"+b.token(), nil, nil); r.Status != 200 {
				t.Fatalf("cancel: %d", r.Status)
			}
			b = bookingBody{}
		}
		r := book(18, "ux+again@gmail.com")
		if r.Status != want {
			t.Fatalf("booking %d of the day after cancelling: %d, want %d (%s)", i+2, r.Status, want, r.Body)
		}
		if r.Status == 201 {
			r.decode(t, &b)
		}
	}
}

// TestUpcomingBookingsPerNetwork replays the calendar-filling attack: one
// client booking under many inboxes from addresses of one network.
func TestUpcomingBookingsPerNetwork(t *testing.T) {
	a := newTestAPIWith(t, api.Config{BaseURL: "http://consult.test", TrustProxy: true}, booking.WithLimits(
		booking.ClientLimits{MaxUpcomingPerNetwork: 3, Contact: "hello@practice.example"}))
	// Times far enough apart that no two bookings touch.
	var slots []time.Time
	for _, day := range []string{"2026-12-02", "2026-12-03", "2026-12-04"} {
		all := a.slots(day)
		for i := 0; i < len(all); i += 3 {
			slots = append(slots, all[i])
		}
	}
	if len(slots) < 13 {
		t.Fatalf("%d separate times, want 13", len(slots))
	}
	book := func(i int, from string) response {
		return a.do("POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"Filler","email":"filler%d@example.org"}`,
			slots[i].Format(time.RFC3339), i), map[string]string{"X-Forwarded-For": from})
	}
	for i, from := range []string{"203.0.113.7", "203.0.113.8", "203.0.113.250"} {
		if r := book(i, from); r.Status != 201 {
			t.Fatalf("booking %d from %s: %d %s", i, from, r.Status, r.Body)
		}
	}
	r := book(3, "203.0.113.99")
	if r.Status != 409 || !strings.Contains(string(r.Body), "booked from your network") {
		t.Fatalf("a fourth booking from the same /24: %d %s", r.Status, r.Body)
	}
	// IPv6: one /48, whatever the rest of the address.
	for i, from := range []string{"2001:db8:1:1::1", "2001:db8:1:2::1", "2001:db8:1:ffff::2"} {
		if r := book(4+i, from); r.Status != 201 {
			t.Fatalf("IPv6 booking %d from %s: %d %s", i, from, r.Status, r.Body)
		}
	}
	if r := book(7, "2001:db8:1:abcd::9"); r.Status != 409 {
		t.Fatalf("a fourth booking from the same /48: %d %s", r.Status, r.Body)
	}
	// Another network books; a cancelled booking frees its network's place.
	if r := book(8, "198.51.100.1"); r.Status != 201 {
		t.Fatalf("another network: %d %s", r.Status, r.Body)
	}
	var b bookingBody
	first := book(9, "192.0.2.1")
	first.decode(t, &b)
	book(10, "192.0.2.2")
	book(11, "192.0.2.3")
	if r := a.do("DELETE", "/api/v1/bookings/"+b.token(), nil, nil); r.Status != 200 {
		t.Fatalf("cancel: %d", r.Status)
	}
	if r := book(12, "192.0.2.4"); r.Status != 201 {
		t.Errorf("after a cancellation: %d %s", r.Status, r.Body)
	}
	// No address is stored; only fingerprints, and only of upcoming bookings.
	var raw int
	if err := a.pool.QueryRow(t.Context(), `SELECT count(*) FROM bookings WHERE position('203.0.113' in encode(network_key, 'escape')) > 0`).Scan(&raw); err != nil || raw != 0 {
		t.Errorf("%d bookings keep the address readable (%v)", raw, err)
	}
}
