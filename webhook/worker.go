package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"consult/booking"
)

// Store is the delivery queue as the worker uses it; *storage.Store
// implements it.
type Store interface {
	// ClaimWebhooks takes up to limit due deliveries for this worker.
	ClaimWebhooks(ctx context.Context, now time.Time, limit int) ([]booking.WebhookSend, error)
	// FinishWebhook records an attempt's outcome; it returns the reason
	// when the attempt switched its endpoint off.
	FinishWebhook(ctx context.Context, id int64, o booking.WebhookOutcome, now time.Time) (string, error)
}

// retryAfter is the wait after each failed attempt, the Standard Webhooks
// schedule: the first attempt, then after 5 s, 5 min, 30 min, 2 h, 5 h,
// 10 h and 10 h; after the eighth, the delivery has failed.
var retryAfter = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// MaxAttempts is how many times a delivery is tried.
var MaxAttempts = len(retryAfter) + 1

// Config tunes a Worker.
type Config struct {
	// AllowPrivate lets endpoints on loopback and private addresses be
	// reached (WEBHOOK_ALLOW_PRIVATE); link-local and metadata addresses
	// never are.
	AllowPrivate bool
	// Timeout bounds one attempt, connection to answer (default 10 s).
	Timeout time.Duration
	// Poll is how often the queue is looked at (default 5 s).
	Poll time.Duration
}

// Worker sends due deliveries until its context ends. Any number of
// workers, on any number of instances, may run: a delivery is claimed by
// one at a time.
type Worker struct {
	store  Store
	client *http.Client
	now    func() time.Time
	logger *slog.Logger
	poll   time.Duration
}

// New returns a Worker on store, with now as the clock.
func New(cfg Config, store Store, now func() time.Time, logger *slog.Logger) *Worker {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 5 * time.Second
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Worker{store: store, client: NewClient(cfg.AllowPrivate, cfg.Timeout), now: now, logger: logger, poll: cfg.Poll}
}

// Run sends due deliveries every poll interval until ctx ends.
func (w *Worker) Run(ctx context.Context) error {
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.logger.Warn("webhooks: send due deliveries", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(w.poll):
		}
	}
}

// RunOnce sends every delivery due now, a batch at a time, and returns
// how many it attempted.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	n := 0
	for {
		sends, err := w.store.ClaimWebhooks(ctx, w.now(), 10)
		if err != nil || len(sends) == 0 {
			return n, err
		}
		for _, s := range sends {
			if _, err := w.Deliver(ctx, s); err != nil {
				return n, err
			}
			n++
		}
	}
}

// Deliver makes one attempt at a claimed delivery and records it.
func (w *Worker) Deliver(ctx context.Context, s booking.WebhookSend) (booking.WebhookOutcome, error) {
	o := w.attempt(ctx, s)
	if !o.Delivered && s.Attempts < MaxAttempts && s.EventType != booking.EventWebhookTest {
		o.RetryAt = w.now().Add(retryAfter[max(s.Attempts-1, 0)])
	}
	disabled, err := w.store.FinishWebhook(ctx, s.ID, o, w.now())
	if err != nil {
		return o, err
	}
	if !o.Delivered {
		// The endpoint's id and the status only: its URL may hold a token.
		w.logger.Info("webhooks: delivery failed", "endpoint", s.EndpointID, "delivery", s.ID,
			"attempt", s.Attempts, "status", o.Status, "retry", !o.RetryAt.IsZero())
	}
	if disabled != "" {
		w.logger.Warn("webhooks: endpoint switched off after failing", "endpoint", s.EndpointID)
	}
	return o, nil
}

// attempt posts s once: a 2xx answer is a delivery, anything else not.
func (w *Worker) attempt(ctx context.Context, s booking.WebhookSend) booking.WebhookOutcome {
	at := w.now()
	sig, err := Sign(s.Secret, s.EventID, at, s.Payload)
	if err != nil {
		return booking.WebhookOutcome{Error: err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(s.Payload))
	if err != nil {
		return booking.WebhookOutcome{Error: "the address is not a valid URL"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "consult-webhooks/1")
	req.Header.Set("webhook-id", s.EventID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	start := time.Now() // a duration only, measured on the monotonic clock
	resp, err := w.client.Do(req)
	took := time.Since(start)
	if err != nil {
		return booking.WebhookOutcome{Error: describe(err), Took: took}
	}
	// The answer's body is not needed; a little is read so the
	// connection can be used again.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	o := booking.WebhookOutcome{Status: resp.StatusCode, Took: took,
		Delivered: resp.StatusCode >= 200 && resp.StatusCode < 300}
	if !o.Delivered {
		o.Error = fmt.Sprintf("the endpoint answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return o
}

// describe says why a request failed without its URL, which may carry a
// token of the receiver's.
func describe(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	switch {
	case errors.Is(err, ErrAddressRefused):
		return "not sent: " + err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer in time"
	}
	var timeout interface{ Timeout() bool }
	if errors.As(err, &timeout) && timeout.Timeout() {
		return "no answer in time"
	}
	return "could not connect: " + err.Error()
}
