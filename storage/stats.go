package storage

import (
	"context"
	"fmt"
)

// Stats are operational figures for metrics: counts only, never personal data.
type Stats struct {
	BookingsCreated, BookingsCancelled int64
	OutboxPending, OutboxFailed        int64
}

// Stats reads the figures in one query.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.db.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM bookings WHERE status NOT IN ('held', 'expired')),
		       (SELECT count(*) FROM bookings WHERE status = 'cancelled'),
		       (SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')),
		       (SELECT count(*) FROM outbox WHERE status = 'failed')`).
		Scan(&st.BookingsCreated, &st.BookingsCancelled, &st.OutboxPending, &st.OutboxFailed)
	if err != nil {
		return st, fmt.Errorf("storage: stats: %w", translate(err))
	}
	return st, nil
}
