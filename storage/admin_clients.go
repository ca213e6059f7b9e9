package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"consult/booking"
)

// ClientData implements booking.ClientStore: every booking made with the
// email address (in any case) and every email queued about them.
func (s *Store) ClientData(ctx context.Context, email string) (booking.ClientData, error) {
	email = strings.TrimSpace(email)
	cd := booking.ClientData{Email: email}
	rows, err := s.db.Query(ctx, `SELECT `+adminColumns+` FROM bookings
		WHERE lower(email) = lower($1) ORDER BY starts_at, id`, email)
	if err != nil {
		return cd, fmt.Errorf("storage: client data: %w", translate(err))
	}
	if cd.Bookings, err = collectAdminBookings(rows); err != nil {
		return cd, fmt.Errorf("storage: client data: %w", translate(err))
	}
	rows, err = s.db.Query(ctx, `
		SELECT o.booking_id, o.kind, o.recipient, o.status, o.message, o.created_at, o.sent_at
		FROM outbox o JOIN bookings b ON b.id = o.booking_id
		WHERE lower(b.email) = lower($1) AND o.recipient = 'client'
		ORDER BY o.created_at, o.id`, email)
	if err != nil {
		return cd, fmt.Errorf("storage: client mail: %w", translate(err))
	}
	cd.Mail, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.ClientMail, error) {
		var m booking.ClientMail
		err := r.Scan(&m.BookingID, &m.Kind, &m.Recipient, &m.Status, &m.Message, &m.CreatedAt, &m.SentAt)
		m.CreatedAt = m.CreatedAt.UTC()
		return m, err
	})
	if err != nil {
		return cd, fmt.Errorf("storage: client mail: %w", translate(err))
	}
	rows, err = s.db.Query(ctx, `SELECT `+waitlistColumns+waitlistFrom+` WHERE lower(e.email) = lower($1) ORDER BY e.id`, email)
	if err != nil {
		return cd, fmt.Errorf("storage: client waitlist: %w", translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanWaitlist(rows)
		if err != nil {
			return cd, err
		}
		cd.Waitlist = append(cd.Waitlist, *e)
	}
	return cd, translate(rows.Err())
}

// EraseClient implements booking.ClientStore. Bookings stay (so the
// calendar and counts remain true) but hold nothing about the person:
// upcoming ones are cancelled without email (the address is gone), queued
// mail about them is skipped and stripped, idempotency records go.
func (s *Store) EraseClient(ctx context.Context, email string, now time.Time) ([]int64, error) {
	var ids []int64
	now = stamp(now)
	err := s.transact(ctx, func(tx txn) error {
		if err := lockBookings(ctx, tx); err != nil {
			return err
		}
		// Waiting entries go altogether, a time held for one released.
		if err := releaseOffers(ctx, tx, `o.entry_id IN (SELECT id FROM waitlist_entries WHERE lower(email) = lower($1))`,
			now, strings.TrimSpace(email)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM waitlist_entries WHERE lower(email) = lower($1)`, strings.TrimSpace(email)); err != nil {
			return fmt.Errorf("storage: erase waitlist: %w", translate(err))
		}
		rows, err := tx.Query(ctx, `
			UPDATE bookings SET
				name = 'Erased', email = 'erased-' || id || '@invalid', phone = '', note = '', video_link = '', region = '', answers = '[]',
				practitioner_note = '', cancel_message = '', updated_at = $2, client_key = NULL, network_key = NULL,
				status = CASE WHEN status = 'confirmed' AND ends_at > $2 THEN 'cancelled' ELSE status END,
				cancelled_at = CASE WHEN status = 'confirmed' AND ends_at > $2 THEN $2 ELSE cancelled_at END,
				sequence = sequence + 1
			WHERE lower(email) = lower($1)
			RETURNING id`, strings.TrimSpace(email), now)
		if err != nil {
			return fmt.Errorf("storage: erase: %w", translate(err))
		}
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return fmt.Errorf("storage: erase: %w", translate(err))
		}
		if len(ids) == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `
			UPDATE outbox SET message = '', last_error = '', sealed_token = NULL,
				status = CASE WHEN status IN ('pending', 'sending', 'failed', 'logged') THEN 'skipped' ELSE status END
			WHERE booking_id = ANY($1)`, ids); err != nil {
			return fmt.Errorf("storage: erase mail: %w", translate(err))
		}
		if err := eraseWebhookBodies(ctx, tx, ids); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE booking_id = ANY($1)`, ids)
		return translate(err)
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}
