package main

import (
	"context"
	"log/slog"
	"time"

	"consult/booking"
	"consult/storage"
)

// retentionInterval is how often expired personal data is looked for.
const retentionInterval = time.Hour

// retention erases client personal data days after each consultation, and
// drops expired sign-in sessions.
type retention struct {
	store    *storage.Store
	sessions *storage.Sessions
	days     int
	now      func() time.Time
	logger   *slog.Logger
}

// Run sweeps at start and then every hour, until ctx ends; it returns
// nil then. Several instances may run it at once: both sweeps are
// idempotent. Only counts reach the log.
func (r *retention) Run(ctx context.Context) error {
	for {
		t := r.now()
		if _, err := r.sessions.DeleteExpired(ctx, t); err != nil && ctx.Err() == nil {
			r.logger.Warn("retention: delete expired sessions", "error", err)
		}
		if n, err := r.store.EraseExpired(ctx, t.AddDate(0, 0, -r.days), t); err != nil {
			if ctx.Err() == nil {
				r.logger.Warn("retention: erase expired client data", "error", err)
			}
		} else if n > 0 {
			r.logger.Info("retention: erased expired client data", "bookings", n, "days", r.days)
		}
		// Webhook bodies go after a week, the delivery log after a month.
		if err := r.store.PurgeWebhookBodies(ctx, t.AddDate(0, 0, -booking.WebhookBodyDays), t.AddDate(0, 0, -30)); err != nil && ctx.Err() == nil {
			r.logger.Warn("retention: purge webhook bodies", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(retentionInterval):
		}
	}
}
