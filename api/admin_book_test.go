package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"consult/api"
	"consult/booking"
	"consult/booking/password"
	"consult/calendar/icaltest"
	"consult/notify"
	"consult/notify/smtptest"
	"consult/storage"
	"consult/storage/storagetest"
)

// adminMailTest is an admin test whose email goes through the outbox
// worker to a real SMTP server, with manage links sealed as in production.
type adminMailTest struct {
	*adminTest
	smtp   *smtptest.Server
	worker *notify.Worker
	auth   map[string]string
}

func newAdminMailTest(t *testing.T) *adminMailTest {
	t.Helper()
	ctx := context.Background()
	pool := storagetest.NewDB(t)
	store := seedStore(t, pool, false, practiceName("Harbour Practice"))
	key, err := store.MailKey(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := notify.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: testNow}
	svc := booking.NewService(store, clock.Now, booking.WithSealer(keys))
	srv := smtptest.Start(t)
	sender, err := notify.NewSMTPSender(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	const base = "http://consult.test"
	worker, err := notify.New(notify.Config{From: "bookings@consult.test", PractitionerEmail: "dr.lee@consult.test", BaseURL: base},
		notify.Deps{Store: store, Sender: sender, Keys: keys, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	renderer, pages := siteWeb(t)
	h, err := api.New(api.Config{BaseURL: base, MailFrom: "bookings@consult.test"}, api.Deps{Service: svc, Web: renderer, Pages: pages,
		Admin: store, Sessions: storage.NewSessions(pool, clock.Now), Feeds: store, Outbox: worker})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	hash, err := password.Hash(adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	u, err := store.CreateUser(ctx, adminEmail, hash, testNow)
	if err != nil {
		t.Fatal(err)
	}
	a := &adminTest{
		testAPI: &testAPI{t: t, url: ts.URL, pool: pool, router: openAPIRouter(t), client: ts.Client()},
		srv:     h, store: store, clock: clock, user: u,
	}
	return &adminMailTest{adminTest: a, smtp: srv, worker: worker, auth: map[string]string{"Authorization": "Bearer " + a.apiToken()}}
}

// deliver sends every message due now and returns those to the client
// address to, parsed, in the order sent.
func (a *adminMailTest) deliver(to string) []parsedMail {
	a.t.Helper()
	before := len(a.smtp.Messages())
	if err := a.worker.RunOnce(context.Background()); err != nil {
		a.t.Fatal(err)
	}
	var out []parsedMail
	for _, r := range a.smtp.Messages()[before:] {
		if !slices.Equal(r.To, []string{to}) {
			continue
		}
		p, err := r.Parse()
		if err != nil {
			a.t.Fatalf("message does not parse: %v", err)
		}
		out = append(out, parsedMail{r, p})
	}
	return out
}

// invite is what an emailed invitation says, read by go-ical.
type invite struct {
	Method, UID, Status string
	Sequence            int
	Start               time.Time
	raw                 []byte `json:"-"`
}

// readInvite parses the one message's invitation with go-ical.
func readInvite(t *testing.T, m parsedMail) invite {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(m.Calendar)).Decode()
	if err != nil {
		t.Fatalf("invitation of %q: %v", decodeSubject(m), err)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("invitation has %d events", len(evs))
	}
	inv := invite{raw: m.Calendar}
	if p := cal.Props.Get(ical.PropMethod); p != nil {
		inv.Method = p.Value
	}
	inv.UID = feedProp(t, evs[0], ical.PropUID)
	inv.Status = feedProp(t, evs[0], ical.PropStatus)
	seq := evs[0].Props.Get(ical.PropSequence)
	if seq == nil {
		t.Fatal("invitation without SEQUENCE")
	}
	if inv.Sequence, err = strconv.Atoi(seq.Value); err != nil {
		t.Fatalf("SEQUENCE: %v", err)
	}
	if inv.Start, err = evs[0].DateTimeStart(time.UTC); err != nil {
		t.Fatal(err)
	}
	return inv
}

// oneMail fails unless exactly one message in ms has a subject containing
// subject, and returns it.
func oneMail(t *testing.T, ms []parsedMail, subject string) parsedMail {
	t.Helper()
	var found []parsedMail
	for _, m := range ms {
		if strings.Contains(decodeSubject(m), subject) {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		var subjects []string
		for _, m := range ms {
			subjects = append(subjects, decodeSubject(m))
		}
		t.Fatalf("%d messages %q among %q", len(found), subject, subjects)
	}
	return found[0]
}

// adminRecordBody is an admin booking answer with the cancellation's message.
type adminRecordBody struct {
	adminBookingBody
	CancelMessage string `json:"cancel_message"`
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func TestAdminAPIBookForClient(t *testing.T) {
	a := newAdminMailTest(t)
	post := func(body any, want int) response {
		t.Helper()
		r := a.do("POST", "/api/v1/admin/bookings", body, a.auth)
		if r.Status != want {
			t.Fatalf("POST %v: %d, want %d\n%s", body, r.Status, want, r.Body)
		}
		return r
	}
	nine := time.Date(2026, 12, 2, 9, 0, 0, 0, adminLA)

	// An open time: booked, and the client gets the confirmation with
	// the invitation and their private link, as if they had booked.
	var got adminBookingBody
	post(map[string]any{"start": rfc(nine), "name": "Ana Phoned", "email": "ana@example.net", "phone": "+1 555 0100"}, 201).decode(t, &got)
	if got.Status != "confirmed" || got.Name != "Ana Phoned" || got.Email != "ana@example.net" {
		t.Fatalf("booked: %+v", got)
	}
	if slices.Contains(a.localSlots("2026-12-02"), "09:00") {
		t.Error("/api/v1/slots still offers the time booked for the client")
	}
	conf := oneMail(t, a.deliver("ana@example.net"), "is confirmed")
	if inv := readInvite(t, conf); inv.Method != "REQUEST" || inv.Status != "CONFIRMED" || !inv.Start.Equal(nine) ||
		inv.UID != fmt.Sprintf("booking-%d@consult.test", got.ID) {
		t.Errorf("confirmation's invitation: %+v", inv)
	}
	if !strings.Contains(conf.Text, "http://consult.test/manage/") {
		t.Errorf("confirmation lacks the client's private link:\n%s", conf.Text)
	}

	// A taken time is a conflict, with or without the override.
	for _, override := range []bool{false, true} {
		p := post(map[string]any{"start": rfc(nine.Add(10 * time.Minute)), "name": "Bo", "email": "bo@example.net", "override_rules": override}, 409).problem(t)
		if p.Type != "/problems/taken" {
			t.Errorf("override %v over a booking: %+v", override, p)
		}
	}

	// A time breaking a rule names the rule, and is booked with the override.
	for _, c := range []struct {
		start time.Time
		rule  string
	}{
		{time.Date(2026, 12, 1, 14, 0, 0, 0, adminLA), "minimum notice of 12 hours"},
		{time.Date(2026, 12, 5, 10, 0, 0, 0, adminLA), "closed that day"},
		{time.Date(2026, 12, 2, 12, 20, 0, 0, adminLA), "outside your hours"},
		{time.Date(2026, 12, 2, 9, 20, 0, 0, adminLA), "within your 10-minute break"},
		{time.Date(2026, 12, 2, 10, 5, 0, 0, adminLA), "not one of your usual start times"},
		{time.Date(2027, 3, 1, 10, 0, 0, 0, adminLA), "more than 60 days ahead"},
	} {
		body := map[string]any{"start": rfc(c.start), "name": "Cy Rules", "email": "cy@example.net"}
		p := post(body, 422).problem(t)
		if p.Type != "/problems/outside-rules" || !strings.Contains(p.Errors["start"], "outside your usual rules: ") ||
			!strings.Contains(p.Errors["start"], c.rule) {
			t.Errorf("%s: %+v, want the rule %q", c.start, p, c.rule)
		}
		body["override_rules"] = true
		post(body, 201)
	}
	if !slices.Contains(a.auditActions(), fmt.Sprintf("booking.create booking:%d", got.ID)) ||
		!slices.ContainsFunc(a.auditActions(), func(s string) bool { return strings.HasSuffix(s, " outside-rules") }) {
		t.Errorf("audit: %q", a.auditActions())
	}

	// The daily cap of 6, counting the overridden bookings on 2 Dec.
	for _, h := range []int{11, 13} {
		post(map[string]any{"start": rfc(time.Date(2026, 12, 2, h, 0, 0, 0, adminLA)), "name": "Dee", "email": "dee@example.net"}, 201)
	}
	p := post(map[string]any{"start": rfc(time.Date(2026, 12, 2, 14, 0, 0, 0, adminLA)), "name": "Ed", "email": "ed@example.net"}, 422).problem(t)
	if !strings.Contains(p.Errors["start"], "daily limit") {
		t.Errorf("past the cap: %+v", p)
	}

	// Never in the past, whatever the override.
	if p := post(map[string]any{"start": rfc(testNow.Add(-time.Hour)), "name": "Fay", "email": "fay@example.net", "override_rules": true}, 422).problem(t); p.Type != "/problems/past" {
		t.Errorf("in the past: %+v", p)
	}
	// Bad input, each field named; no mode is offered yet.
	p = post(map[string]any{"start": "tomorrow", "name": "", "email": "nope", "phone": "call me"}, 422).problem(t)
	for _, f := range []string{"start", "name", "email", "phone"} {
		if p.Errors[f] == "" {
			t.Errorf("no message for %s: %+v", f, p)
		}
	}
	if p := post(map[string]any{"start": rfc(nine.AddDate(0, 0, 1)), "name": "Gil", "email": "gil@example.net", "mode": "video"}, 422).problem(t); p.Errors["mode"] == "" {
		t.Errorf("a mode: %+v", p)
	}
	post(`{"start": "2026-12-03T17:00:00Z", "name": "Hal", "email": "hal@example.net", "surprise": 1}`, 400)
	if r := a.do("POST", "/api/v1/admin/bookings", map[string]any{"start": rfc(nine), "name": "x", "email": "x@example.net"}, nil); r.Status != 401 {
		t.Errorf("without a token: %d", r.Status)
	}
}

func TestAdminAPIMoveBooking(t *testing.T) {
	a := newAdminMailTest(t)
	call := func(path string, body any, want int) response {
		t.Helper()
		r := a.do("POST", path, body, a.auth)
		if r.Status != want {
			t.Fatalf("POST %s %v: %d, want %d\n%s", path, body, r.Status, want, r.Body)
		}
		return r
	}
	nine := time.Date(2026, 12, 3, 9, 0, 0, 0, adminLA)
	bk := a.bookAs(nine, "Ana Client", "ana@example.net", "")
	other := a.bookAs(nine.Add(2*time.Hour), "Other Client", "other@example.net", "")
	first := readInvite(t, oneMail(t, a.deliver("ana@example.net"), "is confirmed"))
	move := fmt.Sprintf("/api/v1/admin/bookings/%d/reschedule", bk.ID)

	// Moved to another open time: the client's calendar is updated.
	ten := nine.Add(time.Hour)
	var got adminBookingBody
	call(move, map[string]any{"start": rfc(ten)}, 200).decode(t, &got)
	if got.Status != "confirmed" {
		t.Fatalf("moved: %+v", got)
	}
	slots := a.localSlots("2026-12-03")
	if slices.Contains(slots, "10:00") || !slices.Contains(slots, "09:00") {
		t.Errorf("slots after the move: %q", slots)
	}
	moved := oneMail(t, a.deliver("ana@example.net"), "has been moved")
	inv := readInvite(t, moved)
	if inv.Method != "REQUEST" || inv.UID != first.UID || inv.Sequence <= first.Sequence || !inv.Start.Equal(ten) {
		t.Errorf("after the move: %+v, first %+v", inv, first)
	}
	// The pending reminder kept the client's link, so the email has it too.
	if !strings.Contains(moved.Text, bk.ManageURL) {
		t.Errorf("the move's email lacks the client's link:\n%s", moved.Text)
	}
	if js := icaltest.Check(t, map[string][]byte{"first": first.raw, "moved": moved.Calendar}); js != nil {
		if e := js["moved"].Events; len(e) != 1 || e[0].UID != first.UID || e[0].Sequence <= first.Sequence || !e[0].DTStart.Equal(ten) {
			t.Errorf("ical.js read the move as %+v", js["moved"])
		}
	}

	// A taken time, a rule broken without and with the override.
	if p := call(move, map[string]any{"start": rfc(other.Start)}, 409).problem(t); p.Type != "/problems/taken" {
		t.Errorf("onto another booking: %+v", p)
	}
	call(move, map[string]any{"start": rfc(ten)}, 422)
	lunch := time.Date(2026, 12, 3, 12, 20, 0, 0, adminLA)
	if p := call(move, map[string]any{"start": rfc(lunch)}, 422).problem(t); !strings.Contains(p.Errors["start"], "outside your usual rules: it is outside your hours") {
		t.Errorf("outside the hours: %+v", p)
	}
	call(move, map[string]any{"start": rfc(lunch), "override_rules": true}, 200)
	again := readInvite(t, oneMail(t, a.deliver("ana@example.net"), "has been moved"))
	if again.UID != first.UID || again.Sequence <= inv.Sequence || !again.Start.Equal(lunch) {
		t.Errorf("after the second move: %+v", again)
	}
	if p := call(move, map[string]any{}, 422).problem(t); p.Errors["start"] == "" {
		t.Errorf("no start: %+v", p)
	}
	call("/api/v1/admin/bookings/999999/reschedule", map[string]any{"start": rfc(ten)}, 404)
	call(fmt.Sprintf("/api/v1/admin/bookings/%d/cancel", other.ID), nil, 200)
	call(fmt.Sprintf("/api/v1/admin/bookings/%d/reschedule", other.ID), map[string]any{"start": rfc(nine)}, 409)
}

func TestAdminAPIRestoreBooking(t *testing.T) {
	a := newAdminMailTest(t)
	call := func(path string, body any, want int) response {
		t.Helper()
		r := a.do("POST", path, body, a.auth)
		if r.Status != want {
			t.Fatalf("POST %s: %d, want %d\n%s", path, r.Status, want, r.Body)
		}
		return r
	}
	// Another system is told of every change, the restore included.
	call("/api/v1/admin/webhooks", map[string]any{"url": "https://hooks.example.net/in", "events": []string{"booking.cancelled", "booking.restored"}}, 201)
	nine := time.Date(2026, 12, 4, 9, 0, 0, 0, adminLA)
	bk := a.bookAs(nine, "Ana Client", "ana@example.net", "")
	first := readInvite(t, oneMail(t, a.deliver("ana@example.net"), "is confirmed"))

	var got adminRecordBody
	call(fmt.Sprintf("/api/v1/admin/bookings/%d/cancel", bk.ID), map[string]string{"message": "I am unwell, sorry."}, 200).decode(t, &got)
	if got.CancelMessage != "I am unwell, sorry." {
		t.Errorf("cancelled: %+v", got)
	}
	cancel := oneMail(t, a.deliver("ana@example.net"), "has been cancelled")
	if !strings.Contains(cancel.Text, "I am unwell, sorry.") || readInvite(t, cancel).Method != "CANCEL" {
		t.Errorf("cancellation:\n%s", cancel.Text)
	}

	restore := fmt.Sprintf("/api/v1/admin/bookings/%d/restore", bk.ID)
	a.clock.Set(testNow.Add(23 * time.Hour))
	call(restore, nil, 200).decode(t, &got)
	if got.Status != "confirmed" || got.CancelledAt != nil || got.CancelMessage != "" {
		t.Fatalf("restored: %+v", got)
	}
	if !slices.Contains(a.auditActions(), fmt.Sprintf("booking.restore booking:%d", bk.ID)) {
		t.Errorf("audit: %q", a.auditActions())
	}
	back := oneMail(t, a.deliver("ana@example.net"), "is back on")
	inv := readInvite(t, back)
	if inv.Method != "REQUEST" || inv.Status != "CONFIRMED" || inv.UID != first.UID || inv.Sequence <= readInvite(t, cancel).Sequence {
		t.Errorf("restored invitation: %+v", inv)
	}
	if js := icaltest.Check(t, map[string][]byte{"back": back.Calendar}); js != nil {
		if e := js["back"].Events; len(e) != 1 || e[0].UID != first.UID || e[0].Status != "CONFIRMED" || e[0].Sequence != inv.Sequence {
			t.Errorf("ical.js read the restored booking as %+v", js["back"])
		}
	}
	call(restore, nil, 409) // not cancelled
	var events []string
	if err := pgxCollect(a.pool, `SELECT event_type FROM webhook_deliveries ORDER BY id`, &events); err != nil {
		t.Fatal(err)
	}
	if strings.Join(events, " ") != "booking.cancelled booking.restored" {
		t.Errorf("webhook events %q", events)
	}

	// Taken meanwhile: the time stays the other client's.
	call(fmt.Sprintf("/api/v1/admin/bookings/%d/cancel", bk.ID), nil, 200)
	a.bookAs(nine, "Bo Quick", "bo@example.net", "")
	if p := call(restore, nil, 409).problem(t); p.Type != "/problems/taken" {
		t.Errorf("restore over a new booking: %+v", p)
	}

	// More than a day after the cancellation.
	late := a.bookAs(nine.Add(time.Hour), "Cy Late", "cy@example.net", "")
	call(fmt.Sprintf("/api/v1/admin/bookings/%d/cancel", late.ID), nil, 200)
	a.clock.Set(testNow.Add(48 * time.Hour))
	if p := call(fmt.Sprintf("/api/v1/admin/bookings/%d/restore", late.ID), nil, 409).problem(t); !strings.Contains(p.Detail, "24 hours") {
		t.Errorf("a day late: %+v", p)
	}
	call("/api/v1/admin/bookings/999999/restore", nil, 404)

	// Undone before its email went out, the cancellation is not sent:
	// the client hears only that the booking stands.
	quick := a.bookAs(nine.Add(4*time.Hour), "Di Quick", "di@example.net", "")
	oneMail(t, a.deliver("di@example.net"), "is confirmed")
	call(fmt.Sprintf("/api/v1/admin/bookings/%d/cancel", quick.ID), nil, 200)
	call(fmt.Sprintf("/api/v1/admin/bookings/%d/restore", quick.ID), nil, 200)
	if got := a.deliver("di@example.net"); len(got) != 1 || !strings.Contains(decodeSubject(got[0]), "is back on") {
		t.Errorf("after a cancellation undone at once: %d messages", len(got))
	}
}

// TestAdminAPIOverrideNeverDoubleBooks sends overlapping bookings outside
// the rules at once: the override waives the rules, never the one
// booking at a time, so exactly one is made.
func TestAdminAPIOverrideNeverDoubleBooks(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	auth := map[string]string{"Authorization": "Bearer " + a.apiToken()}
	// A Saturday, so every request needs the override.
	sat := time.Date(2026, 12, 5, 10, 0, 0, 0, adminLA)
	const n = 6
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := a.do("POST", "/api/v1/admin/bookings", map[string]any{"start": rfc(sat.Add(time.Duration(i) * 3 * time.Minute)),
				"name": "Racer", "email": fmt.Sprintf("racer%d@example.net", i), "override_rules": true}, auth)
			statuses <- r.Status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[201] != 1 || count[409] != n-1 {
		t.Fatalf("statuses %v, want one 201 and %d 409", count, n-1)
	}
	if got := a.bookingCount("confirmed"); got != 1 {
		t.Fatalf("%d confirmed bookings", got)
	}
}

// pgxCollect reads one text column of every row of query into out.
func pgxCollect(pool *pgxpool.Pool, query string, out *[]string) error {
	rows, err := pool.Query(context.Background(), query)
	if err != nil {
		return err
	}
	*out, err = pgx.CollectRows(rows, pgx.RowTo[string])
	return err
}
