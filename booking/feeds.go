package booking

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Feeds manages what the practitioner controls about the calendar feeds:
// the private feed's secret and the calendar wording and privacy
// settings. The admin area and the `consult feed` command use it.
type Feeds struct {
	store FeedStore
	base  string
	now   func() time.Time
}

// NewFeeds returns Feeds on store; baseURL is the service's absolute URL
// (BASE_URL) and now its clock.
func NewFeeds(store FeedStore, baseURL string, now func() time.Time) *Feeds {
	return &Feeds{store: store, base: strings.TrimRight(baseURL, "/"), now: now}
}

// AvailabilityURL returns the URL of the public open-slots feed.
func (f *Feeds) AvailabilityURL() string { return f.base + "/calendar/availability.ics" }

// BookingsURL returns the URL of the private bookings feed for secret.
func (f *Feeds) BookingsURL(secret string) string {
	return f.base + "/calendar/bookings/" + secret + ".ics"
}

// RotateSecret makes a new secret for the private bookings feed and
// returns the feed's new URL. The previous URL stops working at once.
// Only a hash of the secret is kept, so the URL can be shown this once:
// the caller must show it now, and never log it.
func (f *Feeds) RotateSecret(ctx context.Context) (string, error) {
	secret, err := f.store.RotateFeedSecret(ctx, f.now().UTC())
	if err != nil {
		return "", err
	}
	return f.BookingsURL(secret), nil
}

// SecretCreatedAt returns when the private feed's current secret was
// made, and false when there is none (the feed is off until one is made).
func (f *Feeds) SecretCreatedAt(ctx context.Context) (time.Time, bool, error) {
	t, err := f.store.FeedSecretCreatedAt(ctx)
	if ErrorCode(err) == ENOTFOUND {
		return time.Time{}, false, nil
	}
	return t, err == nil, err
}

// FeedSettings are the practice's calendar wording and feed privacy.
type FeedSettings struct {
	// EventTitle is the neutral title of invitations and .ics downloads;
	// empty means "Consultation with <practice name>". Whoever sees the
	// client's calendar sees it, so it should not name a treatment.
	EventTitle string
	// FullDetails makes the private feed show clients' names, emails and
	// phone numbers instead of their initials.
	FullDetails bool
}

// MaxEventTitleLen is the longest event title, in characters.
const MaxEventTitleLen = 200

// Settings returns the feed settings.
func (f *Feeds) Settings(ctx context.Context) (FeedSettings, error) {
	title, full, err := f.store.FeedSettings(ctx)
	return FeedSettings{EventTitle: title, FullDetails: full}, err
}

// SetSettings checks and stores the feed settings. EINVALID, naming the
// field event_title, when the title is too long or holds line breaks or
// other control characters; nothing is stored then.
func (f *Feeds) SetSettings(ctx context.Context, fs FeedSettings) error {
	fs, err := checkFeedSettings(fs)
	if err != nil {
		return err
	}
	return f.store.SetFeedSettings(ctx, fs.EventTitle, fs.FullDetails, f.now().UTC())
}

// checkFeedSettings returns fs with the title trimmed, or the EINVALID
// error SetSettings describes.
func checkFeedSettings(fs FeedSettings) (FeedSettings, error) {
	fs.EventTitle = strings.TrimSpace(fs.EventTitle)
	errs := FieldErrors{}
	switch {
	case utf8.RuneCountInString(fs.EventTitle) > MaxEventTitleLen:
		errs.Add("event_title", "Use at most 200 characters.")
	case !utf8.ValidString(fs.EventTitle) || strings.ContainsFunc(fs.EventTitle, unicode.IsControl):
		errs.Add("event_title", "Write the title on one line, without special characters.")
	}
	return fs, errs.Err()
}

// ScheduleOfVersion returns the part of an AvailabilityFeedVersion that
// moves with the settings, the profile, the hours and the time off only,
// not with bookings: pages that show the practice but no slots keep
// their copies while it stands.
func ScheduleOfVersion(version string) string {
	first, _, _ := strings.Cut(version, "/")
	return first
}

// FeedStore is the storage the calendar feeds use; *storage.Store
// implements it.
type FeedStore interface {
	// AvailabilityFeedVersion returns a version of the data the open-slots
	// feed is built from at now and the time of its last change, in one
	// query. ENOTFOUND when the practice has no settings. The version's
	// first field (ScheduleOfVersion) moves with every change to the
	// settings, the profile, the hours and the time off, and with
	// nothing else.
	AvailabilityFeedVersion(ctx context.Context, now time.Time) (version string, changed time.Time, err error)
	// BookingsFeedVersion checks secretHash and returns a version of the
	// bookings feed's data and the time of its last change, in one query.
	// ENOTFOUND when secretHash is not the current secret's.
	BookingsFeedVersion(ctx context.Context, secretHash []byte, now time.Time, keepPast, keepCancelled time.Duration) (version string, changed time.Time, err error)
	// FeedBookings returns the bookings the private feed shows at now.
	FeedBookings(ctx context.Context, now time.Time, keepPast, keepCancelled time.Duration) ([]Booking, error)
	// FeedSettings returns the neutral event title and whether the private
	// feed shows full details. ENOTFOUND when the practice has no settings.
	FeedSettings(ctx context.Context) (eventTitle string, fullDetails bool, err error)
	// SetFeedSettings stores them, stamped now. ENOTFOUND when the practice
	// has no settings; EINVALID when the database refuses the title.
	SetFeedSettings(ctx context.Context, eventTitle string, fullDetails bool, now time.Time) error
	// RotateFeedSecret replaces the private feed's secret and returns the
	// new one, which is not stored in plaintext.
	RotateFeedSecret(ctx context.Context, now time.Time) (string, error)
	// FeedSecretCreatedAt returns when the current secret was made.
	// ENOTFOUND when there is none.
	FeedSecretCreatedAt(ctx context.Context) (time.Time, error)
}
