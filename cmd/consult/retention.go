package main

import (
	"context"
	"log/slog"
	"time"

	"consult/storage"
)

// retentionInterval is how often expired personal data is looked for.
const retentionInterval = time.Hour

// runRetention erases client personal data days after each consultation,
// and drops expired sign-in sessions, at start and then every hour, until
// ctx ends. Several instances may run it at once: both are idempotent.
// Only counts reach the log.
func runRetention(ctx context.Context, store *storage.Store, sessions *storage.Sessions, days int, now func() time.Time, logger *slog.Logger) {
	for {
		t := now()
		if _, err := sessions.DeleteExpired(ctx, t); err != nil && ctx.Err() == nil {
			logger.Warn("retention: delete expired sessions", "error", err)
		}
		if n, err := store.EraseExpired(ctx, t.AddDate(0, 0, -days), t); err != nil {
			if ctx.Err() == nil {
				logger.Warn("retention: erase expired client data", "error", err)
			}
		} else if n > 0 {
			logger.Info("retention: erased expired client data", "bookings", n, "days", days)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(retentionInterval):
		}
	}
}
