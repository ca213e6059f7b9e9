package booking

import (
	"context"
	"time"
)

// The stores of the admin area, one per role. Methods return ENOTFOUND
// for a missing row and ECONFLICT for a state that forbids the change;
// availability changes serialise with booking changes. *storage.Store
// implements them all.

// AccountStore keeps the practitioner's accounts and their two-step sign-in.
type AccountStore interface {
	// CreateUser adds an account; ECONFLICT when the email is taken.
	CreateUser(ctx context.Context, email, passwordHash string, now time.Time) (*User, error)
	// UserByEmail finds an account by email, in any case. ENOTFOUND.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// UserByID finds an account. ENOTFOUND.
	UserByID(ctx context.Context, id int64) (*User, error)
	// SetPassword replaces the password hash and ends every session. ENOTFOUND.
	SetPassword(ctx context.Context, userID int64, passwordHash string, now time.Time) (*User, error)
	// EnableTOTP turns two-step sign-in on with secret and fresh recovery
	// codes (hashed), ending every session. ENOTFOUND.
	EnableTOTP(ctx context.Context, userID int64, secret string, recoveryHashes [][]byte, now time.Time) (*User, error)
	// DisableTOTP turns two-step sign-in off, ending every session. ENOTFOUND.
	DisableTOTP(ctx context.Context, userID int64, now time.Time) (*User, error)
	// UseTOTPStep records that the code of step was used; false when that
	// step or a later one was used already.
	UseTOTPStep(ctx context.Context, userID, step int64) (bool, error)
	// UseRecoveryCode spends the unused recovery code with hash; false when there is none.
	UseRecoveryCode(ctx context.Context, userID int64, hash []byte, now time.Time) (bool, error)
	// RecoveryCodesLeft counts the unused recovery codes.
	RecoveryCodesLeft(ctx context.Context, userID int64) (int, error)
	// EndSessions ends every session of the account. ENOTFOUND.
	EndSessions(ctx context.Context, userID int64, now time.Time) (*User, error)
	// SetLanguage stores the language the account reads the admin area
	// in (one of AdminLanguages). ENOTFOUND.
	SetLanguage(ctx context.Context, userID int64, language string, now time.Time) (*User, error)
}

// SignInStore counts failed sign-ins for the sign-in throttles.
type SignInStore interface {
	// RecordLoginFailure notes a failed sign-in under each key.
	RecordLoginFailure(ctx context.Context, keys [][]byte, at time.Time) error
	// LoginFailures returns the failures under key since since, oldest first.
	LoginFailures(ctx context.Context, key []byte, since time.Time) ([]time.Time, error)
	// ClearLoginFailures forgets the failures under key.
	ClearLoginFailures(ctx context.Context, key []byte) error
	// BeginLogin admits one sign-in attempt, one at a time per key. When a
	// limit is reached it returns how long to wait and records nothing;
	// otherwise it records a failure under every key before the password
	// is checked, so parallel attempts cannot all slip under a limit, and
	// returns their ids for ForgetLoginFailures if the attempt succeeds.
	BeginLogin(ctx context.Context, limits []LoginLimit, at time.Time) (ids []int64, wait time.Duration, err error)
	// ForgetLoginFailures removes the failures with ids.
	ForgetLoginFailures(ctx context.Context, ids []int64) error
	// RememberDevice notes that the browser whose device token hashes to
	// hash signed in to the account userID at now.
	RememberDevice(ctx context.Context, userID int64, hash []byte, now time.Time) error
	// DeviceAccount returns the account a remembered browser signed in to.
	// ENOTFOUND for a browser never remembered or forgotten since.
	DeviceAccount(ctx context.Context, hash []byte, since time.Time) (userID int64, err error)
}

// TokenStore keeps the personal access tokens of the admin API.
type TokenStore interface {
	// CreateAPIToken stores a token's hash under name.
	CreateAPIToken(ctx context.Context, userID int64, name string, hash []byte, now time.Time) (*APIToken, error)
	// APITokens lists an account's tokens, newest first.
	APITokens(ctx context.Context, userID int64) ([]APIToken, error)
	// RevokeAPIToken revokes one of the account's tokens. ENOTFOUND.
	RevokeAPIToken(ctx context.Context, userID, tokenID int64, now time.Time) error
	// RevokeAPITokens revokes every token of the account that is not
	// revoked yet and returns how many there were.
	RevokeAPITokens(ctx context.Context, userID int64, now time.Time) (int64, error)
	// UserByAPIToken finds the account of an unrevoked token and notes its
	// use. ENOTFOUND.
	UserByAPIToken(ctx context.Context, hash []byte, now time.Time) (*User, *APIToken, error)
}

// AuditStore keeps the append-only audit log.
type AuditStore interface {
	// Audit appends an entry to the audit log. EINVALID for an unknown Via.
	Audit(ctx context.Context, e AuditEntry) error
	// AuditLog returns entries newest first, and how many there are.
	AuditLog(ctx context.Context, limit, offset int) ([]AuditEntry, int, error)
}

