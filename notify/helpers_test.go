package notify_test

import (
	"bytes"
	"context"
	"log/slog"
	"mime"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/jackc/pgx/v5/pgxpool"

	"consult/booking"
	"consult/notify"
	"consult/notify/smtptest"
	"consult/storage"
	"consult/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.RunTests(m)) }

// start is the tests' first instant: Tuesday 1 December 2026, 08:00 in
// Los Angeles, the practice's zone.
var start = time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)

const (
	practiceName = "Harbour Practice"
	mailFrom     = "bookings@harbour.test"
	practitioner = "dr.lee@harbour.test"
	baseURL      = "https://harbour.test"
)

// clock is the injected clock: tests move it, never sleep.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// env is a practice on a fresh database with demo hours, a booking
// service and a mail worker sending to a real SMTP server.
type env struct {
	t      *testing.T
	ctx    context.Context
	pool   *pgxpool.Pool
	store  *storage.Store
	svc    *booking.Service
	clock  *clock
	smtp   *smtptest.Server
	worker *notify.Worker
	keys   *notify.Keyring
	logs   *bytes.Buffer
}

func newEnv(t *testing.T, configure ...func(*notify.Config, *notify.Deps)) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), clock: &clock{t: start}, logs: &bytes.Buffer{}}
	e.pool = storagetest.NewDB(t)
	e.store = storage.New(e.pool)
	settings := booking.DefaultSettings()
	settings.PracticeName = practiceName
	if err := e.store.InitSettings(e.ctx, settings, start.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SeedDemoHours(e.ctx, start.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	key, err := e.store.MailKey(e.ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if e.keys, err = notify.NewKeyring(key); err != nil {
		t.Fatal(err)
	}
	e.svc = booking.NewService(e.store, e.clock.Now, booking.WithSealer(e.keys))
	e.smtp = smtptest.Start(t)
	sender, err := notify.NewSMTPSender(e.smtp.URL())
	if err != nil {
		t.Fatal(err)
	}
	cfg := notify.Config{From: mailFrom, PractitionerEmail: practitioner, BaseURL: baseURL}
	deps := notify.Deps{Store: e.store, Sender: sender, Keys: e.keys, Now: e.clock.Now,
		Logger: slog.New(slog.NewTextHandler(&syncWriter{w: e.logs}, nil))}
	for _, c := range configure {
		c(&cfg, &deps)
	}
	if e.worker, err = notify.New(cfg, deps); err != nil {
		t.Fatal(err)
	}
	return e
}

// syncWriter lets concurrent workers share one log buffer.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// run sends everything due now.
func (e *env) run() {
	e.t.Helper()
	if err := e.worker.RunOnce(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

// slot returns the n-th free slot on date (YYYY-MM-DD, practice zone).
func (e *env) slot(date string, n int) time.Time {
	e.t.Helper()
	d, err := booking.ParseDate(date)
	if err != nil {
		e.t.Fatal(err)
	}
	loc, _ := time.LoadLocation("America/Los_Angeles")
	from := d.In(0, loc)
	slots, _, err := e.svc.Slots(e.ctx, from, from.Add(24*time.Hour))
	if err != nil || len(slots) <= n {
		e.t.Fatalf("slots on %s: %d, %v", date, len(slots), err)
	}
	return slots[n].Start
}

// book books a slot as Ada, from Berlin, with a note.
func (e *env) book(at time.Time) (*booking.Booking, string) {
	e.t.Helper()
	b, token, err := e.svc.Book(e.ctx, booking.Request{
		Start: at, Name: "Ada Lovelace", Email: "ada@example.org", Phone: "+49 30 1234567",
		Note: "Private: about my medication", TimeZone: "Europe/Berlin",
	}, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return b, token
}

// received returns the messages delivered so far, parsed, with their envelope.
func (e *env) received() []mailMsg {
	e.t.Helper()
	var out []mailMsg
	for _, r := range e.smtp.Messages() {
		p, err := r.Parse()
		if err != nil {
			e.t.Fatalf("received message does not parse: %v\n%s", err, r.Data)
		}
		out = append(out, mailMsg{Received: r, Parsed: p})
	}
	return out
}

type mailMsg struct {
	smtptest.Received
	*smtptest.Parsed
}

func (m mailMsg) subject() string { return decodeHeader(m.Header.Get("Subject")) }

// only returns the one message among ms whose subject contains s.
func only(t *testing.T, ms []mailMsg, s string) mailMsg {
	t.Helper()
	var found []mailMsg
	for _, m := range ms {
		if strings.Contains(m.subject(), s) {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		var subjects []string
		for _, m := range ms {
			subjects = append(subjects, m.subject())
		}
		t.Fatalf("%d messages with subject %q among %q", len(found), s, subjects)
	}
	return found[0]
}

// event parses an invitation with go-ical and returns its method and event.
func event(t *testing.T, data []byte) (string, *ical.Event) {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		t.Fatalf("invitation does not parse: %v\n%s", err, data)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("invitation has %d events", len(events))
	}
	method, _ := cal.Props.Text(ical.PropMethod)
	return method, &events[0]
}

// status returns the outbox status of every message about booking id, by kind.
func (e *env) status(id int64) map[string]string {
	e.t.Helper()
	msgs, err := e.store.ListOutbox(e.ctx, booking.OutboxFilter{BookingID: id, Limit: 500})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range msgs {
		out[m.Kind] += string(m.Status)
	}
	return out
}

func decodeHeader(s string) string {
	d, err := new(mime.WordDecoder).DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}
