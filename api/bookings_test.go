package api_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// wednesday is a working day inside the horizon of testNow.
const wednesday = "2026-12-02"

func TestSlotsListsTheDayInTheAskedZone(t *testing.T) {
	a := newTestAPI(t)
	la := a.slots(wednesday)
	// Demo hours 09:00–12:00 and 13:00–17:00 Los Angeles (UTC-8), 20-minute
	// slots every 20 minutes: 9 + 12 slots, the first at 17:00 UTC.
	if got, want := len(la), 21; got != want {
		t.Fatalf("got %d slots, want %d: %v", got, want, la)
	}
	if got, want := la[0], time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("first slot %s, want %s", got, want)
	}

	// Thursday in Tokyo (UTC+9) is 07:00 Wednesday to 07:00 Thursday in Los
	// Angeles: the same 21 slots, as instants.
	r := a.do("GET", "/api/v1/slots?from=2026-12-03&to=2026-12-03&tz=Asia/Tokyo", nil, nil)
	var tokyo slotList
	r.decode(t, &tokyo)
	if tokyo.TimeZone != "Asia/Tokyo" {
		t.Errorf("timezone = %q, want Asia/Tokyo", tokyo.TimeZone)
	}
	if len(tokyo.Slots) != len(la) {
		t.Fatalf("got %d Tokyo slots, want %d", len(tokyo.Slots), len(la))
	}
	for i, s := range tokyo.Slots {
		if s.Start.Location() != time.UTC || !s.Start.Equal(la[i]) {
			t.Errorf("Tokyo slot %d = %s, want %s", i, s.Start, la[i])
		}
	}
	// Wednesday in Tokyo is Tuesday in Los Angeles, all inside the 12-hour notice.
	if got := a.slotsIn("2026-12-02", "Asia/Tokyo"); len(got) != 0 {
		t.Errorf("Wednesday in Tokyo: %d slots, want none", len(got))
	}
}

func TestBookReadRescheduleCancel(t *testing.T) {
	a := newTestAPI(t)
	slots := a.slots(wednesday)
	first := a.book(slots[0], "Ada Client")
	if first.Status != "confirmed" || !first.Start.Equal(slots[0]) || first.End.Sub(first.Start) != 20*time.Minute {
		t.Fatalf("booked %+v", first)
	}
	if !strings.HasPrefix(first.ManageURL, "http://consult.test/manage/") || first.ICSURL == "" {
		t.Errorf("manage_url %q, ics_url %q", first.ManageURL, first.ICSURL)
	}
	if slices.ContainsFunc(a.slots(wednesday), func(s time.Time) bool { return s.Equal(slots[0]) }) {
		t.Error("booked slot is still offered")
	}

	r := a.do("GET", "/api/v1/bookings/"+first.token(), nil, nil)
	var got bookingBody
	r.decode(t, &got)
	if r.Status != 200 || got.Name != "Ada Client" || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("read: %d %s (Cache-Control %q)", r.Status, r.Body, r.Header.Get("Cache-Control"))
	}

	to := slots[len(slots)-1]
	r = a.do("POST", "/api/v1/bookings/"+first.token()+"/reschedule", map[string]string{"start": to.Format(time.RFC3339)}, nil)
	r.decode(t, &got)
	if r.Status != 200 || !got.Start.Equal(to) {
		t.Fatalf("reschedule: %d %s", r.Status, r.Body)
	}
	free := a.slots(wednesday)
	if !slices.ContainsFunc(free, func(s time.Time) bool { return s.Equal(slots[0]) }) {
		t.Error("old slot not freed by the reschedule")
	}

	r = a.do("DELETE", "/api/v1/bookings/"+first.token(), nil, nil)
	r.decode(t, &got)
	if r.Status != 200 || got.Status != "cancelled" {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	if got := len(a.slots(wednesday)); got != len(slots) {
		t.Errorf("after cancel %d slots free, want %d", got, len(slots))
	}
	r = a.do("DELETE", "/api/v1/bookings/"+first.token(), nil, nil)
	if r.Status != 409 {
		t.Errorf("second cancel: %d, want 409", r.Status)
	}
	r.problem(t)
}

