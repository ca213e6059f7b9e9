package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"consult/booking"
)

// adminColumns is bookingColumns plus the practitioner's private note
// and words to the client on a cancellation.
const adminColumns = bookingColumns + `, practitioner_note, cancel_message`

func scanAdminBooking(row pgx.Row) (*booking.AdminBooking, error) {
	var b booking.AdminBooking
	if err := scanBookingInto(row, &b.Booking, &b.PractitionerNote, &b.CancelMessage); err != nil {
		return nil, err
	}
	return &b, nil
}

func collectAdminBookings(rows pgx.Rows) ([]booking.AdminBooking, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.AdminBooking, error) {
		b, err := scanAdminBooking(r)
		if err != nil {
			return booking.AdminBooking{}, err
		}
		return *b, nil
	})
}

// likePattern makes q a case-insensitive substring pattern, escaping the
// wildcards a search text may contain.
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.TrimSpace(q)) + "%"
}

// ListBookings implements booking.AdminBookingStore.
func (s *Store) ListBookings(ctx context.Context, f booking.BookingFilter) ([]booking.AdminBooking, int, error) {
	// Times held for a client to confirm are not bookings yet.
	where := `ends_at > $1 AND status NOT IN ('held', 'expired')`
	order := `starts_at ASC, id ASC`
	if f.When == booking.WhenPast {
		where, order = `ends_at <= $1 AND status NOT IN ('held', 'expired')`, `starts_at DESC, id DESC`
	}
	args := []any{stamp(f.Now)}
	if strings.TrimSpace(f.Query) != "" {
		args = append(args, likePattern(f.Query))
		where += ` AND (name ILIKE $2 OR email ILIKE $2)`
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM bookings WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("storage: list bookings: %w", translate(err))
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	n := len(args)
	rows, err := s.db.Query(ctx, fmt.Sprintf(`SELECT %s FROM bookings WHERE %s ORDER BY %s LIMIT $%d OFFSET $%d`,
		adminColumns, where, order, n+1, n+2), append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: list bookings: %w", translate(err))
	}
	bs, err := collectAdminBookings(rows)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: list bookings: %w", translate(err))
	}
	return bs, total, nil
}

// AdminBooking implements booking.AdminBookingStore.
func (s *Store) AdminBooking(ctx context.Context, id int64) (*booking.AdminBooking, error) {
	return scanAdminBooking(s.db.QueryRow(ctx, `SELECT `+adminColumns+` FROM bookings
		WHERE id = $1 AND status NOT IN ('held', 'expired')`, id))
}

// BookingsBetween implements booking.AdminBookingStore.
func (s *Store) BookingsBetween(ctx context.Context, from, to time.Time) ([]booking.AdminBooking, error) {
	rows, err := s.db.Query(ctx, `SELECT `+adminColumns+` FROM bookings
		WHERE starts_at >= $1 AND starts_at < $2 AND status NOT IN ('held', 'expired') ORDER BY starts_at, id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("storage: bookings between: %w", translate(err))
	}
	bs, err := collectAdminBookings(rows)
	if err != nil {
		return nil, fmt.Errorf("storage: bookings between: %w", translate(err))
	}
	return bs, nil
}

// bookingByIDForUpdate locks one booking row for a change.
func bookingByIDForUpdate(ctx context.Context, tx txn, id int64) (*booking.Booking, error) {
	return scanBooking(tx.QueryRow(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE id = $1 FOR UPDATE`, id))
}

// CancelBookingByID implements booking.AdminBookingStore. Like
// CancelBooking, the status change and its emails commit together.
func (s *Store) CancelBookingByID(ctx context.Context, id int64, message string, now time.Time, check booking.BookingCheck) (*booking.Booking, error) {
	var b *booking.Booking
	err := s.transact(ctx, func(tx txn) error {
		cur, err := bookingByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := check(*cur); err != nil {
			return err
		}
		b, _, err = s.cancelInTx(ctx, tx, cur.ID, message, stamp(now))
		return err
	})
	return b, err
}

