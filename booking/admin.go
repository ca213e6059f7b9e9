package booking

import (
	"context"
	"time"
)

// User is a practitioner's account for the admin area.
type User struct {
	ID           int64
	Email        string
	PasswordHash string
	// TOTPSecret is the base32 secret of two-step sign-in; "" when it is off.
	TOTPSecret string
	// TOTPLastStep is the last time step whose code was accepted, so a
	// code cannot be used twice.
	TOTPLastStep int64
	// SessionEpoch grows when every session of the account must end.
	SessionEpoch int
	CreatedAt    time.Time
}

// TwoFactor reports whether two-step sign-in is on for the account.
func (u *User) TwoFactor() bool { return u.TOTPSecret != "" }

// APIToken is a personal access token for the admin API. The token itself
// is shown once when made; only its hash is stored.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Ways an audited action was taken.
const (
	ViaSession   = "session"
	ViaToken     = "token"
	ViaCLI       = "cli"
	ViaAnonymous = "anonymous"
)

// AuditEntry is one line of the append-only audit log. Target names what
// was acted on by id ("booking:12"), never by a client's personal data.
type AuditEntry struct {
	ID        int64
	At        time.Time
	UserID    int64 // 0 when nobody was signed in
	UserEmail string
	Via       string
	TokenID   int64
	Action    string
	Target    string
	Address   string
}

// LoginLimit is a throttle on the failed sign-ins counted under one key
// (a hash of an account name or of an address).
type LoginLimit struct {
	Key      []byte
	Throttle Throttle
}

// AdminBooking is a booking as the practitioner sees it, with the private
// note the client never sees.
type AdminBooking struct {
	Booking
	PractitionerNote string
}

// Which bookings a BookingFilter selects by time.
const (
	WhenUpcoming = "upcoming"
	WhenPast     = "past"
)

// BookingFilter selects bookings for the admin lists.
type BookingFilter struct {
	When   string    // WhenUpcoming (end after Now, soonest first) or WhenPast (latest first)
	Now    time.Time // splits upcoming from past
	Query  string    // part of the name or email, any case; "" for all
	Limit  int
	Offset int
}

// TimeOff closes every date from First to Last (inclusive).
type TimeOff struct {
	ID    int64
	First Date
	Last  Date
}

// Availability is the practitioner's editable availability: weekly hours,
// date overrides and time off, each as stored.
type Availability struct {
	Weekly    []WeeklyWindow
	Overrides []Override
	TimeOff   []TimeOff
}

// ClientData is everything stored about one client email address.
type ClientData struct {
	Email    string
	Bookings []AdminBooking
	Mail     []ClientMail
}

// ClientMail is an email queued or sent about one of a client's bookings.
type ClientMail struct {
	BookingID int64
	Kind      string
	Recipient string
	Status    string
	Message   string
	CreatedAt time.Time
	SentAt    *time.Time
}

// AdminStore persists what the admin area manages. Methods return
// ENOTFOUND for a missing row and ECONFLICT for a state that forbids the
// change; availability changes serialise with booking changes.
type AdminStore interface {
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

	// CreateAPIToken stores a token's hash under name.
	CreateAPIToken(ctx context.Context, userID int64, name string, hash []byte, now time.Time) (*APIToken, error)
	// APITokens lists an account's tokens, newest first.
	APITokens(ctx context.Context, userID int64) ([]APIToken, error)
	// RevokeAPIToken revokes one of the account's tokens. ENOTFOUND.
	RevokeAPIToken(ctx context.Context, userID, tokenID int64, now time.Time) error
	// UserByAPIToken finds the account of an unrevoked token and notes its
	// use. ENOTFOUND.
	UserByAPIToken(ctx context.Context, hash []byte, now time.Time) (*User, *APIToken, error)

	// Audit appends an entry to the audit log.
	Audit(ctx context.Context, e AuditEntry) error
	// AuditLog returns entries newest first, and how many there are.
	AuditLog(ctx context.Context, limit, offset int) ([]AuditEntry, int, error)

	// UpdateSettings replaces the practice's settings. EINVALID when the
	// database refuses a value.
	UpdateSettings(ctx context.Context, st Settings, now time.Time) error
	// Availability returns the weekly hours, and the overrides and time off
	// that end on or after from.
	Availability(ctx context.Context, from Date) (Availability, error)
	// The changes below to what slots are computed from are stamped now,
	// the moment the open-slots feed reports as its last change.

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

	// ListBookings returns one page of bookings and how many match in all.
	ListBookings(ctx context.Context, f BookingFilter) ([]AdminBooking, int, error)
	// AdminBooking returns one booking with its private note. ENOTFOUND.
	AdminBooking(ctx context.Context, id int64) (*AdminBooking, error)
	// BookingsBetween returns the bookings starting in [from, to), any status.
	BookingsBetween(ctx context.Context, from, to time.Time) ([]AdminBooking, error)
	// CancelBookingByID cancels a confirmed booking and queues its emails,
	// with message to the client. ENOTFOUND; ECONFLICT when not confirmed or
	// when it has already started.
	CancelBookingByID(ctx context.Context, id int64, message string, now time.Time) (*Booking, error)
	// SetBookingStatus marks a booking that has started as completed or
	// no-show. ENOTFOUND; ECONFLICT when it is cancelled or has not started.
	SetBookingStatus(ctx context.Context, id int64, status Status, now time.Time) (*Booking, error)
	// SetPractitionerNote replaces the private note. ENOTFOUND.
	SetPractitionerNote(ctx context.Context, id int64, note string, now time.Time) error
	// ClientData returns everything stored about email.
	ClientData(ctx context.Context, email string) (ClientData, error)
	// EraseClient anonymises every booking of email, cancelling upcoming
	// ones without email, and returns the ids it anonymised.
	EraseClient(ctx context.Context, email string, now time.Time) ([]int64, error)
}
