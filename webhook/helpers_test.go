package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"consult/booking"
	"consult/notify"
	"consult/storage"
	"consult/storage/storagetest"
	"consult/webhook"
)

func TestMain(m *testing.M) { os.Exit(storagetest.RunTests(m)) }

// start is the tests' first instant: Tuesday 1 December 2026, 08:00 in
// Los Angeles, the practice's zone.
var start = time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)

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

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a practice on a fresh database with demo hours, its booking
// service and admin operations, and a webhook worker that may reach
// loopback receivers.
type env struct {
	t      *testing.T
	ctx    context.Context
	store  *storage.Store
	svc    *booking.Service
	admin  *booking.Admin
	clock  *clock
	worker *webhook.Worker
}

var practitioner = booking.Actor{Via: booking.ViaCLI}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), clock: &clock{t: start}}
	pool := storagetest.NewDB(t)
	plain := storage.New(pool)
	if err := plain.InitSettings(e.ctx, booking.DefaultSettings(), start.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := plain.SeedDemoHours(e.ctx, start.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	key, err := plain.MailKey(e.ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := notify.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	e.store = storage.New(pool, storage.WithSecretSealer(keys))
	e.svc = booking.NewService(e.store, e.clock.Now, booking.WithLimits(booking.ClientLimits{}))
	e.admin = booking.NewAdmin(e.store, e.clock.Now)
	e.worker = webhook.New(webhook.Config{AllowPrivate: true, Timeout: 5 * time.Second}, e.store, e.clock.Now, nil)
	return e
}

// endpoint adds an endpoint at url for every event and returns it with
// its secret.
func (e *env) endpoint(url string, withClient bool) (*booking.WebhookEndpoint, string) {
	e.t.Helper()
	w, secret, err := e.admin.CreateWebhook(e.ctx, practitioner,
		booking.WebhookEndpoint{URL: url, Events: booking.WebhookEvents, IncludeClientDetails: withClient})
	if err != nil {
		e.t.Fatal(err)
	}
	return w, secret
}

// run sends every delivery due now and returns how many were attempted.
func (e *env) run() int {
	e.t.Helper()
	n, err := e.worker.RunOnce(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// slot returns the n-th free slot on Wednesday 9 December 2026.
func (e *env) slot(n int) time.Time {
	e.t.Helper()
	from := time.Date(2026, 12, 9, 8, 0, 0, 0, time.UTC)
	slots, _, err := e.svc.Slots(e.ctx, from, from.Add(24*time.Hour))
	if err != nil || len(slots) <= n {
		e.t.Fatalf("slots: %d, %v", len(slots), err)
	}
	return slots[n].Start
}

// book books slot n for a client with a private note and returns the
// booking and its manage token.
func (e *env) book(n int, email string) (*booking.Booking, string) {
	e.t.Helper()
	b, token, err := e.svc.Book(e.ctx, booking.Request{Start: e.slot(n), Name: "Ada Lovelace", Email: email,
		Phone: "+49 30 1234567", Note: "Private: about my medication", TimeZone: "Europe/Berlin"}, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return b, token
}

// request is one request a receiver got.
type request struct {
	Headers map[string]string
	Body    []byte
	Status  int // what the receiver answered
}

// receiver is a loopback endpoint that answers with status() and keeps
// every request.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []request
	status func() int
}

func newReceiver(t *testing.T, status func() int) *receiver {
	r := &receiver{status: status}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		code := r.status()
		r.mu.Lock()
		r.got = append(r.got, request{Headers: map[string]string{
			"webhook-id":        req.Header.Get("webhook-id"),
			"webhook-timestamp": req.Header.Get("webhook-timestamp"),
			"webhook-signature": req.Header.Get("webhook-signature"),
		}, Body: body, Status: code})
		r.mu.Unlock()
		w.WriteHeader(code)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.got...)
}

// accepted returns, by webhook-id, how many times each was answered 2xx.
func (r *receiver) accepted() map[string]int {
	out := map[string]int{}
	for _, q := range r.requests() {
		if q.Status < 300 {
			out[q.Headers["webhook-id"]]++
		}
	}
	return out
}

// verify checks every request's signature with the Standard Webhooks
// reference library (node, webhook/testdata/standardwebhooks), with the
// library's clock at the request's timestamp, and returns its verdicts.
func verify(t *testing.T, secret string, reqs []request) []string {
	t.Helper()
	dir, _ := filepath.Abs("testdata/standardwebhooks")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "standardwebhooks")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the Standard Webhooks library is missing under CI: (cd %s && npm ci)", dir)
		}
		t.Skipf("the Standard Webhooks library is not installed: (cd %s && npm ci)", dir)
	}
	var in bytes.Buffer
	for _, q := range reqs {
		line, _ := json.Marshal(map[string]any{"secret": secret, "headers": q.Headers, "body": string(q.Body)})
		in.Write(append(line, '\n'))
	}
	cmd := exec.Command("node", "verify.js")
	cmd.Dir, cmd.Stdin = dir, &in
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node verify.js: %v\n%s", err, out)
	}
	return strings.Fields(string(out))
}
