package notify_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"consult/booking"
	"consult/notify"
	"consult/notify/smtptest"
	"consult/storage"
	"consult/storage/storagetest"
)

// countingSender counts what one worker delivered.
type countingSender struct {
	notify.Sender
	n atomic.Int64
}

func (c *countingSender) Send(ctx context.Context, m *notify.Message) error {
	err := c.Sender.Send(ctx, m)
	if err == nil {
		c.n.Add(1)
	}
	return err
}

func TestTwoWorkersDeliverEachMessageExactlyOnce(t *testing.T) {
	ctx := context.Background()
	url := storagetest.NewDBURL(t)
	open := func() *storage.Store {
		pool, err := pgxpool.New(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		return storage.New(pool)
	}
	// Two instances: each its own pool, store and worker, one database.
	a, b := open(), open()
	if err := a.InitSettings(ctx, booking.DefaultSettings(), start.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	// 100 bookings, each with its confirmation and practitioner notice.
	_, err := a.Pool().Exec(ctx, `
		WITH b AS (
			INSERT INTO bookings (starts_at, ends_at, name, email, time_zone, manage_token_hash)
			SELECT $1::timestamptz + i * interval '30 minutes', $1::timestamptz + i * interval '30 minutes' + interval '20 minutes',
				'Client ' || i, 'client' || i || '@example.org', 'Europe/Berlin', decode(md5(i::text), 'hex')
			FROM generate_series(1, 100) i
			RETURNING id)
		INSERT INTO outbox (booking_id, kind, recipient, send_after)
		SELECT id, k.kind, k.recipient, $2 FROM b,
			(VALUES ('confirmation', 'client'), ('practitioner_new', 'practitioner')) AS k (kind, recipient)`,
		start.AddDate(0, 0, 3), start)
	if err != nil {
		t.Fatal(err)
	}
	srv := smtptest.Start(t)
	c := &clock{t: start}
	newWorker := func(s *storage.Store) (*notify.Worker, *countingSender) {
		sender, err := notify.NewSMTPSender(srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		cs := &countingSender{Sender: sender}
		w, err := notify.New(notify.Config{From: mailFrom, BaseURL: baseURL}, notify.Deps{Store: s, Sender: cs, Now: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		return w, cs
	}
	wa, ca := newWorker(a)
	wb, cb := newWorker(b)

	var wg sync.WaitGroup
	startLine := make(chan struct{})
	for _, w := range []*notify.Worker{wa, wb} {
		wg.Go(func() {
			<-startLine
			if err := w.RunOnce(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	close(startLine)
	wg.Wait()

	got := srv.Messages()
	ids := map[string]int{}
	for _, m := range got {
		ids[m.Header.Get("Message-ID")]++
	}
	if len(got) != 200 || len(ids) != 200 {
		t.Fatalf("delivered %d messages with %d distinct Message-IDs, want 200 each", len(got), len(ids))
	}
	if ca.n.Load() == 0 || cb.n.Load() == 0 {
		t.Errorf("one worker did everything (%d and %d): the race did not happen", ca.n.Load(), cb.n.Load())
	}
	t.Logf("worker A sent %d, worker B %d", ca.n.Load(), cb.n.Load())
	var sent, once int
	err = a.Pool().QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE attempts = 1) FROM outbox`).Scan(&sent, &once)
	if err != nil || sent != 200 || once != 200 {
		t.Fatalf("outbox: %d sent, %d after one attempt (err %v); want 200 and 200", sent, once, err)
	}
}