// SetBookingStatus implements booking.AdminBookingStore.
func (s *Store) SetBookingStatus(ctx context.Context, id int64, status booking.Status, now time.Time, check booking.BookingCheck) (*booking.Booking, error) {
	var b *booking.Booking
	err := s.transact(ctx, func(tx txn) error {
		cur, err := bookingByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := check(*cur); err != nil {
			return err
		}
		b, err = scanBooking(tx.QueryRow(ctx, `
			UPDATE bookings SET status = $2, updated_at = $3 WHERE id = $1 RETURNING `+bookingColumns,
			cur.ID, string(status), stamp(now)))
		if err != nil {
			return err
		}
		if event := booking.WebhookEventOf(status); event != "" && status != cur.Status {
			return s.queueWebhooks(ctx, tx, b, event, now)
		}
		return nil
	})
	return b, err
}

// SetPractitionerNote implements booking.AdminBookingStore.
func (s *Store) SetPractitionerNote(ctx context.Context, id int64, note string, now time.Time) error {
	tag, err := s.db.Exec(ctx, `UPDATE bookings SET practitioner_note = $2, updated_at = $3 WHERE id = $1`,
		id, note, stamp(now))
	if err != nil {
		return fmt.Errorf("storage: note: %w", translate(err))
	}
	if tag.RowsAffected() == 0 {
		return booking.Errorf(booking.ENOTFOUND, "We could not find that booking.")
	}
	return nil
}

// RescheduleBookingByID implements booking.AdminBookingStore. The client's
// emails carry their private link when a message queued earlier still
// holds it sealed (a pending reminder, say); otherwise they point to the
// link of the confirmation email, which still works.
func (s *Store) RescheduleBookingByID(ctx context.Context, id int64, start, end, now time.Time, check booking.BookingCheck, slot booking.CheckFunc) (*booking.Booking, error) {
	var b *booking.Booking
	err := s.transact(ctx, func(tx txn) error {
		if err := lockBookings(ctx, tx); err != nil {
			return err
		}
		if err := expireHolds(ctx, tx, now); err != nil {
			return err
		}
		cur, err := bookingByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := check(*cur); err != nil {
			return err
		}
		if err := checkInTx(ctx, tx, start, end, cur.ID, slot); err != nil {
			return err
		}
		sealed, err := sealedToken(ctx, tx, cur.ID)
		if err != nil {
			return err
		}
		b, err = scanBooking(tx.QueryRow(ctx, `
			UPDATE bookings SET starts_at = $2, ends_at = $3, updated_at = $4, sequence = sequence + 1
			WHERE id = $1 RETURNING `+bookingColumns, cur.ID, start, end, stamp(now)))
		if err != nil {
			return err
		}
		return s.queueMail(ctx, tx, b, EventRescheduled, "", b.UpdatedAt, sealed)
	})
	return b, err
}

// RestoreBookingByID implements booking.AdminBookingStore. The
// cancellation took the sealed link out of every message, so the restored
// booking's email points to the link of the confirmation email, which
// works again.
func (s *Store) RestoreBookingByID(ctx context.Context, id int64, now time.Time, check booking.BookingCheck, slot booking.CheckFunc) (*booking.Booking, error) {
	var b *booking.Booking
	err := s.transact(ctx, func(tx txn) error {
		if err := lockBookings(ctx, tx); err != nil {
			return err
		}
		if err := expireHolds(ctx, tx, now); err != nil {
			return err
		}
		cur, err := bookingByIDForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := check(*cur); err != nil {
			return err
		}
		if err := checkInTx(ctx, tx, cur.Start, cur.End, cur.ID, slot); err != nil {
			return err
		}
		b, err = scanBooking(tx.QueryRow(ctx, `
			UPDATE bookings SET status = 'confirmed', cancelled_at = NULL, cancel_message = '',
				updated_at = $2, sequence = sequence + 1
			WHERE id = $1 RETURNING `+bookingColumns, cur.ID, stamp(now)))
		if err != nil {
			return err
		}
		return s.queueMail(ctx, tx, b, EventRestored, "", b.UpdatedAt, nil)
	})
	return b, err
}

// sealedToken returns the newest sealed manage token a message about
// booking id still holds, or nil.
func sealedToken(ctx context.Context, tx txn, id int64) ([]byte, error) {
	var sealed []byte
	err := tx.QueryRow(ctx, `SELECT sealed_token FROM outbox WHERE booking_id = $1 AND sealed_token IS NOT NULL
		ORDER BY id DESC LIMIT 1`, id).Scan(&sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("storage: sealed token: %w", translate(err))
	}
	return sealed, nil
}