func TestIdempotencyKey(t *testing.T) {
	a := newTestAPI(t)
	slots := a.slots(wednesday)
	body := map[string]string{"start": slots[2].Format(time.RFC3339), "name": "Bo", "email": "bo@example.org"}
	key := map[string]string{"Idempotency-Key": "order-7f3c"}

	r1 := a.do("POST", "/api/v1/bookings", body, key)
	r2 := a.do("POST", "/api/v1/bookings", body, key)
	if r1.Status != 201 || r2.Status != 201 {
		t.Fatalf("statuses %d, %d; want 201 twice (%s)", r1.Status, r2.Status, r2.Body)
	}
	var b1, b2 bookingBody
	r1.decode(t, &b1)
	r2.decode(t, &b2)
	if b1.ID != b2.ID || b1.ManageURL != b2.ManageURL {
		t.Errorf("replay returned another booking: %+v vs %+v", b1, b2)
	}
	if n := a.bookingCount(""); n != 1 {
		t.Errorf("%d bookings stored, want 1", n)
	}

	body["name"] = "Someone Else"
	r3 := a.do("POST", "/api/v1/bookings", body, key)
	if r3.Status != 422 {
		t.Fatalf("same key, other body: %d, want 422", r3.Status)
	}
	if p := r3.problem(t); p.Errors["Idempotency-Key"] == "" {
		t.Errorf("problem does not name the Idempotency-Key: %+v", p)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	a := newTestAPI(t)
	slot := a.slots(wednesday)[0].Format(time.RFC3339)
	valid := fmt.Sprintf(`{"start":%q,"name":"Cy","email":"cy@example.org"}`, slot)
	outside := time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC).Format(time.RFC3339) // 19:00 in LA, past the notice
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		field                    string
	}{
		{"malformed JSON", "POST", "/api/v1/bookings", `{"start":`, nil, 400, ""},
		{"not an object", "POST", "/api/v1/bookings", `[1,2]`, nil, 400, ""},
		{"two objects", "POST", "/api/v1/bookings", valid + valid, nil, 400, ""},
		{"unknown field", "POST", "/api/v1/bookings", `{"start":"` + slot + `","name":"Cy","email":"cy@example.org","admin":true}`, nil, 400, ""},
		{"wrong type", "POST", "/api/v1/bookings", `{"start":1,"name":"Cy","email":"cy@example.org"}`, nil, 400, ""},
		{"empty body", "POST", "/api/v1/bookings", ``, nil, 400, ""},
		{"oversized body", "POST", "/api/v1/bookings", `{"name":"` + strings.Repeat("x", 20000) + `"}`, nil, 413, ""},
		{"missing name", "POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"email":"cy@example.org"}`, slot), nil, 422, "name"},
		{"bad email", "POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"Cy","email":"cy@"}`, slot), nil, 422, "email"},
		{"long note", "POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"Cy","email":"cy@example.org","note":%q}`, slot, strings.Repeat("n", 501)), nil, 422, "note"},
		{"bad phone", "POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"Cy","email":"cy@example.org","phone":"call me"}`, slot), nil, 422, "phone"},
		{"bad zone", "POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"Cy","email":"cy@example.org","timezone":"Mars/Base"}`, slot), nil, 422, "timezone"},
		{"bad start", "POST", "/api/v1/bookings", `{"start":"tomorrow","name":"Cy","email":"cy@example.org"}`, nil, 422, "start"},
		{"missing start", "POST", "/api/v1/bookings", `{"name":"Cy","email":"cy@example.org"}`, nil, 422, "start"},
		{"outside hours", "POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"Cy","email":"cy@example.org"}`, outside), nil, 422, "start"},
		{"off the grid", "POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"Cy","email":"cy@example.org"}`, "2026-12-02T17:05:00Z"), nil, 422, "start"},
		{"in the past", "POST", "/api/v1/bookings", `{"start":"2026-11-30T17:00:00Z","name":"Cy","email":"cy@example.org"}`, nil, 422, "start"},
		{"text content type", "POST", "/api/v1/bookings", valid, map[string]string{"Content-Type": "text/plain"}, 415, ""},
		{"long idempotency key", "POST", "/api/v1/bookings", valid, map[string]string{"Idempotency-Key": strings.Repeat("k", 201)}, 422, "Idempotency-Key"},
		{"slots without dates", "GET", "/api/v1/slots", "", nil, 422, "from"},
		{"slots bad date", "GET", "/api/v1/slots?from=2026-13-01&to=2026-12-02", "", nil, 422, "from"},
		{"slots reversed", "GET", "/api/v1/slots?from=2026-12-03&to=2026-12-02", "", nil, 422, "to"},
		{"slots too long", "GET", "/api/v1/slots?from=2026-12-01&to=2027-06-01", "", nil, 422, "to"},
		{"slots bad zone", "GET", "/api/v1/slots?from=2026-12-01&to=2026-12-02&tz=Local", "", nil, 422, "tz"},
		{"unknown token", "GET", "/api/v1/bookings/AAAAAAAAAAAAAAAAAAAAAA", "", nil, 404, ""},
		{"malformed token", "DELETE", "/api/v1/bookings/x'%20or%201=1", "", nil, 404, ""},
		{"reschedule unknown", "POST", "/api/v1/bookings/AAAAAAAAAAAAAAAAAAAAAA/reschedule", fmt.Sprintf(`{"start":%q}`, slot), nil, 404, ""},
		{"reschedule bad body", "POST", "/api/v1/bookings/AAAAAAAAAAAAAAAAAAAAAA/reschedule", `{"when":1}`, nil, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body any
			if tt.body != "" || tt.method == "POST" {
				body = tt.body
			}
			r := a.do(tt.method, tt.path, body, tt.header)
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d (%s)", r.Status, tt.status, r.Body)
			}
			p := r.problem(t)
			if tt.field != "" && p.Errors[tt.field] == "" {
				t.Errorf("problem does not name field %q: %+v", tt.field, p)
			}
			if n := a.bookingCount(""); n != 0 {
				t.Errorf("%d bookings stored after a refused request", n)
			}
		})
	}
}

func TestConcurrentCreatesBookOnce(t *testing.T) {
	a := newTestAPI(t)
	slot := a.slots(wednesday)[3]
	const clients = 200
	statuses := make([]int, clients)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := a.post("/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"Racer %d","email":"racer%d@example.org"}`,
				slot.Format(time.RFC3339), i, i))
			statuses[i] = r
		}()
	}
	close(start)
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	if count[201] != 1 || count[409] != clients-1 {
		t.Fatalf("statuses %v; want one 201 and %d 409", count, clients-1)
	}
	if n := a.bookingCount(""); n != 1 {
		t.Errorf("%d rows stored, want 1", n)
	}
}

func TestReschedulesRacingCreates(t *testing.T) {
	a := newTestAPI(t)
	slots := a.slots(wednesday)
	target := slots[6]
	var movers []bookingBody
	for i := range 5 {
		movers = append(movers, a.book(slots[12+i*2], fmt.Sprintf("Mover %d", i)))
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	var mu sync.Mutex
	won := 0
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			var status int
			if i < len(movers) {
				status = a.post("/api/v1/bookings/"+movers[i].token()+"/reschedule",
					fmt.Sprintf(`{"start":%q}`, target.Format(time.RFC3339)))
			} else {
				status = a.post("/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"C%d","email":"c%d@example.org"}`,
					target.Format(time.RFC3339), i, i))
			}
			mu.Lock()
			defer mu.Unlock()
			switch status {
			case 200, 201:
				won++
			case 409:
			default:
				t.Errorf("status %d", status)
			}
		}()
	}
	close(start)
	wg.Wait()
	if won != 1 {
		t.Errorf("%d requests got the slot, want 1", won)
	}
	var n int
	err := a.pool.QueryRow(t.Context(), `SELECT count(*) FROM bookings
		WHERE status = 'confirmed' AND during && tstzrange($1, $2)`, target, target.Add(20*time.Minute)).Scan(&n)
	if err != nil || n != 1 {
		t.Errorf("%d confirmed bookings at the target (err %v), want 1", n, err)
	}
}

