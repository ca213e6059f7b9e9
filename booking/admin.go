package booking

import (
	"strings"
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
	// Language is the language the practitioner reads the admin area in
	// (one of AdminLanguages); "" until they choose one, when their
	// browser's language decides.
	Language  string
	CreatedAt time.Time
}

// AdminLanguages are the languages the admin area is written in (ISO
// 639-1 codes), the default first.
var AdminLanguages = []string{"en", "de"}

// ValidAdminLanguage reports whether code is one of AdminLanguages.
func ValidAdminLanguage(code string) bool {
	for _, l := range AdminLanguages {
		if l == code {
			return true
		}
	}
	return false
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
	// CancelMessage is what the practitioner wrote to the client when
	// they cancelled the booking ("" for none).
	CancelMessage string
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
	Waitlist []WaitlistEntry
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

// NormalizeAccountEmail trims a practitioner account's email and checks
// its shape. EINVALID (email).
func NormalizeAccountEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	if !ValidEmail(email) {
		return "", FieldErrors{"email": "Enter an email address like name@example.com."}.Err()
	}
	return email, nil
}

// SecretSealer encrypts the secrets the service must read back, such as
// the practitioner's two-step sign-in secret, so that a copy of the
// database (a backup, a replica) does not hold them in the clear.
type SecretSealer interface {
	SealSecret(plain string) (string, error)
	OpenSecret(sealed string) (string, error)
}
