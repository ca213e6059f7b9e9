package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"consult/api"
	"consult/booking"
	"consult/booking/password"
	"consult/calendar/calsync"
	"consult/calendar/fetch"
	"consult/notify"
	"consult/storage"
	"consult/storage/storagetest"
)

// calendarTest is an admin API server whose store seals secrets, with a
// calendar syncer allowed to read loopback addresses, and a loopback
// "provider" serving an ICS file under a secret path.
type calendarTest struct {
	*testAPI
	store    *storage.Store
	syncer   *calsync.Syncer
	auth     map[string]string
	icsURL   string
	clock    *testClock
	failing  atomic.Bool  // the provider answers 500
	body     atomic.Value // []byte: what the provider serves
	requests atomic.Int32
}

const calendarSecret = "private-6f1e2d3c4b5a69788796a5b4c3d2e1f0"

func newCalendarTest(t *testing.T) *calendarTest {
	t.Helper()
	ctx := context.Background()
	pool := storagetest.NewDB(t)
	seedStore(t, pool, false)
	keys, err := notify.NewKeyring(make([]byte, notify.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	store := storage.New(pool, storage.WithSecretSealer(keys))
	clock := &testClock{t: testNow}
	svc := booking.NewService(store, clock.Now)
	ct := &calendarTest{store: store, clock: clock}
	ics, err := os.ReadFile("../calendar/busy/testdata/google.ics")
	if err != nil {
		t.Fatal(err)
	}
	ct.body.Store(ics)
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct.requests.Add(1)
		if ct.failing.Load() {
			http.Error(w, "unavailable", http.StatusInternalServerError)
			return
		}
		if !strings.Contains(r.URL.Path, calendarSecret) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/calendar")
		_, _ = w.Write(ct.body.Load().([]byte))
	}))
	t.Cleanup(provider.Close)
	ct.icsURL = provider.URL + "/calendar/ical/" + calendarSecret + "/basic.ics"
	zone := func(ctx context.Context) (*time.Location, error) {
		st, err := svc.Settings(ctx)
		if err != nil {
			return nil, err
		}
		return st.Location()
	}
	ct.syncer = calsync.New(calsync.Config{StaleAfter: 24 * time.Hour}, store, fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second}),
		nil, zone, clock.Now, slog.New(slog.DiscardHandler))
	renderer, pages := siteWeb(t)
	srv, err := api.New(api.Config{BaseURL: "http://consult.test"}, api.Deps{Service: svc, Admin: store, Feeds: store, Web: renderer, Pages: pages,
		Sessions: storage.NewSessions(pool, clock.Now), Calendars: calsync.Calendars{Syncer: ct.syncer}, Collectors: ct.syncer.Collectors()})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	hash, err := password.Hash(adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	u, err := store.CreateUser(ctx, adminEmail, hash, testNow)
	if err != nil {
		t.Fatal(err)
	}
	token, tokenHash := booking.NewToken()
	if _, err := store.CreateAPIToken(ctx, u.ID, "test", tokenHash, testNow); err != nil {
		t.Fatal(err)
	}
	ct.auth = map[string]string{"Authorization": "Bearer " + token}
	ct.testAPI = &testAPI{t: t, url: ts.URL, pool: pool, router: openAPIRouter(t), client: ts.Client()}
	return ct
}

type calendarSourceBody struct {
	ID            int64   `json:"id"`
	Kind          string  `json:"kind"`
	Status        string  `json:"status"`
	Host          string  `json:"host"`
	BusyIntervals int     `json:"busy_intervals"`
	LastSuccess   *string `json:"last_success"`
	Error         *string `json:"error"`
	Blocking      bool    `json:"blocking"`
}

func (ct *calendarTest) call(method, path string, body any, want int) response {
	ct.t.Helper()
	r := ct.do(method, path, body, ct.auth)
	if r.Status != want {
		ct.t.Fatalf("%s %s: %d, want %d\n%s", method, path, r.Status, want, r.Body)
	}
	return r
}

