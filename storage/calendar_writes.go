package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"consult/booking"
)

// The outbox of writes into the practitioner's CalDAV calendars; see
// migration 00018.

// queueCalendarWrites queues, inside tx, a write of booking id into every
// calendar that takes the bookings, replacing any such write not yet run.
func queueCalendarWrites(ctx context.Context, tx execer, id int64, now time.Time) error {
	// One statement: both parts see the table as it was, so the writes
	// superseded are the earlier ones only.
	_, err := tx.Exec(ctx, `
		WITH superseded AS (
			UPDATE calendar_writes SET status = 'superseded', done_at = $2
			WHERE booking_id = $1 AND status = 'pending'
		)
		INSERT INTO calendar_writes (source_id, booking_id, send_after, created_at)
		SELECT id, $1, $2, $2 FROM calendar_sources WHERE write_bookings AND kind = 'caldav'`, id, stamp(now))
	if err != nil {
		return fmt.Errorf("storage: queue calendar write: %w", translate(err))
	}
	return nil
}

// ClaimCalendarWrites claims up to limit writes due at now, each leased
// until now+lease with one more attempt. Rows are locked with SKIP
// LOCKED, so instances never claim the same write; one whose lease ran
// out (its worker died) is due again.
func (s *Store) ClaimCalendarWrites(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]booking.CalendarWrite, error) {
	rows, err := s.db.Query(ctx, `
		UPDATE calendar_writes w SET status = 'sending', attempts = w.attempts + 1, lease_until = $2
		FROM (
			SELECT id FROM calendar_writes
			WHERE (status = 'pending' AND send_after <= $1) OR (status = 'sending' AND lease_until <= $1)
			ORDER BY send_after, id
			LIMIT $3
			FOR UPDATE SKIP LOCKED
		) due
		WHERE w.id = due.id
		RETURNING w.id, w.source_id, w.booking_id, w.attempts`, stamp(now), now.Add(lease), limit)
	if err != nil {
		return nil, fmt.Errorf("storage: claim calendar writes: %w", translate(err))
	}
	ws, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.CalendarWrite, error) {
		var w booking.CalendarWrite
		err := r.Scan(&w.ID, &w.SourceID, &w.BookingID, &w.Attempts)
		return w, err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: claim calendar writes: %w", translate(err))
	}
	return ws, nil
}

// FinishCalendarWrite records how write id went: done when errMsg is
// empty; else due again at retryAt, or failed for good when retryAt is
// zero.
func (s *Store) FinishCalendarWrite(ctx context.Context, id int64, errMsg string, now, retryAt time.Time) error {
	var err error
	switch {
	case errMsg == "":
		_, err = s.db.Exec(ctx, `UPDATE calendar_writes SET status = 'done', done_at = $2, lease_until = NULL, last_error = ''
			WHERE id = $1 AND status = 'sending'`, id, stamp(now))
	case retryAt.IsZero():
		_, err = s.db.Exec(ctx, `UPDATE calendar_writes SET status = 'failed', done_at = $2, lease_until = NULL, last_error = $3
			WHERE id = $1 AND status = 'sending'`, id, stamp(now), errMsg)
	default:
		_, err = s.db.Exec(ctx, `UPDATE calendar_writes SET status = 'pending', send_after = $2, lease_until = NULL, last_error = $3
			WHERE id = $1 AND status = 'sending'`, id, stamp(retryAt), errMsg)
	}
	if err != nil {
		return fmt.Errorf("storage: finish calendar write: %w", translate(err))
	}
	return nil
}

// CalendarWriteTarget returns the address and credentials of source id,
// opened, for writing into it. ENOTFOUND when it is gone or no longer
// takes bookings.
func (s *Store) CalendarWriteTarget(ctx context.Context, id int64) (booking.CalendarCredentials, error) {
	var c booking.CalendarCredentials
	var url, password string
	err := s.db.QueryRow(ctx, `SELECT url_sealed, username, password_sealed FROM calendar_sources
		WHERE id = $1 AND write_bookings AND kind = 'caldav'`, id).Scan(&url, &c.Username, &password)
	if err != nil {
		return c, translate(err)
	}
	if c.URL, err = s.open(url); err != nil {
		return c, fmt.Errorf("storage: open calendar address: %w", err)
	}
	if c.Password, err = s.open(password); err != nil {
		return c, fmt.Errorf("storage: open calendar password: %w", err)
	}
	return c, nil
}

// WrittenBookings returns the bookings written into source id's calendar
// at least once.
func (s *Store) WrittenBookings(ctx context.Context, id int64) ([]int64, error) {
	rows, err := s.db.Query(ctx, `SELECT DISTINCT booking_id FROM calendar_writes
		WHERE source_id = $1 AND status = 'done' ORDER BY booking_id`, id)
	if err != nil {
		return nil, fmt.Errorf("storage: written bookings: %w", translate(err))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("storage: written bookings: %w", translate(err))
	}
	return ids, nil
}
