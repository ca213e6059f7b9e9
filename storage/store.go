// Package storage is the PostgreSQL implementation of booking.Store and the
// migrations runner. The embedded local cluster is package pgcluster; the
// test-database helper is package storagetest.
package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"consult/booking"
)

// Store implements booking.Store and booking.AdminStore on a pgx pool.
type Store struct {
	pool *pgxpool.Pool
	// db runs every query: the pool, or the transaction of a Store that
	// InTx made.
	db           dbtx
	reminderLead time.Duration
	// secrets seals the two-step sign-in secret at rest; nil stores it as is.
	secrets  booking.SecretSealer
	schedule *scheduleCache // see cache.go
	changes  *knownChanges  // see changes.go
}

var (
	_ booking.Store      = (*Store)(nil)
	_ booking.AdminStore = (*Store)(nil)
)

// dbtx is what both the pool and a transaction offer.
type dbtx interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// Option configures a Store in New.
type Option func(*Store)

// WithReminderLead sets how long before a consultation its reminder is
// sent (DefaultReminderLead without this option); 0 turns reminders off.
// The store owns it because it queues the reminder with the booking
// change, in the same transaction.
func WithReminderLead(d time.Duration) Option {
	return func(s *Store) { s.reminderLead = d }
}

// WithSecretSealer seals the practitioner's two-step sign-in secret at
// rest with sealer (the mail keys), and opens it when an account is read.
func WithSecretSealer(sealer booking.SecretSealer) Option {
	return func(s *Store) { s.secrets = sealer }
}

// New returns a Store on pool.
func New(pool *pgxpool.Pool, opts ...Option) *Store {
	s := &Store{pool: pool, db: pool, reminderLead: DefaultReminderLead, schedule: &scheduleCache{}, changes: &knownChanges{}}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// InTx implements booking.AdminStore: fn gets a Store whose methods all
// run in one transaction, committed when fn returns nil and rolled back
// otherwise. A method that makes a transaction of its own makes a
// savepoint inside this one instead; InTx inside InTx adds nothing.
func (s *Store) InTx(ctx context.Context, fn func(tx booking.AdminStore) error) error {
	if _, ok := s.db.(pgx.Tx); ok {
		return fn(s)
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		in := *s
		in.db = tx
		return fn(&in)
	})
}

// Pool returns the underlying pool, for health checks and metrics.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// stamp returns t, an instant read from the service's clock, for a
// stored stamp or a comparison. Every instant comes from that one clock,
// so a zero one is a caller's mistake: it is refused loudly rather than
// stored as the year 1 or replaced by another clock's reading.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		panic("storage: an instant is missing; pass the service clock's reading")
	}
	return t
}

// stampAvailability records, inside tx, that what the open slots are
// computed from changed at now: the weekly hours, special dates, time off
// and settings. Writers of those tables call it in the same transaction;
// the triggers of migration 00007 keep the stamp from going back.
func stampAvailability(ctx context.Context, tx txn, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE practice_settings SET availability_changed_at = $1`, stamp(now))
	if err != nil {
		return fmt.Errorf("storage: availability stamp: %w", translate(err))
	}
	return nil
}

// bookingLockKey is the advisory lock of what every booking's check
// reads (hours, rules, time off, holds): changes to those take it
// exclusively (lockBookings), bookings take it shared and then locks of
// their own dates, inbox and network (booking_locks.go), so rules the
// exclusion constraint cannot express (buffer, daily cap, limits) hold
// under concurrent requests.
const bookingLockKey = 7_310_001

// lockBookings takes the transaction-scoped booking lock exclusively: it
// waits for every booking being checked, and holds off new ones.
func lockBookings(ctx context.Context, tx txn) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, bookingLockKey)
	return translate(err)
}

// translate maps database errors to domain errors at the package boundary:
// no rows → ENOTFOUND, unique and exclusion violations → ECONFLICT,
// unreachable server → EUNAVAILABLE.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var derr *booking.Error
	if errors.As(err, &derr) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return &booking.Error{Code: booking.ENOTFOUND, Message: "Not found.", Err: err}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505", "23P01": // unique_violation, exclusion_violation
			return &booking.Error{Code: booking.ECONFLICT, Kind: booking.RefusedTaken, Message: "That time has just been booked by someone else. Please choose another time.", Err: err}
		case "23514", "22007", "22008", "22P02", "22021", "22P05": // check, datetime, invalid text, bad encoding, NUL
			return &booking.Error{Code: booking.EINVALID, Message: "That value is not allowed.", Err: err}
		case "57P01", "57P02", "57P03", "53300", "57014", "55P03":
			// shutdown, cannot connect now, too many connections,
			// statement timeout, lock timeout
			return &booking.Error{Code: booking.EUNAVAILABLE, Message: "The service is briefly unavailable. Please try again.", Err: err}
		}
		return fmt.Errorf("storage: %w", err)
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) || isConnectError(err) || errors.Is(err, context.Canceled) {
		return &booking.Error{Code: booking.EUNAVAILABLE, Message: "The service is briefly unavailable. Please try again.", Err: err}
	}
	return fmt.Errorf("storage: %w", err)
}

func isConnectError(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce)
}