// TestCalendarSourcesAPI links, lists, syncs and unlinks a calendar, each
// answer checked against openapi.yaml, and never shows the address.
func TestCalendarSourcesAPI(t *testing.T) {
	ct := newCalendarTest(t)
	r := ct.call("POST", "/api/v1/admin/calendar-sources", map[string]any{"kind": "ics", "url": ct.icsURL}, 201)
	var src calendarSourceBody
	r.decode(t, &src)
	if src.ID == 0 || src.Kind != "ics" || src.Status != "pending" || src.Host != "127.0.0.1" {
		t.Fatalf("created %+v", src)
	}
	if strings.Contains(string(r.Body), calendarSecret) {
		t.Errorf("the answer shows the secret address: %s", r.Body)
	}
	// Stored sealed: the database holds no readable address.
	var n int
	if err := ct.pool.QueryRow(context.Background(), `SELECT count(*) FROM calendar_sources WHERE url_sealed LIKE '%' || $1 || '%'`, calendarSecret).Scan(&n); err != nil || n != 0 {
		t.Errorf("address stored readable (%d rows, %v)", n, err)
	}

	path := "/api/v1/admin/calendar-sources/" + strconv.FormatInt(src.ID, 10)
	ct.call("POST", path+"/sync", nil, 200).decode(t, &src)
	if src.Status != "ok" || src.BusyIntervals == 0 || src.LastSuccess == nil || src.Error != nil {
		t.Fatalf("after a sync: %+v", src)
	}
	good := src.BusyIntervals

	// A provider failing keeps the last good busy time and says why.
	ct.failing.Store(true)
	ct.call("POST", path+"/sync", nil, 200).decode(t, &src)
	if src.Status != "error" || src.Error == nil || !strings.Contains(*src.Error, "500") || src.BusyIntervals != good || src.LastSuccess == nil {
		t.Fatalf("after a failed sync: %+v", src)
	}
	if strings.Contains(*src.Error, calendarSecret) || strings.Contains(*src.Error, "127.0.0.1") {
		t.Errorf("the error quotes the address: %q", *src.Error)
	}
	ct.failing.Store(false)

	var list struct {
		Sources []calendarSourceBody `json:"sources"`
	}
	lr := ct.call("GET", "/api/v1/admin/calendar-sources", nil, 200)
	lr.decode(t, &list)
	if len(list.Sources) != 1 || list.Sources[0].ID != src.ID || strings.Contains(string(lr.Body), calendarSecret) {
		t.Fatalf("list: %s", lr.Body)
	}

	ct.call("DELETE", path, nil, 204)
	ct.call("DELETE", path, nil, 404)
	ct.call("POST", path+"/sync", nil, 404)
	if err := ct.pool.QueryRow(context.Background(), `SELECT count(*) FROM busy_intervals`).Scan(&n); err != nil || n != 0 {
		t.Errorf("busy time left after unlinking: %d, %v", n, err)
	}
	rows, err := ct.pool.Query(context.Background(), `SELECT action FROM audit_log WHERE action LIKE 'calendar_source.%' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for rows.Next() {
		var a string
		_ = rows.Scan(&a)
		actions = append(actions, a)
	}
	if got := strings.Join(actions, " "); got != "calendar_source.add calendar_source.sync calendar_source.sync calendar_source.delete" {
		t.Errorf("audit: %s", got)
	}
}

func TestCalendarSourcesAPIRefusesBadInput(t *testing.T) {
	ct := newCalendarTest(t)
	for _, tt := range []struct {
		body  any
		field string
	}{
		{map[string]any{"kind": "outlook", "url": ct.icsURL}, "kind"},
		{map[string]any{"kind": "ics", "url": "ftp://example.org/a.ics"}, "url"},
		{map[string]any{"kind": "ics", "url": "javascript:alert(1)"}, "url"},
		{map[string]any{"kind": "ics", "url": "https://ana:pw@example.org/a.ics"}, "url"},
		{map[string]any{"kind": "ics", "url": ""}, "url"},
		{map[string]any{"kind": "ics", "url": ct.icsURL, "write_bookings": true}, "write_bookings"},
		{map[string]any{"kind": "caldav", "url": "https://dav.example.org/", "username": "ana"}, "password"},
		{map[string]any{"kind": "caldav", "url": "https://dav.example.org/", "password": "x"}, "username"},
		{map[string]any{"kind": "ics", "url": ct.icsURL, "owner_email": "not an email"}, "owner_email"},
	} {
		r := ct.call("POST", "/api/v1/admin/calendar-sources", tt.body, 422)
		if p := r.problem(t); p.Errors[tt.field] == "" {
			t.Errorf("%v: errors %v, want one for %s", tt.body, p.Errors, tt.field)
		}
	}
	ct.call("POST", "/api/v1/admin/calendar-sources", `{"kind": "ics", "url": "https://example.org/a.ics", "colour": "red"}`, 400)
	var list struct {
		Sources []calendarSourceBody `json:"sources"`
	}
	ct.call("GET", "/api/v1/admin/calendar-sources", nil, 200).decode(t, &list)
	if len(list.Sources) != 0 {
		t.Errorf("bad input stored %d sources", len(list.Sources))
	}
}

// addSource links the provider's calendar and returns its path.
func (ct *calendarTest) addSource() string {
	ct.t.Helper()
	var src calendarSourceBody
	ct.call("POST", "/api/v1/admin/calendar-sources", map[string]any{"kind": "ics", "url": ct.icsURL}, 201).decode(ct.t, &src)
	return "/api/v1/admin/calendar-sources/" + strconv.FormatInt(src.ID, 10)
}

// A time the practitioner's calendar holds is neither offered nor
// bookable, with the buffer around it; the check runs in the booking's
// own transaction, so a booking that comes after a sync found the event
// is refused even if it saw the time free before.
func TestCalendarBusyTimeBlocksBooking(t *testing.T) {
	ct := newCalendarTest(t)
	// Thursday 3 December 2026, 10:00–10:45 in Los Angeles.
	event := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	ct.body.Store([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:client@example.org\r\n" +
		"DTSTART:20261203T180000Z\r\nDTEND:20261203T184500Z\r\nSUMMARY:Client session\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	before := ct.slots("2026-12-03")
	for _, at := range []time.Time{event.Add(-20 * time.Minute), event, event.Add(40 * time.Minute), event.Add(time.Hour)} {
		if !slices.ContainsFunc(before, at.Equal) {
			t.Fatalf("%s not offered before the sync: %v", at, before)
		}
	}
	path := ct.addSource()
	var src calendarSourceBody
	ct.call("POST", path+"/sync", nil, 200).decode(t, &src)
	if src.BusyIntervals != 1 {
		t.Fatalf("sync: %+v", src)
	}
	// The week calendar draws the block, labelled by its calendar.
	week, err := booking.NewAdmin(ct.store, ct.clock.Now).Week(context.Background(), booking.Actor{Via: booking.ViaCLI},
		booking.Date{Year: 2026, Month: 12, Day: 3})
	if err != nil || len(week.Busy) != 1 || !week.Busy[0].Start.Equal(event) || !strings.HasPrefix(week.Busy[0].Label, "Busy in ") {
		t.Fatalf("week busy blocks: %+v, %v", week, err)
	}
	after := ct.slots("2026-12-03")
	// The 10-minute buffer keeps 09:40 and 10:40 away too; 11:00 is free.
	for _, at := range []time.Time{event.Add(-20 * time.Minute), event, event.Add(20 * time.Minute), event.Add(40 * time.Minute)} {
		if slices.ContainsFunc(after, at.Equal) {
			t.Errorf("%s still offered after the sync", at)
		}
	}
	if !slices.ContainsFunc(after, event.Add(time.Hour).Equal) {
		t.Errorf("%s, clear of the event and its buffer, not offered", event.Add(time.Hour))
	}
	r := ct.do("POST", "/api/v1/bookings", map[string]string{"start": event.Format(time.RFC3339), "name": "Ana", "email": "ana@example.org"}, nil)
	if r.Status != 409 || !strings.HasSuffix(r.problem(t).Type, "/taken") {
		t.Fatalf("booking the calendar's time: %d %s", r.Status, r.Body)
	}
	// The decisive check is the one in the booking transaction: with the
	// first look skipped, as when the sync commits just after it, the
	// insert is still refused.
	start := event.Add(20 * time.Minute)
	_, err = ct.store.CreateBooking(context.Background(), booking.NewBooking{Start: start, End: start.Add(20 * time.Minute),
		Name: "Ben", Email: "ben@example.org", TimeZone: "America/Los_Angeles", TokenHash: make([]byte, 32), Now: testNow},
		func(s booking.Schedule, busy []booking.Interval) error {
			return booking.CheckSlot(s, busy, start, testNow)
		})
	if booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("insert over the calendar's busy time: %v, want ECONFLICT", err)
	}
	if n := ct.bookingCount(""); n != 0 {
		t.Errorf("%d bookings stored", n)
	}
	// Unlinked, the time is free again.
	ct.call("DELETE", path, nil, 204)
	if got := ct.slots("2026-12-03"); !slices.ContainsFunc(got, event.Equal) {
		t.Error("the time stayed blocked after unlinking the calendar")
	}
}

// A calendar unread for CALENDAR_STALE_HOURS blocks all booking until it
// is read again.
func TestStaleCalendarBlocksAllBooking(t *testing.T) {
	ct := newCalendarTest(t)
	path := ct.addSource()
	ct.call("POST", path+"/sync", nil, 200)
	day := "2026-12-04"
	open := ct.slots(day)
	if len(open) == 0 {
		t.Fatal("no slots to begin with")
	}
	ct.failing.Store(true)
	ct.clock.Set(testNow.Add(23 * time.Hour))
	var src calendarSourceBody
	ct.call("POST", path+"/sync", nil, 200).decode(t, &src)
	if src.Blocking || len(ct.slots(day)) == 0 {
		t.Fatalf("blocking after 23 hours unread: %+v", src)
	}
	ct.clock.Set(testNow.Add(25 * time.Hour))
	ct.call("POST", path+"/sync", nil, 200).decode(t, &src)
	if !src.Blocking || src.Status != "error" {
		t.Fatalf("after 25 hours unread: %+v", src)
	}
	if got := ct.slots("2026-12-07"); len(got) != 0 {
		t.Errorf("%d slots offered while a calendar is stale", len(got))
	}
	r := ct.do("POST", "/api/v1/bookings", map[string]string{"start": "2026-12-07T18:00:00Z", "name": "Ana", "email": "ana@example.org"}, nil)
	if r.Status != 409 {
		t.Errorf("booking while a calendar is stale: %d %s", r.Status, r.Body)
	}
	ct.failing.Store(false)
	ct.call("POST", path+"/sync", nil, 200).decode(t, &src)
	if src.Blocking || len(ct.slots("2026-12-07")) == 0 {
		t.Errorf("read again, still blocking: %+v", src)
	}
}

// The Linked calendars page's forms: link (read at once), read now and
// unlink, each recorded in the audit log, and a refused address kept at
// its field with the password never shown again.
func TestCalendarsPageForms(t *testing.T) {
	ct := newCalendarTest(t)
	ct.body.Store([]byte(weekICS))
	a := &adminTest{testAPI: ct.testAPI, store: ct.store, clock: ct.clock}
	b := a.mustSignIn()
	p := b.post("/admin/calendars", url.Values{"kind": {"ics"}, "url": {"ftp://x.example.org/a.ics"}, "password": {"s3cret-app-pass"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "starting with https://") ||
		!strings.Contains(p.Body, `value="ftp://x.example.org/a.ics"`) || strings.Contains(p.Body, "s3cret-app-pass") {
		t.Fatalf("refused address: %d\n%s", p.Status, p.Body)
	}
	wantAdminRedirect(t, b.post("/admin/calendars", url.Values{"kind": {"ics"}, "url": {ct.icsURL}, "ignore_declined": {"on"}}), "/admin/calendars")
	page := b.get("/admin/calendars")
	if !strings.Contains(page.Body, "was read: 4 busy times ahead") {
		t.Fatalf("after linking: %s", page.Body)
	}
	var id int64
	if err := ct.pool.QueryRow(context.Background(), `SELECT id FROM calendar_sources`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	path := "/admin/calendars/" + strconv.FormatInt(id, 10)
	ct.failing.Store(true)
	wantAdminRedirect(t, b.post(path+"/sync", nil), "/admin/calendars")
	if page := b.get("/admin/calendars"); !strings.Contains(page.Body, "could not be read: The calendar server answered 500") ||
		!strings.Contains(page.Body, "The busy times read before still block bookings.") {
		t.Fatalf("after a failed read: %s", page.Body)
	}
	wantAdminRedirect(t, b.post(path+"/delete", nil), "/admin/calendars")
	if page := b.get("/admin/calendars"); !strings.Contains(page.Body, "No calendar is linked yet.") {
		t.Fatalf("after unlinking: %s", page.Body)
	}
	if p := b.post(path+"/sync", nil); p.Status != http.StatusNotFound {
		t.Errorf("reading an unlinked calendar: %d", p.Status)
	}
}
