package storage

import (
	"context"
	"fmt"
	"time"

	"consult/booking"
)

// expiredKeep is how long an expired hold's row, with no personal data
// left in it, stays so that its link can say the time was released.
const expiredKeep = 24 * time.Hour

// expireHolds releases, inside tx, every hold whose time is up at now: its
// personal data erased, its request email withdrawn if still queued, and
// the waitlist offer it was made for, if any, passed on. The inbox's
// fingerprint stays for the day, so that requests a stranger never
// confirms still count against the inbox's daily limit. It is one
// statement, as every booking runs it first: each statement's setup was
// a visible share of the database's work per booking under make bench's
// mixed load. The offers of holds expired before (a declined waitlist
// offer's) are passed on too, as the offers' own statement did.
func expireHolds(ctx context.Context, q execer, now time.Time) error {
	now = stamp(now)
	_, err := q.Exec(ctx, `
		WITH gone AS (
			UPDATE bookings SET status = 'expired', name = '', email = 'expired-' || id || '@invalid',
				phone = '', note = '', video_link = '', region = '', answers = '[]', network_key = NULL, updated_at = $1
			WHERE status = 'held' AND hold_expires_at <= $1
			RETURNING id
		), withdrawn AS (
			UPDATE outbox SET status = 'skipped', last_error = 'withdrawn: the hold expired', sealed_token = NULL
			WHERE booking_id IN (SELECT id FROM gone) AND status = 'pending'
		)
		UPDATE waitlist_offers o SET status = 'expired'
		WHERE o.status = 'open' AND (o.booking_id IN (SELECT id FROM gone)
			OR o.booking_id IN (SELECT id FROM bookings WHERE status = 'expired'))`, now)
	if err != nil {
		return fmt.Errorf("storage: expire holds: %w", translate(err))
	}
	return nil
}

// purgeExpiredHolds deletes the expired holds' rows older than
// expiredKeep. It is housekeeping, left to the sweep (ExpireHolds).
func purgeExpiredHolds(ctx context.Context, q execer, now time.Time) error {
	if _, err := q.Exec(ctx, `DELETE FROM bookings WHERE status = 'expired' AND hold_expires_at <= $1`,
		stamp(now).Add(-expiredKeep)); err != nil {
		return fmt.Errorf("storage: delete expired holds: %w", translate(err))
	}
	return nil
}

// ExpireHolds releases the holds whose time is up at now, so that their
// times are offered again; the service runs it every half minute.
func (s *Store) ExpireHolds(ctx context.Context, now time.Time) error {
	return s.transact(ctx, func(tx txn) error {
		if err := lockBookings(ctx, tx); err != nil {
			return err
		}
		if err := expireHolds(ctx, tx, now); err != nil {
			return err
		}
		return purgeExpiredHolds(ctx, tx, now)
	})
}

// ConfirmHold implements booking.Store.
func (s *Store) ConfirmHold(ctx context.Context, tokenHash []byte, now time.Time, mailToken []byte) (*booking.Booking, error) {
	var b *booking.Booking
	err := s.transact(ctx, func(tx txn) error {
		if err := lockBookings(ctx, tx); err != nil {
			return err
		}
		if err := expireHolds(ctx, tx, now); err != nil {
			return err
		}
		cur, err := bookingForUpdate(ctx, tx, tokenHash)
		if err != nil {
			return err
		}
		switch cur.Status {
		case booking.StatusHeld:
		case booking.StatusExpired:
			return booking.Errorf(booking.ECONFLICT, "This time was held for you for a while and has been released. Please choose a time again.")
		default:
			b = cur // confirmed already (the link followed twice), or changed since
			return nil
		}
		b, err = scanBooking(tx.QueryRow(ctx, `
			UPDATE bookings SET status = 'confirmed', hold_expires_at = NULL, updated_at = $2
			WHERE id = $1 RETURNING `+bookingColumns, cur.ID, stamp(now)))
		if err != nil {
			return err
		}
		// The request's link has done its work.
		if _, err := tx.Exec(ctx, `UPDATE outbox SET sealed_token = NULL WHERE booking_id = $1`, b.ID); err != nil {
			return fmt.Errorf("storage: confirm hold: %w", translate(err))
		}
		q := &execBatch{}
		if err := s.endWaitlistOnBooking(ctx, tx, q, b, now, true); err != nil {
			return err
		}
		if err := s.queueMailOn(ctx, q, b, EventBooked, "", b.UpdatedAt, mailToken); err != nil {
			return err
		}
		if err := q.send(ctx, tx); err != nil {
			return fmt.Errorf("storage: confirm hold: %w", err)
		}
		return nil
	})
	return b, err
}

// QueueLimitNotice implements booking.Store. The notice is about the
// inbox's latest booking, whose address it goes to, and is queued at most
// once a day for it.
func (s *Store) QueueLimitNotice(ctx context.Context, email string, now time.Time) error {
	now = stamp(now)
	_, err := s.db.Exec(ctx, `
		WITH latest AS (
			SELECT id, sequence FROM bookings
			WHERE client_key = $1 AND status <> 'expired'
			ORDER BY created_at DESC LIMIT 1
		)
		INSERT INTO outbox (booking_id, kind, recipient, booking_sequence, send_after, created_at)
		SELECT id, $2, $3, sequence, $4, $4 FROM latest
		WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.booking_id = latest.id AND o.kind = $2
			AND o.created_at > $4::timestamptz - interval '24 hours')`,
		clientKey(email), MailLimitNotice, booking.RecipientClient, now)
	if err != nil {
		return fmt.Errorf("storage: queue limit notice: %w", translate(err))
	}
	return nil
}