// post sends a JSON body from any goroutine and returns the status, or 0
// when the request could not be made; it reports through Errorf, which
// is safe off the test goroutine (unlike the Fatal in do).
func (a *testAPI) post(path, body string) int {
	resp, err := a.client.Post(a.url+path, "application/json", strings.NewReader(body))
	if err != nil {
		a.t.Errorf("POST %s: %v", path, err)
		return 0
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
		a.t.Errorf("POST %s → %d without a problem body", path, resp.StatusCode)
	}
	return resp.StatusCode
}

func TestInvalidRequestNamesEveryBadField(t *testing.T) {
	a := newTestAPI(t)
	r := a.do("POST", "/api/v1/bookings", `{"start":"nope","name":"","email":"x","phone":"call me"}`, nil)
	if r.Status != 422 {
		t.Fatalf("status %d, want 422", r.Status)
	}
	p := r.problem(t)
	for _, f := range []string{"start", "name", "email", "phone"} {
		if p.Errors[f] == "" {
			t.Errorf("the problem does not name %q: %+v", f, p.Errors)
		}
	}
}

// TestRefusedChangesByTokenChangeNothing: reschedules and cancels that are
// refused leave the stored booking exactly as it was.
func TestRefusedChangesByTokenChangeNothing(t *testing.T) {
	a := newTestAPI(t)
	slots := a.slots(wednesday)
	mine := a.book(slots[0], "Kept As Is")
	a.book(slots[6], "Someone Else")
	snapshot := func() string {
		var row string
		if err := a.pool.QueryRow(t.Context(), `SELECT b::text FROM bookings b WHERE id = $1`, mine.ID).Scan(&row); err != nil {
			t.Fatal(err)
		}
		return row
	}
	before := snapshot()
	past := a.book(slots[12], "Past Client")
	if _, err := a.pool.Exec(t.Context(), `UPDATE bookings SET starts_at = $2, ends_at = $3 WHERE id = $1`,
		past.ID, testNow.Add(-time.Hour), testNow.Add(-40*time.Minute)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path, body string
		status                   int
	}{
		{"to a taken slot", "POST", "/reschedule", fmt.Sprintf(`{"start":%q}`, slots[6].Format(time.RFC3339)), 409},
		{"to outside hours", "POST", "/reschedule", `{"start":"2026-12-03T03:00:00Z"}`, 422},
		{"to the same time", "POST", "/reschedule", fmt.Sprintf(`{"start":%q}`, slots[0].Format(time.RFC3339)), 409},
		{"to a malformed time", "POST", "/reschedule", `{"start":"soon"}`, 422},
		{"with no time", "POST", "/reschedule", `{}`, 422},
		{"with an unknown field", "POST", "/reschedule", `{"start":"2026-12-02T20:00:00Z","x":1}`, 400},
	}
	for _, tt := range tests {
		r := a.do(tt.method, "/api/v1/bookings/"+mine.token()+tt.path, tt.body, nil)
		if r.Status != tt.status {
			t.Errorf("%s: %d, want %d (%s)", tt.name, r.Status, tt.status, r.Body)
		}
		if after := snapshot(); after != before {
			t.Fatalf("%s changed the booking:\n%s\n%s", tt.name, before, after)
		}
	}
	if r := a.do("DELETE", "/api/v1/bookings/"+past.token(), nil, nil); r.Status != 409 {
		t.Errorf("cancelling a consultation that has taken place: %d, want 409", r.Status)
	}
	if n := a.bookingCount("cancelled"); n != 0 {
		t.Errorf("%d bookings cancelled by refused requests", n)
	}
}

