package booking

import (
	"context"
	"time"
)

// CheckFunc decides, inside the store's booking transaction, whether a
// change may go ahead given the schedule and the confirmed bookings as they
// are at that moment. It returns nil or a domain error (usually ECONFLICT).
type CheckFunc func(s Schedule, busy []Interval) error

// NewBooking is a validated booking ready to be stored.
type NewBooking struct {
	Start, End time.Time
	Name       string
	Email      string
	Phone      string
	Note       string
	TimeZone   string
	HourCycle  int       // 12, 24, or 0 when unknown
	Language   string    // the client's language, "" when unknown
	Network    string    // the requesting network (NetworkOf), "" when unknown
	TokenHash  []byte    // hash of the manage token; the token itself is never stored
	Now        time.Time // the service's clock at the change
	// Limits are checked against the address's other bookings in the
	// same transaction as the insert.
	Limits ClientLimits
	// MailToken is the manage token sealed by a TokenSealer, stored with
	// the client's queued emails so they can carry the private link; nil
	// when the service has no sealer.
	MailToken []byte
	// Idempotency, when set, is stored with the booking in the same transaction.
	Idempotency *IdempotencyRecord
	// Mode and VideoLink are how the consultation happens (Booking).
	Mode      Mode
	VideoLink string
	Region    string
	Answers   []Answer
	// HoldUntil, when set, stores the booking held until then, with the
	// email that asks the client to confirm it instead of the
	// confirmation.
	HoldUntil time.Time
	// WaitlistEntry, with HoldUntil, holds the time for that waitlist
	// entry: the offer is recorded with the booking and its email is the
	// offer instead of the request to confirm. ENOTFOUND when the entry
	// is no longer waiting or has a time held already.
	WaitlistEntry int64
}

// IdempotencyRecord lets a repeated create request return the booking the
// first one made. The manage token is kept only sealed with a key derived
// from the client's idempotency key, which the server does not store.
type IdempotencyRecord struct {
	KeyHash     []byte
	RequestHash []byte
	BookingID   int64
	SealedToken []byte
}

// TokenSealer encrypts a manage token for the email outbox. The token is
// never stored in plaintext, yet the emails queued with a change (and the
// reminder days later) must carry the client's private link: the sealed
// token travels with them and only the email worker, holding the key, can
// open it. It is erased once the message is sent.
type TokenSealer interface {
	SealToken(token string) ([]byte, error)
}

// Store persists bookings and availability. Implementations run every
// change that depends on current availability inside one transaction that
// serialises booking changes, and call the CheckFunc there, so rules such
// as the buffer and the daily cap hold under concurrent requests.
type Store interface {
	WaitlistStore
	EmbedStore

	// Schedule returns the settings, the weekly hours and the overrides
	// (including time off) for practice-local dates in [from, to].
	Schedule(ctx context.Context, from, to Date) (Schedule, error)

	// Busy returns the confirmed bookings overlapping [from, to).
	Busy(ctx context.Context, from, to time.Time) ([]Interval, error)

	// CreateBooking stores nb if check passes. ECONFLICT when check fails,
	// when the time overlaps a confirmed booking, or when the idempotency
	// key is already used.
	CreateBooking(ctx context.Context, nb NewBooking, check CheckFunc) (*Booking, error)

	// BookingByToken returns the booking whose manage token hashes to
	// tokenHash. ENOTFOUND when there is none.
	BookingByToken(ctx context.Context, tokenHash []byte) (*Booking, error)

	// CancelBooking cancels the confirmed booking with the token hash
	// if check, given the booking as locked for the change, passes.
	// ENOTFOUND when there is none; ECONFLICT when it is not confirmed;
	// check's error when it refuses.
	CancelBooking(ctx context.Context, tokenHash []byte, now time.Time, check func(*Booking) error) (*Booking, error)

	// RescheduleBooking moves the confirmed booking with the token hash to
	// [start, end) if check passes; the booking's own time is not counted
	// as busy. mailToken is the sealed manage token for the emails the
	// change queues (nil: none). ENOTFOUND when there is no such booking;
	// ECONFLICT when it is not confirmed or the new time is not free.
	RescheduleBooking(ctx context.Context, tokenHash []byte, start, end, now time.Time, check CheckFunc, mailToken []byte) (*Booking, error)

	// Idempotency returns the record stored under keyHash that is less
	// than 24 hours old at now. ENOTFOUND when there is none.
	Idempotency(ctx context.Context, keyHash []byte, now time.Time) (*IdempotencyRecord, error)

	// BookingByID returns a booking by its id. ENOTFOUND when there is none.
	BookingByID(ctx context.Context, id int64) (*Booking, error)

	// ConfirmHold confirms the held booking with the token hash, with the
	// emails of a new booking (mailToken as for RescheduleBooking); a
	// booking confirmed already is returned as it is. ENOTFOUND when there
	// is no such booking; ECONFLICT when its hold has expired.
	ConfirmHold(ctx context.Context, tokenHash []byte, now time.Time, mailToken []byte) (*Booking, error)

	// ChangeBookingMode sets how the confirmed booking with the token hash
	// happens, with the emails of a change (mailToken as for
	// RescheduleBooking). ENOTFOUND when there is no such booking;
	// ECONFLICT when it is not confirmed.
	ChangeBookingMode(ctx context.Context, tokenHash []byte, mode Mode, videoLink string, now time.Time, mailToken []byte) (*Booking, error)

	// QueueLimitNotice tells the inbox of email, by email only, that a
	// booking request for it was not taken because of the client limits;
	// at most once a day per inbox, and never to an inbox with no booking.
	QueueLimitNotice(ctx context.Context, email string, now time.Time) error
}
