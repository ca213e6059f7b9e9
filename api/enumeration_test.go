package api_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"consult/api"
	"consult/booking"
)

// TestBookingsCannotBeListedOrGuessed checks the promises behind the
// manage links: 128-bit random tokens, kept only as hashes, no route that
// lists bookings or takes a guessable id, and near-miss tokens refused.
func TestBookingsCannotBeListedOrGuessed(t *testing.T) {
	a := newTestAPI(t)
	slots := a.slots(wednesday)
	var tokens []string
	for i := range 3 {
		tokens = append(tokens, a.book(slots[i*3], "Enum Client").token())
	}
	for _, tok := range tokens {
		if !booking.ValidTokenShape(tok) || len(tok) != 22 {
			t.Fatalf("token %q is not 128 bits in base64url", tok)
		}
	}
	if tokens[0] == tokens[1] || tokens[1] == tokens[2] {
		t.Fatal("tokens repeat")
	}

	// At rest only hashes: no column of any row holds a token.
	rows, err := a.pool.Query(context.Background(), `SELECT b::text FROM bookings b
		UNION ALL SELECT o::text FROM outbox o UNION ALL SELECT i::text FROM idempotency_keys i`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var row string
		if err := rows.Scan(&row); err != nil {
			t.Fatal(err)
		}
		for _, tok := range tokens {
			if strings.Contains(row, tok) {
				t.Errorf("a stored row holds the token %s", tok)
			}
		}
	}
	var stored []byte
	if err := a.pool.QueryRow(context.Background(), `SELECT manage_token_hash FROM bookings ORDER BY id LIMIT 1`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stored, booking.HashToken(tokens[0])) {
		t.Error("the stored value is not the token's hash")
	}

	// Nothing lists bookings; ids and near-miss tokens find nothing.
	for _, path := range []string{"/api/v1/bookings", "/api/v1/bookings/1", "/api/v1/bookings/2", "/manage/1", "/manage"} {
		r := a.do("GET", path, nil, nil)
		if r.Status == 200 {
			t.Errorf("GET %s answered 200: %s", path, r.Body)
		}
	}
	tok := tokens[0]
	for i := range tok {
		near := []byte(tok)
		if near[i] == 'A' {
			near[i] = 'B'
		} else {
			near[i] = 'A'
		}
		if r := a.do("GET", "/api/v1/bookings/"+string(near), nil, nil); r.Status != 404 {
			t.Fatalf("near-miss token %s: %d, want 404", near, r.Status)
		}
	}
	for _, p := range []string{tok[:21], tok + "A", strings.ToUpper(tok)} {
		if r := a.do("GET", "/api/v1/bookings/"+p, nil, nil); r.Status != 404 {
			t.Errorf("token variant %s: %d, want 404", p, r.Status)
		}
	}
}

// TestPublicRoutesTakeNoIDs walks the router: outside the admin area, a
// path parameter is always a secret (a token or a feed file), never an id
// someone could count through.
func TestPublicRoutesTakeNoIDs(t *testing.T) {
	srv, err := api.New(api.Config{BaseURL: "http://consult.test"}, api.Deps{
		Service: booking.NewService(nil, func() time.Time { return testNow }),
	})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, r := range srv.Routes() {
		if strings.HasPrefix(r.Path, "/admin") || strings.HasPrefix(r.Path, "/api/v1/admin") || !strings.Contains(r.Path, ":") {
			continue
		}
		checked++
		for _, seg := range strings.Split(r.Path, "/") {
			if strings.HasPrefix(seg, ":") && seg != ":token" && seg != ":file" {
				t.Errorf("%s %s takes %s, which is not a secret", r.Method, r.Path, seg)
			}
		}
	}
	if checked < 3 {
		t.Errorf("only %d public routes with parameters found; the walk is broken", checked)
	}
}