// AvailabilityStore keeps what the practitioner edits of the schedule:
// the settings, weekly hours, date overrides and time off. Each change is
// stamped now, the moment the open-slots feed reports as its last change.
type AvailabilityStore interface {
	// UpdateSettings replaces the practice's settings. EINVALID when the
	// database refuses a value.
	UpdateSettings(ctx context.Context, st Settings, now time.Time) error
	// Availability returns the weekly hours, and the overrides and time off
	// that end on or after from.
	Availability(ctx context.Context, from Date) (Availability, error)
	// ReplaceWeekly replaces every weekly window.
	ReplaceWeekly(ctx context.Context, weekly []WeeklyWindow, now time.Time) error
	// SetOverride sets (or replaces) the override of its date.
	SetOverride(ctx context.Context, o Override, now time.Time) error
	// DeleteOverride removes the override of d. ENOTFOUND.
	DeleteOverride(ctx context.Context, d Date, now time.Time) error
	// AddTimeOff closes the dates from first to last.
	AddTimeOff(ctx context.Context, first, last Date, now time.Time) (TimeOff, error)
	// DeleteTimeOff removes a time-off range. ENOTFOUND.
	DeleteTimeOff(ctx context.Context, id int64, now time.Time) error
}

// BookingCheck decides, with the booking locked inside the store's
// transaction, whether a change to it may go ahead; it returns nil or a
// domain error (usually ECONFLICT).
type BookingCheck func(current Booking) error

// AdminBookingStore is the bookings as the practitioner reads and changes
// them. The rules of a change are the caller's BookingCheck; the store
// only locks, asks and persists.
type AdminBookingStore interface {
	// ListBookings returns one page of bookings and how many match in all.
	ListBookings(ctx context.Context, f BookingFilter) ([]AdminBooking, int, error)
	// AdminBooking returns one booking with its private note. ENOTFOUND.
	AdminBooking(ctx context.Context, id int64) (*AdminBooking, error)
	// BookingsBetween returns the bookings starting in [from, to), any status.
	BookingsBetween(ctx context.Context, from, to time.Time) ([]AdminBooking, error)
	// CancelBookingByID cancels booking id, when check allows it, and
	// queues its emails, with message to the client. ENOTFOUND, or
	// check's error.
	CancelBookingByID(ctx context.Context, id int64, message string, now time.Time, check BookingCheck) (*Booking, error)
	// RescheduleBookingByID moves booking id to [start, end) when check
	// allows the change and slot the time, with the client's emails of a
	// reschedule; the booking's own time is not counted as busy.
	// ENOTFOUND, check's or slot's error, or ECONFLICT when the time
	// overlaps another booking.
	RescheduleBookingByID(ctx context.Context, id int64, start, end, now time.Time, check BookingCheck, slot CheckFunc) (*Booking, error)
	// RestoreBookingByID confirms cancelled booking id again at its time
	// when check allows it and slot the time, with the client's email of
	// a restored booking. ENOTFOUND, check's or slot's error, or
	// ECONFLICT when the time overlaps another booking.
	RestoreBookingByID(ctx context.Context, id int64, now time.Time, check BookingCheck, slot CheckFunc) (*Booking, error)
	// SetBookingStatus sets the status of booking id, when check allows
	// it. ENOTFOUND, or check's error.
	SetBookingStatus(ctx context.Context, id int64, status Status, now time.Time, check BookingCheck) (*Booking, error)
	// SetPractitionerNote replaces the private note. ENOTFOUND.
	SetPractitionerNote(ctx context.Context, id int64, note string, now time.Time) error
}

// ClientStore answers and carries out a client's data requests.
type ClientStore interface {
	// ClientData returns everything stored about email.
	ClientData(ctx context.Context, email string) (ClientData, error)
	// EraseClient anonymises every booking of email, cancelling upcoming
	// ones without email, and returns the ids it anonymised.
	EraseClient(ctx context.Context, email string, now time.Time) ([]int64, error)
}

// MailStore is the email queue as the practitioner changes it.
type MailStore interface {
	// RetryOutbox queues a failed or logged message again, due at now,
	// with a fresh count of attempts. ENOTFOUND when there is no such
	// message; ECONFLICT when it is in any other state.
	RetryOutbox(ctx context.Context, id int64, now time.Time) error
	// QueueSecurityNotice queues an email to the practitioner saying what
	// changed about how they sign in (MailSecurity), due at now.
	QueueSecurityNotice(ctx context.Context, what string, now time.Time) error
}

// AdminStore is every store the admin area uses, with a transaction that
// binds them together, so a change and its audit entry are stored both
// or neither.
type AdminStore interface {
	Store
	FeedStore
	AccountStore
	SignInStore
	TokenStore
	AuditStore
	AvailabilityStore
	AdminBookingStore
	ClientStore
	MailStore
	ProfileStore
	StatsStore
	WebhookStore
	WaitlistAdminStore
	CalendarStore
	// InTx runs fn with the stores bound to one transaction, committing
	// when fn returns nil and rolling everything back otherwise.
	InTx(ctx context.Context, fn func(tx AdminStore) error) error
}
