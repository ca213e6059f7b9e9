package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// EraseExpired anonymises every booking that ended before cutoff and still
// holds personal data: name, email, phone and both notes are replaced, and
// its queued mail and idempotency record are stripped. The rows stay, so
// counts of consultations remain true. It returns how many it erased.
func (s *Store) EraseExpired(ctx context.Context, cutoff time.Time) (int64, error) {
	var n int64
	err := s.transact(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			UPDATE bookings SET
				name = 'Erased', email = 'erased-' || id || '@invalid', phone = '', note = '',
				practitioner_note = ''
			WHERE ends_at < $1 AND email NOT LIKE 'erased-%@invalid'
			RETURNING id`, cutoff)
		if err != nil {
			return translate(err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return translate(err)
		}
		n = int64(len(ids))
		if n == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `
			UPDATE outbox SET message = '', last_error = '', sealed_token = NULL,
				status = CASE WHEN status IN ('pending', 'sending', 'failed') THEN 'skipped' ELSE status END
			WHERE booking_id = ANY($1)`, ids); err != nil {
			return translate(err)
		}
		_, err = tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE booking_id = ANY($1)`, ids)
		return translate(err)
	})
	if err != nil {
		return 0, fmt.Errorf("storage: erase expired: %w", err)
	}
	return n, nil
}
