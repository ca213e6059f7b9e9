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
// at start and then every hour, until ctx ends. Several instances may run
// it at once: erasing is idempotent. Only counts reach the log.
func runRetention(ctx context.Context, store *storage.Store, days int, now func() time.Time, logger *slog.Logger) {
	for {
		t := now()
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
