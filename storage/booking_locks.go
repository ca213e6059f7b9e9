package storage

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"consult/booking"
)

// The locks of a booking or a move. The rules the exclusion constraint
// cannot express (the buffer, the daily cap, the limits per inbox and per
// network) are checked by reading what is booked and then writing, so two
// requests whose checks read what the other writes must not run at once.
// One lock for every booking serialised them all: under make bench's mixed
// load, bookings queued on it for ~200 ms. Each request now takes only the
// locks of what its checks read:
//
//   - bookingLockKey shared: bookings do not wait for each other on it,
//     but every change to what all of them read (hours, rules, time off,
//     calendar busy time, a hold confirmed or expired, a booking restored,
//     a client erased) takes it exclusively (lockBookings) and waits for,
//     and holds off, all of them. Under it the schedule a check reads
//     cannot change.
//   - one lock for the inbox (client_key) and one for the network
//     (network_key) when their limits are checked: those count the
//     client's bookings on every date.
//   - one lock per practice-local date of the check (booking.CheckDates:
//     the dates within the buffer, and the date whose daily cap it
//     counts), taken once the schedule is read and before the bookings
//     are. Two bookings that could change each other's check share one of
//     those dates.
//
// Always taken in that order, dates ascending, so that two requests never
// each wait for the other (PostgreSQL would end one of them as a
// deadlock); a change holding the lock exclusively takes the dates' locks
// too, without waiting, as no booking can hold one then. The exclusion
// constraint stays the last word on overlaps.
const (
	bookingDateLockClass    = 7_310_003
	bookingClientLockClass  = 7_310_004
	bookingNetworkLockClass = 7_310_005
)

// lockForBooking takes, inside tx, the booking lock shared and the locks
// of the inbox and network keys given (nil: none), then expires the holds
// whose time is up at now (expireHolds), all in one round trip. The
// dates' locks come with the check (checkLockedInTx). It returns the
// schedule's change stamp, read under the lock: the schedule stays as it
// was at that stamp until tx ends, as every change to it takes the lock
// exclusively.
func lockForBooking(ctx context.Context, tx txn, client, network []byte, now time.Time) (time.Time, error) {
	b := &execBatch{}
	b.Queue(`SELECT pg_advisory_xact_lock_shared($1)`, bookingLockKey)
	var scheduleStamp time.Time
	b.Queue(stampSQL).QueryRow(func(row pgx.Row) error { return row.Scan(&scheduleStamp) })
	queueKeyLocks(b, client, network)
	if err := expireHolds(ctx, b, now); err != nil {
		return time.Time{}, err
	}
	if err := b.send(ctx, tx); err != nil {
		return time.Time{}, fmt.Errorf("storage: booking locks: %w", err)
	}
	return scheduleStamp, nil
}

