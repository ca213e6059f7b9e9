package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// EraseExpired anonymises every booking that ended before cutoff and still
// holds personal data: name, email, phone and both notes are replaced, and
// its queued mail and idempotency record are stripped; its sequence grows
// so subscribed calendars take the change. The rows stay, so counts of
// consultations remain true. The one-way fingerprint of the address that
// keeps the yearly limit is cleared 12 months after each consultation. It
// returns how many bookings it erased.
func (s *Store) EraseExpired(ctx context.Context, cutoff, now time.Time) (int64, error) {
	var n int64
	err := s.transact(ctx, func(tx txn) error {
		rows, err := tx.Query(ctx, `
			UPDATE bookings SET
				name = 'Erased', email = 'erased-' || id || '@invalid', phone = '', note = '', video_link = '', region = '', answers = '[]',
				practitioner_note = '', cancel_message = '', updated_at = greatest(updated_at, $2), sequence = sequence + 1
			WHERE ends_at < $1 AND email NOT LIKE 'erased-%@invalid'
			RETURNING id`, cutoff, now)
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
		if err := eraseWebhookBodies(ctx, tx, ids); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE booking_id = ANY($1)`, ids)
		return translate(err)
	})
	if err == nil {
		// The fingerprint kept for the yearly limit goes after 12 months.
		_, err = s.db.Exec(ctx, `UPDATE bookings SET client_key = NULL
			WHERE client_key IS NOT NULL AND starts_at < $1::timestamptz - interval '12 months'`, now)
		err = translate(err)
	}
	if err == nil {
		// The network's fingerprint is kept only while the booking is
		// upcoming, for the per-network limit.
		_, err = s.db.Exec(ctx, `UPDATE bookings SET network_key = NULL
			WHERE network_key IS NOT NULL AND (ends_at <= $1 OR status <> 'confirmed')`, now)
		err = translate(err)
	}
	if err == nil {
		// Idempotency records answer repeats for 24 hours only.
		_, err = s.db.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1::timestamptz - interval '24 hours'`, now)
		err = translate(err)
	}
	if err != nil {
		return 0, fmt.Errorf("storage: erase expired: %w", err)
	}
	return n, nil
}
