package webhook_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"consult/booking"
	"consult/webhook"
)

// TestReceiverDownGetsEveryEventOnceAfterReturn: events that happen while
// the receiver is down are retried under the same id on the Standard
// Webhooks schedule, and once it is back each is accepted exactly once;
// every request is signed so that the reference library accepts it.
func TestReceiverDownGetsEveryEventOnceAfterReturn(t *testing.T) {
	e := newEnv(t)
	var down atomic.Bool
	down.Store(true)
	r := newReceiver(t, func() int {
		if down.Load() {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	_, secret := e.endpoint(r.URL+"/hooks?token=receiver-secret", false)

	first, _ := e.book(0, "ada@example.org")
	_, token := e.book(2, "grace@example.org")
	if _, err := e.svc.Reschedule(e.ctx, token, e.slot(4)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.admin.CancelBooking(e.ctx, practitioner, first.ID, "Sorry, I am unwell."); err != nil {
		t.Fatal(err)
	}
	if n := e.run(); n != 4 {
		t.Fatalf("first run attempted %d deliveries, want 4", n)
	}
	if n := e.run(); n != 0 {
		t.Fatalf("a failed delivery was tried again at once (%d)", n)
	}
	e.clock.Advance(5 * time.Second)
	if n := e.run(); n != 4 {
		t.Fatalf("second run after 5 s attempted %d, want 4", n)
	}
	down.Store(false)
	e.clock.Advance(4 * time.Minute)
	if n := e.run(); n != 0 {
		t.Fatalf("third attempt came before its 5 minutes (%d)", n)
	}
	e.clock.Advance(time.Minute)
	if n := e.run(); n != 4 {
		t.Fatalf("third run attempted %d, want 4", n)
	}
	e.clock.Advance(24 * time.Hour)
	if n := e.run(); n != 0 {
		t.Fatalf("delivered events were sent again (%d)", n)
	}

	accepted := r.accepted()
	if len(accepted) != 4 {
		t.Fatalf("accepted ids = %v, want 4 distinct", accepted)
	}
	for id, n := range accepted {
		if n != 1 || !strings.HasPrefix(id, "msg_") {
			t.Errorf("event %q accepted %d times", id, n)
		}
	}
	reqs := r.requests()
	if len(reqs) != 12 {
		t.Fatalf("receiver saw %d requests, want 12 (3 attempts of 4 events)", len(reqs))
	}
	types := map[string]int{}
	for _, q := range reqs {
		var p booking.WebhookPayload
		if err := json.Unmarshal(q.Body, &p); err != nil {
			t.Fatalf("body %s: %v", q.Body, err)
		}
		if p.ID != q.Headers["webhook-id"] || p.Data.Booking == nil || p.Data.Booking.Client != nil {
			t.Fatalf("payload %s (headers %v)", q.Body, q.Headers)
		}
		if q.Status < 300 {
			types[p.Type]++
		}
		for _, private := range []string{"Ada", "example.org", "medication", "+49", "unwell"} {
			if strings.Contains(string(q.Body), private) {
				t.Errorf("body without client details holds %q: %s", private, q.Body)
			}
		}
	}
	want := map[string]int{booking.EventBookingCreated: 2, booking.EventBookingRescheduled: 1, booking.EventBookingCancelled: 1}
	for k, v := range want {
		if types[k] != v {
			t.Errorf("accepted %s: %d, want %d (all: %v)", k, types[k], v, types)
		}
	}
	for i, verdict := range verify(t, secret, reqs) {
		if verdict != "ok" {
			t.Errorf("request %d: the reference library says %q", i, verdict)
		}
	}
	// The library is not merely accepting everything.
	tampered := reqs[0]
	tampered.Body = []byte(strings.Replace(string(tampered.Body), "booking", "bookinG", 1))
	if v := verify(t, secret, []request{tampered}); len(v) != 1 || v[0] != "refused" {
		t.Fatalf("a tampered body: %v, want refused", v)
	}
}

// TestClientDetailsOnlyWhenTicked: the same event carries the client's
// name, email and phone only to the endpoint that asked for them, and the
// client's note to neither.
func TestClientDetailsOnlyWhenTicked(t *testing.T) {
	e := newEnv(t)
	ok := func() int { return http.StatusNoContent }
	plain, full := newReceiver(t, ok), newReceiver(t, ok)
	e.endpoint(plain.URL, false)
	e.endpoint(full.URL, true)
	b, _ := e.book(0, "ada@example.org")
	if _, err := e.admin.SetStatus(e.ctx, practitioner, b.ID, booking.StatusNoShow); err == nil {
		t.Fatal("a future consultation was marked no-show")
	}
	e.run()
	pr, fr := plain.requests(), full.requests()
	if len(pr) != 1 || len(fr) != 1 || pr[0].Headers["webhook-id"] != fr[0].Headers["webhook-id"] {
		t.Fatalf("plain %v, full %v", pr, fr)
	}
	var p booking.WebhookPayload
	if err := json.Unmarshal(fr[0].Body, &p); err != nil {
		t.Fatal(err)
	}
	c := p.Data.Booking.Client
	if c == nil || c.Name != "Ada Lovelace" || c.Email != "ada@example.org" || c.Phone != "+49 30 1234567" {
		t.Fatalf("full payload: %s", fr[0].Body)
	}
	if !p.Data.Booking.Start.Equal(b.Start) || p.Type != booking.EventBookingCreated || !p.Timestamp.Equal(start) {
		t.Fatalf("full payload: %s", fr[0].Body)
	}
	for _, q := range append(pr, fr...) {
		if strings.Contains(string(q.Body), "medication") {
			t.Fatalf("the client's note went out: %s", q.Body)
		}
	}
	if strings.Contains(string(pr[0].Body), "Ada") {
		t.Fatalf("plain payload holds the name: %s", pr[0].Body)
	}

	// After the consultation, marking it completed is an event too.
	e.clock.Advance(9 * 24 * time.Hour)
	if _, err := e.admin.SetStatus(e.ctx, practitioner, b.ID, booking.StatusCompleted); err != nil {
		t.Fatal(err)
	}
	e.run()
	if got := full.requests(); len(got) != 2 || !strings.Contains(string(got[1].Body), `"type":"booking.completed"`) {
		t.Fatalf("after marking completed: %v", got)
	}
}

// TestTwoWorkersNeverSendOneDeliveryTwice: workers on several instances
// share the queue; each delivery is claimed by one of them.
func TestTwoWorkersNeverSendOneDeliveryTwice(t *testing.T) {
	e := newEnv(t)
	r := newReceiver(t, func() int { return http.StatusOK })
	e.endpoint(r.URL, false)
	for i := range 6 {
		e.book(i, "client"+string(rune('a'+i))+"@example.org")
	}
	other := webhook.New(webhook.Config{AllowPrivate: true}, e.store, e.clock.Now, nil)
	var wg sync.WaitGroup
	for _, w := range []*webhook.Worker{e.worker, other} {
		wg.Go(func() {
			if _, err := w.RunOnce(e.ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := r.requests(); len(got) != 6 {
		t.Fatalf("receiver got %d requests for 6 events", len(got))
	}
	if acc := r.accepted(); len(acc) != 6 {
		t.Fatalf("accepted %v", acc)
	}
}

// TestDeliveryGivesUpAndEndpointSwitchesOff: a delivery is tried
// webhook.MaxAttempts times and then has failed, its client details
// dropped; an endpoint that has failed every attempt for five days is
// switched off with the reason, is queued nothing while off, and sends
// what was pending once switched on.
func TestDeliveryGivesUpAndEndpointSwitchesOff(t *testing.T) {
	e := newEnv(t)
	var status atomic.Int32
	status.Store(http.StatusInternalServerError)
	r := newReceiver(t, func() int { return int(status.Load()) })
	w, _ := e.endpoint(r.URL, true)
	e.book(0, "ada@example.org")
	for range webhook.MaxAttempts + 2 {
		e.run()
		e.clock.Advance(11 * time.Hour)
	}
	if got := len(r.requests()); got != webhook.MaxAttempts {
		t.Fatalf("%d attempts, want %d", got, webhook.MaxAttempts)
	}
	ds, err := e.store.WebhookDeliveries(e.ctx, w.ID, 10)
	if err != nil || len(ds) != 1 || ds[0].Status != booking.DeliveryFailed || ds[0].LastStatus != 500 ||
		!strings.Contains(ds[0].LastError, "500") {
		t.Fatalf("deliveries %+v, %v", ds, err)
	}
	var kept int
	if err := e.store.Pool().QueryRow(e.ctx, `SELECT count(*) FROM webhook_deliveries WHERE payload IS NOT NULL`).Scan(&kept); err != nil || kept != 0 {
		t.Fatalf("bodies kept after giving up: %d, %v", kept, err)
	}
	if got, _ := e.store.Webhook(e.ctx, w.ID); !got.Enabled {
		t.Fatal("switched off before five days of failing")
	}

	// Five days after the first failure, the next failure switches it off.
	e.clock.Advance(5*24*time.Hour - time.Duration(webhook.MaxAttempts+2)*11*time.Hour + time.Minute)
	e.book(1, "grace@example.org")
	e.run()
	got, err := e.store.Webhook(e.ctx, w.ID)
	if err != nil || got.Enabled || !strings.Contains(got.DisabledReason, "5 days") {
		t.Fatalf("after five days: %+v, %v", got, err)
	}
	before := len(r.requests())
	e.clock.Advance(time.Hour)
	e.book(2, "lin@example.org")
	if n := e.run(); n != 0 || len(r.requests()) != before {
		t.Fatalf("a switched-off endpoint was sent to (%d)", n)
	}

	status.Store(http.StatusOK)
	if err := e.admin.EnableWebhook(e.ctx, practitioner, w.ID); err != nil {
		t.Fatal(err)
	}
	// The delivery pending when it was switched off goes now; the event
	// that happened while it was off was never queued for it.
	if n := e.run(); n != 1 {
		t.Fatalf("after switching on, %d deliveries sent, want the 1 pending", n)
	}
	if got, _ := e.store.Webhook(e.ctx, w.ID); !got.Enabled || got.DisabledReason != "" || got.FailingSince != nil {
		t.Fatalf("after a success: %+v", got)
	}
}

// TestErasingTheClientEmptiesTheirWebhookBodies: a body with the client's
// details is not kept once the client is erased; one not sent yet is not
// sent.
func TestErasingTheClientEmptiesTheirWebhookBodies(t *testing.T) {
	e := newEnv(t)
	r := newReceiver(t, func() int { return http.StatusOK })
	e.endpoint(r.URL, true)
	e.book(0, "ada@example.org")
	if _, err := e.admin.EraseClient(e.ctx, practitioner, "ada@example.org"); err != nil {
		t.Fatal(err)
	}
	if n := e.run(); n != 0 {
		t.Fatalf("an erased client's details were sent (%d)", n)
	}
	var n int
	if err := e.store.Pool().QueryRow(e.ctx, `SELECT count(*) FROM webhook_deliveries
		WHERE payload::text LIKE '%ada%' OR convert_from(payload, 'UTF8') LIKE '%Ada%'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("bodies holding the client: %d, %v", n, err)
	}
}

// TestSecretIsSealedAtRest: the signing secret is not stored as it is.
func TestSecretIsSealedAtRest(t *testing.T) {
	e := newEnv(t)
	_, secret := e.endpoint("https://hooks.example.com/in", false)
	var stored string
	if err := e.store.Pool().QueryRow(e.ctx, `SELECT secret FROM webhook_endpoints`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "whsec_") || strings.Contains(stored, strings.TrimPrefix(secret, "whsec_")) {
		t.Fatalf("secret %q stored as %q", secret, stored)
	}
}

// TestPrivateAddressesRefusedUnlessAllowed: by default a receiver on
// loopback is never connected to, and the delivery says why; a metadata
// address is refused even where private ones are allowed.
func TestPrivateAddressesRefusedUnlessAllowed(t *testing.T) {
	e := newEnv(t)
	r := newReceiver(t, func() int { return http.StatusOK })
	local, _ := e.endpoint(r.URL, false)
	metadata, _ := e.endpoint("http://169.254.169.254/latest/meta-data", false)
	e.book(0, "ada@example.org")
	strict := webhook.New(webhook.Config{}, e.store, e.clock.Now, nil)
	if n, err := strict.RunOnce(e.ctx); err != nil || n != 2 {
		t.Fatalf("RunOnce: %d, %v", n, err)
	}
	e.clock.Advance(time.Minute)
	e.run() // private addresses allowed: the loopback one goes, the metadata one not
	if got := len(r.requests()); got != 1 {
		t.Fatalf("receiver got %d requests, want 1 (only once allowed)", got)
	}
	for _, w := range []*booking.WebhookEndpoint{local, metadata} {
		ds, err := e.store.WebhookDeliveries(e.ctx, w.ID, 1)
		if err != nil || len(ds) != 1 {
			t.Fatal(ds, err)
		}
		if w == metadata && (ds[0].Status != booking.DeliveryPending || !strings.Contains(ds[0].LastError, "link-local")) {
			t.Errorf("metadata endpoint: %+v", ds[0])
		}
		if w == local && ds[0].Status != booking.DeliveryDelivered {
			t.Errorf("loopback endpoint once allowed: %+v", ds[0])
		}
		if strings.Contains(ds[0].LastError, "meta-data") || strings.Contains(ds[0].LastError, r.URL) {
			t.Errorf("the error names the URL: %q", ds[0].LastError)
		}
	}
}