// TestRefusalsNameTheRule checks that each reason a time cannot be booked
// has its own problem type, so a client (and the booking page) can say
// what to do instead of "someone else booked it".
func TestRefusalsNameTheRule(t *testing.T) {
	a := newTestAPI(t)
	slots := a.slots(wednesday)
	a.book(slots[0], "Someone Else")
	tests := []struct {
		name, start, typ string
		status           int
	}{
		{"taken", slots[0].Format(time.RFC3339), "/problems/taken", 409},
		{"inside the notice", testNow.Add(2 * time.Hour).Format(time.RFC3339), "/problems/too-soon", 422},
		{"past", testNow.Add(-24 * time.Hour).Format(time.RFC3339), "/problems/past", 422},
		{"outside the hours", "2026-12-03T03:00:00Z", "/problems/closed", 422},
		{"a closed day", "2026-12-06T18:00:00Z", "/problems/closed", 422}, // a Sunday
		{"beyond the horizon", testNow.AddDate(1, 0, 0).Format(time.RFC3339), "/problems/beyond-horizon", 422},
		{"off the grid", slots[1].Add(5 * time.Minute).Format(time.RFC3339), "/problems/not-a-start-time", 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do("POST", "/api/v1/bookings", map[string]string{"start": tt.start, "name": "Cy", "email": "cy@example.org"}, nil)
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d (%s)", r.Status, tt.status, r.Body)
			}
			p := r.problem(t)
			if p.Type != tt.typ || p.Detail == "" {
				t.Errorf("problem %+v, want type %s with a detail", p, tt.typ)
			}
			if tt.status == 422 && p.Errors["start"] == "" {
				t.Errorf("problem does not name the start field: %+v", p)
			}
		})
	}
}