// lockForNewBooking is lockForBooking for a booking to be stored, whose
// id it takes too, and what the booking is followed by (see connected),
// for the inbox with client key inbox. The holds are expired only when
// one is due: that statement opens the bookings, the outbox and the
// waitlist's offers with all their indexes, and was a visible share of
// PostgreSQL's work per booking under make bench's mixed load, where no
// hold ever is. Whether one is due is read with the stamp, under the
// lock; a hold made after that read expires later than now. The locks
// and the id are one statement, the stamp and the rest another: each
// statement has its setup in PostgreSQL.
//
// also queues on the locks' batch what is to be sent with them, read
// once they are taken; expired reports that holds were expired after it.
func lockForNewBooking(ctx context.Context, tx txn, client, network, inbox []byte, now time.Time, also func(*execBatch)) (scheduleStamp time.Time, id int64, to connected, expired bool, err error) {
	now = stamp(now)
	locks := `SELECT nextval(pg_get_serial_sequence('bookings', 'id')), pg_advisory_xact_lock_shared($1)`
	args := []any{bookingLockKey}
	if client != nil {
		locks += `, pg_advisory_xact_lock($2, $3)`
		args = append(args, bookingClientLockClass, lockID(client))
	}
	if network != nil {
		locks += fmt.Sprintf(`, pg_advisory_xact_lock($%d, $%d)`, len(args)+1, len(args)+2)
		args = append(args, bookingNetworkLockClass, lockID(network))
	}
	b := &execBatch{}
	// Evaluated in order: the booking lock first, then the inbox's, then
	// the network's, as every booking takes them.
	b.Queue(locks, args...).QueryRow(func(row pgx.Row) error {
		dest := []any{&id}
		for range (len(args) + 1) / 2 {
			dest = append(dest, new(any))
		}
		return row.Scan(dest...)
	})
	var due bool
	b.Queue(`SELECT availability_changed_at, EXISTS (SELECT 1 FROM bookings WHERE status = 'held' AND hold_expires_at <= $1),`+
		newBookingConnected+` FROM practice_settings`, now, inbox).QueryRow(func(row pgx.Row) error {
		return row.Scan(&scheduleStamp, &due, &to.webhooks, &to.calendars, &to.waitlist)
	})
	also(b)
	if err := b.send(ctx, tx); err != nil {
		return time.Time{}, 0, connected{}, false, fmt.Errorf("storage: booking locks: %w", err)
	}
	if due {
		if err := expireHolds(ctx, tx, now); err != nil {
			return time.Time{}, 0, connected{}, false, err
		}
	}
	return scheduleStamp, id, to, due, nil
}

// queueKeyLocks queues the locks of the inbox and network keys given
// (nil: none), in that order.
func queueKeyLocks(b *execBatch, client, network []byte) {
	if client != nil {
		b.Queue(`SELECT pg_advisory_xact_lock($1, $2)`, bookingClientLockClass, lockID(client))
	}
	if network != nil {
		b.Queue(`SELECT pg_advisory_xact_lock($1, $2)`, bookingNetworkLockClass, lockID(network))
	}
}

// queueDateLocks queues on b the locks of the dates of a check of
// [start, end) under st, in ascending order.
func queueDateLocks(b *pgx.Batch, st booking.Settings, start, end time.Time) error {
	first, last, err := booking.CheckDates(st, start, end)
	if err != nil {
		return err
	}
	b.Queue(`SELECT count(pg_advisory_xact_lock($1, d)) FROM generate_series($2::int, $3::int) AS d`,
		bookingDateLockClass, int32(booking.DayNumber(first)), int32(booking.DayNumber(last)))
	return nil
}

// lockID maps a key (a fingerprint already, see clientKey and networkKey)
// to the second half of its advisory lock. Two keys sharing an id only
// serialise more than needed.
func lockID(key []byte) int32 {
	return int32(binary.BigEndian.Uint32(key[:4]))
}

// limitLocks returns the inbox and network keys whose limits nb's
// queueClientLimits counts, nil for a limit that is off.
func limitLocks(nb booking.NewBooking) (client, network []byte) {
	l := nb.Limits
	if l.MaxUpcoming > 0 || l.MaxPerYear > 0 || l.MaxPerDay > 0 {
		client = clientKey(nb.Email)
	}
	if l.MaxUpcomingPerNetwork > 0 {
		network = networkKey(nb.Network)
	}
	return client, network
}

// execer runs a statement whose rows are not read: a transaction, or an
// execBatch gathering statements for one round trip.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// execBatch gathers statements whose results are not read, to send them
// in one round trip: each round trip inside a booking transaction was
// measured at a few milliseconds on a loaded machine, and a booking made
// sixteen of them. Its Exec only queues; errors come from send, the first
// one translated.
type execBatch struct{ pgx.Batch }

// Exec queues sql.
func (b *execBatch) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	b.Queue(sql, args...)
	return pgconn.CommandTag{}, nil
}

// send runs the statements queued, in order, inside tx.
func (b *execBatch) send(ctx context.Context, tx txn) error {
	if b.Len() == 0 {
		return nil
	}
	return translate(tx.SendBatch(ctx, &b.Batch).Close())
}
