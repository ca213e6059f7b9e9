package api_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"consult/booking"
)

// TestSlotsAnswersFollowEveryChange asks the slots API, whose answers are
// kept per data version, the same queries over and over while the clock
// moves and the data changes, and expects every answer to be exactly what
// computing afresh gives, byte for byte: at once after a change made
// through this server, within a second after one made straight in the
// database, as another instance would make it.
func TestSlotsAnswersFollowEveryChange(t *testing.T) {
	f := newFeedTest(t) // a server with the feed store: the slots API keeps answers
	ctx := context.Background()
	queries := []url.Values{
		{"from": {"2026-12-01"}, "to": {"2026-12-14"}},
		{"from": {"2026-12-02"}, "to": {"2026-12-02"}, "tz": {"Asia/Tokyo"}},
		{"from": {"2026-11-30"}, "to": {"2027-01-31"}, "tz": {"America/Los_Angeles"}},
	}
	// want is the answer as the handler wrote it before answers were kept:
	// the service's slots at the clock's time, through encoding/json.
	want := func(q url.Values) []byte {
		t.Helper()
		st, err := f.store.Schedule(ctx, booking.DateOf(testNow), booking.DateOf(testNow))
		if err != nil {
			t.Fatal(err)
		}
		zone := st.Settings.TimeZone
		if tz := q.Get("tz"); tz != "" {
			zone = tz
		}
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		from, _ := booking.ParseDate(q.Get("from"))
		to, _ := booking.ParseDate(q.Get("to"))
		slots, _, err := booking.NewService(f.store, f.clock.Now).Slots(ctx, from.In(0, loc), to.AddDays(1).In(0, loc))
		if err != nil {
			t.Fatal(err)
		}
		type slot struct {
			Start time.Time `json:"start"`
			End   time.Time `json:"end"`
		}
		out := struct {
			TimeZone string `json:"timezone"`
			Slots    []slot `json:"slots"`
		}{TimeZone: loc.String(), Slots: []slot{}}
		for _, s := range slots {
			out.Slots = append(out.Slots, slot{s.Start.UTC(), s.End.UTC()})
		}
		b, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		return append(b, '\n')
	}
	// answers reports whether every query gets what computing afresh gives.
	answers := func(when string, fatal bool) bool {
		t.Helper()
		for _, q := range queries {
			for round := range 2 {
				r, n := f.fetch("GET", "/api/v1/slots?"+q.Encode(), nil)
				if w := want(q); r.Status != 200 || string(r.Body) != string(w) {
					if fatal {
						t.Fatalf("%s, %s: %d\n%s\nwant\n%s", when, q.Encode(), r.Status, r.Body, w)
					}
					return false
				}
				// The second time the answer is at hand: at most a look at the version.
				if round == 1 && n > 1 {
					t.Errorf("%s, %s asked again: %d queries, want at most 1", when, q.Encode(), n)
				}
			}
		}
		return true
	}
	check := func(when string) { t.Helper(); answers(when, true) }
	// soon waits for a change made elsewhere to show, for at most 1.5 s.
	soon := func(when string) {
		t.Helper()
		for start := time.Now(); !answers(when, false); time.Sleep(50 * time.Millisecond) {
			if time.Since(start) > 1500*time.Millisecond {
				answers(when+", after 1.5 s", true)
			}
		}
	}

	check("at first")
	la, _ := time.LoadLocation("America/Los_Angeles")
	for _, at := range []time.Time{
		time.Date(2026, 12, 1, 9, 0, 0, 0, la),
		time.Date(2026, 12, 1, 21, 0, 0, 0, la), // Wednesday's first slot at its last bookable moment
		time.Date(2026, 12, 1, 21, 0, 0, 1, la), // and just after
		time.Date(2026, 12, 2, 0, 0, 0, 0, la),  // midnight
		time.Date(2026, 12, 2, 13, 5, 0, 0, la),
	} {
		f.clock.Set(at)
		check("at " + at.String())
	}
	f.clock.Set(testNow)
	check("back at the start")

	b := f.book(f.slots(wednesday)[3], "Ada Lovelace")
	check("after a booking")
	if r := f.do("DELETE", "/api/v1/bookings/"+b.token(), nil, nil); r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	check("after its cancellation")

	for _, c := range []struct{ what, sql string }{
		{"time off", `INSERT INTO time_off (first_day, last_day) VALUES ('2026-12-03', '2026-12-04')`},
		{"a special date", `INSERT INTO date_overrides (day, closed) VALUES ('2026-12-07', false)`},
		{"its hours", `INSERT INTO override_windows (day, start_minute, end_minute) VALUES ('2026-12-07', 600, 700)`},
		{"weekly hours", `UPDATE weekly_windows SET end_minute = 660 WHERE weekday = 2 AND start_minute = 540`},
		{"the notice", `UPDATE practice_settings SET min_notice_minutes = 60`},
		{"a booking", `INSERT INTO bookings (starts_at, ends_at, name, email, time_zone, manage_token_hash)
			VALUES ('2026-12-08 17:00Z', '2026-12-08 17:20Z', 'B', 'b@example.org', 'UTC', 'h2')`},
		{"its cancellation", `UPDATE bookings SET status = 'cancelled', cancelled_at = now() WHERE manage_token_hash = 'h2'`},
		{"the practice's zone", `UPDATE practice_settings SET time_zone = 'Europe/Berlin'`},
	} {
		f.exec(t, c.sql)
		soon("after a change in the database: " + c.what)
	}
}
