package storage

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

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
//     a hold confirmed or expired, a client erased) takes it exclusively
//     (lockBookings) and waits for, and holds off, all of them. Under it
//     the settings a check reads cannot change.
//   - one lock per practice-local date of the check (booking.CheckDates:
//     the dates within the buffer, and the date whose daily cap it
//     counts). Two bookings that could change each other's check share one
//     of those dates.
//   - one lock for the inbox (client_key) and one for the network
//     (network_key) when their limits are checked: those count the
//     client's bookings on every date.
//
// Taken in that order, dates ascending, so that two requests never each
// wait for the other; PostgreSQL would end one of them as a deadlock. The
// exclusion constraint stays the last word on overlaps.
const (
	bookingDateLockClass    = 7_310_003
	bookingClientLockClass  = 7_310_004
	bookingNetworkLockClass = 7_310_005
)

// lockForBooking takes, inside tx and in one round trip, the booking lock
// shared and the locks of the inbox and network keys given (nil: none).
// The dates' locks come with the check (checkInTx).
func lockForBooking(ctx context.Context, tx pgx.Tx, client, network []byte) error {
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock_shared($1)`, bookingLockKey)
	if client != nil {
		b.Queue(`SELECT pg_advisory_xact_lock($1, $2)`, bookingClientLockClass, lockID(client))
	}
	if network != nil {
		b.Queue(`SELECT pg_advisory_xact_lock($1, $2)`, bookingNetworkLockClass, lockID(network))
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("storage: booking locks: %w", translate(err))
	}
	return nil
}

// lockDates takes, inside tx, the locks of the dates of a check of
// [start, end) under st, in ascending order.
func lockDates(ctx context.Context, tx pgx.Tx, st booking.Settings, start, end time.Time) error {
	first, last, err := booking.CheckDates(st, start, end)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `SELECT count(pg_advisory_xact_lock($1, d)) FROM generate_series($2::int, $3::int) AS d`,
		bookingDateLockClass, int32(booking.DayNumber(first)), int32(booking.DayNumber(last)))
	if err != nil {
		return fmt.Errorf("storage: booking date locks: %w", translate(err))
	}
	return nil
}

// lockID maps a key (a fingerprint already, see clientKey and networkKey)
// to the second half of its advisory lock. Two keys sharing an id only
// serialise more than needed.
func lockID(key []byte) int32 {
	return int32(binary.BigEndian.Uint32(key[:4]))
}

// limitLocks returns the inbox and network keys whose limits nb's
// checkClientLimits counts, nil for a limit that is off.
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
