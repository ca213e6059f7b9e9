package booking

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where a booking stands.
type Status string

// The statuses a booking can have. Confirmed bookings hold their time, and
// so do held ones until they expire: a time held for a client who has
// yet to confirm by email (see Service.Hold). An expired hold keeps no
// personal data and is deleted a day later.
const (
	StatusHeld      Status = "held"
	StatusExpired   Status = "expired"
	StatusConfirmed Status = "confirmed"
	StatusCancelled Status = "cancelled"
	StatusCompleted Status = "completed"
	StatusNoShow    Status = "no_show"
)

// Booking is one consultation. Name, Email, Phone and Note are personal
// data: they never go to logs, metrics, public feeds or error messages.
type Booking struct {
	ID       int64
	Start    time.Time
	End      time.Time
	Status   Status
	Name     string
	Email    string
	Phone    string
	Note     string
	TimeZone string // the client's IANA zone, for showing times to them
	// HourCycle is the clock the client reads times on, 12 or 24, for
	// their emails; 0 when unknown.
	HourCycle int
	// Language is the client's language ("en", "de", "fr", "es"), in which
	// their emails and invitations are written; "" when unknown (English).
	Language    string
	Sequence    int // grows with each change, for calendar invitations
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CancelledAt *time.Time
	// HoldExpires is when a held booking is released unless confirmed.
	HoldExpires *time.Time
	// Mode is how the consultation happens ("" for a booking made before
	// the practice offered any); VideoLink is its video room, for a video
	// call. The link is the client's to join: it goes to them, to the
	// practitioner and to the private feed, never to logs or the public
	// feed.
	Mode      Mode
	VideoLink string
	// Region is where the client said they will be during the
	// consultation (an ISO 3166 code); "" when not asked.
	Region string
	// Answers are the client's answers to the extra questions.
	Answers []Answer
}

// Interval returns the span the booking occupies.
func (b *Booking) Interval() Interval { return Interval{b.Start, b.End} }

// Limits on client input.
const (
	MaxNameLen  = 100
	MaxEmailLen = 254
	MaxPhoneLen = 30
	MaxNoteLen  = 500
)

// Request is what a client submits to book a consultation.
type Request struct {
	Start    time.Time
	Name     string
	Email    string
	Phone    string
	Note     string
	TimeZone string
	// HourCycle is the client's clock, 12 or 24 (0: unknown), chosen on
	// the page or taken from their language; it only changes how times
	// are written to them.
	HourCycle int
	// Language is the language the client reads the site in (one of
	// Languages), so their emails follow it; "" for the default.
	Language string
	// Mode is how the client would like to meet: one of the practice's
	// modes, or "" when it offers only one (or none).
	Mode Mode
	// Region is where the client will be during the consultation: an
	// ISO 3166-1 alpha-2 or ISO 3166-2 code, which must be one the
	// practice serves when it lists any.
	Region string
	// Answers answer the practice's extra questions in order (Answers[i]
	// answers question i); empty ones are left out.
	Answers []string
	// Address is where the request came from, for the per-network limit
	// only: it is never stored, only its network's fingerprint while the
	// booking is upcoming ("" counts under no network).
	Address string
}

// Languages are the languages a client can read the site, their emails
// and invitations in (ISO 639-1 codes), the default first.
var Languages = []string{"en", "de", "fr", "es"}

// ValidLanguage reports whether code is "" (the default) or one of
// Languages.
func ValidLanguage(code string) bool {
	if code == "" {
		return true
	}
	for _, l := range Languages {
		if l == code {
			return true
		}
	}
	return false
}

// Normalize trims surrounding space from every text field.
func (r *Request) Normalize() {
	r.Name = strings.TrimSpace(r.Name)
	r.Email = strings.TrimSpace(r.Email)
	r.Phone = strings.TrimSpace(r.Phone)
	r.Note = strings.TrimSpace(r.Note)
	r.TimeZone = strings.TrimSpace(r.TimeZone)
	r.Mode = Mode(strings.TrimSpace(string(r.Mode)))
	r.Region = strings.ToUpper(strings.TrimSpace(r.Region))
	r.Language = strings.ToLower(strings.TrimSpace(r.Language))
}

// Validate checks the request's fields and returns an EINVALID error naming
// each bad field, or nil.
func (r *Request) Validate() error {
	f := FieldErrors{}
	if r.Start.IsZero() {
		f.Add("start", "Choose a time for your consultation.")
	}
	switch {
	case r.Name == "":
		f.Add("name", "Enter your name.")
	case utf8.RuneCountInString(r.Name) > MaxNameLen:
		f.Add("name", "Your name must be 100 characters or fewer.")
	case hasControl(r.Name):
		f.Add("name", "Your name contains characters we cannot accept.")
	}
	if msg := checkEmail(r.Email); msg != "" {
		f.Add("email", msg)
	}
	if r.Phone != "" {
		if len(r.Phone) > MaxPhoneLen || !phoneLike(r.Phone) {
			f.Add("phone", "Enter a phone number using digits, spaces, +, - or brackets, up to 30 characters.")
		}
	}
	if utf8.RuneCountInString(r.Note) > MaxNoteLen {
		f.Add("note", "Your note must be 500 characters or fewer.")
	} else if hasControlExceptNewline(r.Note) {
		f.Add("note", "Your note contains characters we cannot accept.")
	}
	if r.TimeZone != "" {
		if _, err := CheckZone(r.TimeZone); err != nil {
			f.Add("timezone", "Choose a time zone from the list.")
		}
	}
	if r.HourCycle != 0 && r.HourCycle != 12 && r.HourCycle != 24 {
		f.Add("hour_cycle", "Choose the 12- or 24-hour clock.")
	}
	if !ValidLanguage(r.Language) {
		f.Add("language", "Choose one of the languages: en, de, fr or es.")
	}
	return f.Err()
}

func checkEmail(s string) string {
	if s == "" {
		return "Enter your email address."
	}
	if len(s) > MaxEmailLen || hasControl(s) {
		return "Enter an email address like name@example.com."
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "Enter an email address like name@example.com."
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") || strings.HasSuffix(s, ".") {
		return "Enter an email address like name@example.com."
	}
	return ""
}

// ValidEmail reports whether s is an acceptable client email address.
func ValidEmail(s string) bool { return checkEmail(s) == "" }

func phoneLike(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-() .", r):
		default:
			return false
		}
	}
	return digits >= 5
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return true
		}
	}
	return false
}

func hasControlExceptNewline(s string) bool {
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7f || r == utf8.RuneError {
			return true
		}
	}
	return false
}
