package api_test

import (
	"testing"
	"time"
)

// The JSON API stores the client's language: the one the body names,
// else the best match of Accept-Language, else English; another value is
// a 422 at the field language, in English like every problem.
func TestBookingAPIStoresTheLanguage(t *testing.T) {
	a := newTestAPI(t)
	// Each on a day of its own, clear of the others' buffers and caps.
	var slots []time.Time
	for _, day := range []string{"2026-12-02", "2026-12-03", "2026-12-04", "2026-12-07"} {
		slots = append(slots, a.slots(day)[0])
	}
	stored := func(id int64) string {
		t.Helper()
		var l string
		if err := a.pool.QueryRow(t.Context(), `SELECT language FROM bookings WHERE id = $1`, id).Scan(&l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	for i, c := range []struct {
		language any // nil: absent
		accept   string
		want     string
	}{
		{"fr", "de-DE", "fr"},
		{nil, "es-MX,es;q=0.9", "es"},
		{nil, "ja-JP", "en"},
		{"de", "fr-FR", "de"},
	} {
		body := map[string]any{"start": slots[i].Format(time.RFC3339), "name": "Lin Guist", "email": "lin" + string(rune('a'+i)) + "@example.org"}
		if c.language != nil {
			body["language"] = c.language
		}
		r := a.do("POST", "/api/v1/bookings", body, map[string]string{"Accept-Language": c.accept})
		if r.Status != 201 {
			t.Fatalf("%v: %d %s", c, r.Status, r.Body)
		}
		var b bookingBody
		r.decode(t, &b)
		if got := stored(b.ID); got != c.want {
			t.Errorf("language %v, Accept-Language %q: stored %q, want %q", c.language, c.accept, got, c.want)
		}
	}
	p := a.do("POST", "/api/v1/bookings", map[string]any{"start": slots[0].Format(time.RFC3339), "name": "Lin Guist",
		"email": "linz@example.org", "language": "it"}, nil)
	if p.Status != 422 {
		t.Fatalf("language it: %d %s", p.Status, p.Body)
	}
	if prob := p.problem(t); prob.Errors["language"] != "Choose one of the languages: en, de, fr or es." {
		t.Errorf("language it: %+v", prob)
	}

	join := map[string]any{"name": "Wren Waiting", "email": "wren@example.org", "timezone": "Europe/Berlin",
		"days": []string{"wed"}, "parts": []string{"evening"}, "from": "2026-12-02", "to": "2026-12-20"}
	if r := a.do("POST", "/api/v1/waitlist", join, map[string]string{"Accept-Language": "fr-CA"}); r.Status != 202 {
		t.Fatalf("join: %d %s", r.Status, r.Body)
	}
	join["email"], join["language"] = "wren2@example.org", "es"
	if r := a.do("POST", "/api/v1/waitlist", join, nil); r.Status != 202 {
		t.Fatalf("join in Spanish: %d %s", r.Status, r.Body)
	}
	rows, err := a.pool.Query(t.Context(), `SELECT language FROM waitlist_entries ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		got = append(got, l)
	}
	if len(got) != 2 || got[0] != "fr" || got[1] != "es" {
		t.Errorf("waitlist languages %v, want [fr es]", got)
	}
	join["email"], join["language"] = "wren3@example.org", "xx"
	if prob := a.do("POST", "/api/v1/waitlist", join, nil).problem(t); prob.Status != 422 || prob.Errors["language"] == "" {
		t.Errorf("waitlist language xx: %+v", prob)
	}
}
