package api_test

import (
	"context"
	"mime"
	"net/http/httptest"
	"testing"
	"time"

	"consult/api"
	"consult/booking"
	"consult/notify"
	"consult/notify/smtptest"
	"consult/storage"
	"consult/storage/storagetest"
)

// mailAPI is a test API whose bookings send email through the outbox
// worker to a real SMTP server, on an injected clock.
type mailAPI struct {
	*testAPI
	store  *storage.Store
	svc    *booking.Service
	worker *notify.Worker
	smtp   *smtptest.Server
	clock  *testClock
}

// newMailAPI serves the API and the client's pages; opts configure the
// booking service beside its sealer.
func newMailAPI(t *testing.T, now time.Time, opts ...booking.Option) *mailAPI {
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
	clock := &testClock{t: now}
	svc := booking.NewService(store, clock.Now, append([]booking.Option{booking.WithSealer(keys)}, opts...)...)
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
	h, err := api.New(api.Config{BaseURL: base, MailFrom: "bookings@consult.test"},
		api.Deps{Service: svc, Feeds: store, Outbox: worker, Web: renderer, Pages: pages})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &mailAPI{
		testAPI: &testAPI{t: t, url: ts.URL, pool: pool, router: openAPIRouter(t), client: ts.Client()},
		store:   store, svc: svc, worker: worker, smtp: srv, clock: clock,
	}
}

// deliver sends every message due now and returns the ones received since
// the given count, parsed.
func (a *mailAPI) deliver(since int) []parsedMail {
	a.t.Helper()
	if err := a.worker.RunOnce(context.Background()); err != nil {
		a.t.Fatal(err)
	}
	var out []parsedMail
	for _, r := range a.smtp.Messages()[since:] {
		p, err := r.Parse()
		if err != nil {
			a.t.Fatalf("message does not parse: %v", err)
		}
		out = append(out, parsedMail{r, p})
	}
	return out
}

type parsedMail struct {
	smtptest.Received
	*smtptest.Parsed
}

func decodeSubject(m parsedMail) string {
	s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return m.Header.Get("Subject")
	}
	return s
}
