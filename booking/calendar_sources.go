package booking

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
)

// The practitioner's own calendars, read so that their busy time blocks
// consultation times. Only the busy intervals are kept, never what the
// events were; the address and credentials are kept sealed and never
// shown back: a secret ICS address is as good as a password.

// Kinds of calendar source.
const (
	SourceICS    = "ics"    // an ICS address, fetched whole
	SourceCalDAV = "caldav" // a CalDAV calendar, queried by time range
)

// Sync states of a calendar source.
const (
	SourcePending = "pending" // not read yet
	SourceOK      = "ok"      // the last sync succeeded
	SourceError   = "error"   // the last sync failed; the last good busy time stays
)

// MaxCalendarSources bounds the sources a practice may link.
const MaxCalendarSources = 20

// CalendarSource is a linked calendar as the admin area shows it: no
// address beyond its host, no credential.
type CalendarSource struct {
	ID             int64
	Kind           string
	Host           string // the address's host, to tell sources apart
	Username       string // CalDAV only
	OwnerEmail     string // the practitioner's address in it, for declined events
	IgnoreDeclined bool
	WriteBookings  bool
	Status         string
	LastAttempt    *time.Time
	LastSuccess    *time.Time
	LastError      string // safe to show: never the address
	// Stale is set while a source unseen for too long blocks booking.
	Stale         bool
	BusyIntervals int
	CreatedAt     time.Time
}

// NewCalendarSource is what the practitioner gives to link a calendar.
type NewCalendarSource struct {
	Kind           string
	URL            string
	Username       string
	Password       string
	OwnerEmail     string
	IgnoreDeclined bool
	WriteBookings  bool
}

// CalendarCredentials are a source's address and credentials, opened
// for a sync only.
type CalendarCredentials struct {
	URL, Username, Password string
}

// CalendarStore keeps the calendar sources. Addresses and passwords are
// stored sealed.
type CalendarStore interface {
	// AddCalendarSource stores n, stamped now. EINVALID when the practice
	// has MaxCalendarSources already.
	AddCalendarSource(ctx context.Context, n NewCalendarSource, now time.Time) (*CalendarSource, error)
	// CalendarSources lists the sources, oldest first.
	CalendarSources(ctx context.Context) ([]CalendarSource, error)
	// CalendarSource returns one source. ENOTFOUND.
	CalendarSource(ctx context.Context, id int64) (*CalendarSource, error)
	// DeleteCalendarSource removes a source and its busy time. ENOTFOUND.
	DeleteCalendarSource(ctx context.Context, id int64, now time.Time) error
	// CalendarBusy returns the busy time of every source overlapping
	// [from, to), by source id.
	CalendarBusy(ctx context.Context, from, to time.Time) (map[int64][]Interval, error)
}

// NormalizeCalendarURL checks a calendar address as the practitioner
// typed it and returns it with webcal written as https. The message of
// its error is for the address field.
func NormalizeCalendarURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	bad := FieldErrors{"url": "Enter the calendar's address, starting with https:// or webcal://."}.Err()
	// A space or control character inside an address is a typing slip (or
	// an attempt to smuggle one); the query keeps such bytes as typed, so
	// refusing them keeps a stored address stable.
	if raw == "" || len(raw) > 2000 || strings.ContainsFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return "", bad
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", bad
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		u.Scheme = strings.ToLower(u.Scheme)
	case "webcal", "webcals":
		u.Scheme = "https"
	default:
		return "", bad
	}
	if u.User != nil {
		return "", FieldErrors{"url": "Leave the user name and password out of the address; give them in their own fields."}.Err()
	}
	u.Fragment = ""
	// Escaping can lengthen what was typed; the stored address keeps the
	// same bound as the typed one, so normalising it again accepts it.
	normalized := u.String()
	if len(normalized) > 2000 {
		return "", bad
	}
	// What is stored must read back as the same address with a host:
	// "webcal://::" parses, but its https form does not.
	if back, err := url.Parse(normalized); err != nil || back.Hostname() == "" || back.Host != u.Host {
		return "", bad
	}
	return normalized, nil
}

// CalendarHost is the host of a normalised address, what the admin
// area shows of it.
func CalendarHost(normalized string) string {
	u, err := url.Parse(normalized)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// Validate normalises n and checks it, naming each bad field.
func (n *NewCalendarSource) Validate() error {
	f := FieldErrors{}
	n.Username = strings.TrimSpace(n.Username)
	n.OwnerEmail = strings.TrimSpace(n.OwnerEmail)
	switch n.Kind {
	case SourceICS:
		if n.WriteBookings {
			f.Add("write_bookings", "Bookings can be written only into a CalDAV calendar.")
		}
	case SourceCalDAV:
		if n.Username == "" {
			f.Add("username", "Enter the user name of the calendar account.")
		}
		if n.Password == "" {
			f.Add("password", "Enter the account's password (an app password where the provider offers one).")
		}
	default:
		f.Add("kind", "Choose ics or caldav.")
	}
	if u, err := NormalizeCalendarURL(n.URL); err != nil {
		var e *Error
		if errors.As(err, &e) {
			f.Add("url", e.Fields["url"])
		}
	} else {
		n.URL = u
	}
	if len(n.Username) > 200 {
		f.Add("username", "Use at most 200 characters.")
	}
	if len(n.Password) > 500 {
		f.Add("password", "Use at most 500 characters.")
	}
	if n.OwnerEmail != "" && (!ValidEmail(n.OwnerEmail) || len(n.OwnerEmail) > 254) {
		f.Add("owner_email", "Enter an email address like name@example.com, or leave it empty.")
	}
	return f.Err()
}

// AddCalendarSource links a calendar; its first sync runs in the
// background (or at once with SyncCalendarSource).
func (a *Admin) AddCalendarSource(ctx context.Context, who Actor, n NewCalendarSource) (*CalendarSource, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	var src *CalendarSource
	err := a.change(ctx, who, "calendar_source.add", func(tx AdminStore, now time.Time) (string, error) {
		var err error
		src, err = tx.AddCalendarSource(ctx, n, now)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("calendar_source:%d", src.ID), nil
	})
	return src, err
}

// CalendarSources lists the linked calendars.
func (a *Admin) CalendarSources(ctx context.Context) ([]CalendarSource, error) {
	return a.store.CalendarSources(ctx)
}

// CalendarSource returns one linked calendar. ENOTFOUND.
func (a *Admin) CalendarSource(ctx context.Context, id int64) (*CalendarSource, error) {
	return a.store.CalendarSource(ctx, id)
}

// DeleteCalendarSource unlinks a calendar; its busy time stops blocking
// at once. ENOTFOUND.
func (a *Admin) DeleteCalendarSource(ctx context.Context, who Actor, id int64) error {
	return a.change(ctx, who, "calendar_source.delete", func(tx AdminStore, now time.Time) (string, error) {
		return fmt.Sprintf("calendar_source:%d", id), tx.DeleteCalendarSource(ctx, id, now)
	})
}

// CalendarSync is a source claimed for a sync: what the sync needs to
// read it, opened.
type CalendarSync struct {
	Source      CalendarSource
	Credentials CalendarCredentials
	// The validators of the copy held: ETag and Last-Modified of an ICS
	// address, the ctag or sync token of a CalDAV calendar.
	ETag, LastModified, SyncToken string
}

// CalendarSyncResult is how a sync ended. With Error set the sync failed
// and the busy time held stays; with NotModified the source had not
// changed; otherwise Busy replaces what was held.
type CalendarSyncResult struct {
	Error                         string // safe to show: never the address
	NotModified                   bool
	Busy                          []Interval
	ETag, LastModified, SyncToken string
}

// ownEventSuffix ends the UID of every event the service writes into a
// practitioner's calendar, so that reading the calendar back does not
// take the service's own bookings for busy time from elsewhere.
const ownEventSuffix = "@bookings.consult.invalid"

// OwnEventUIDFor returns the UID of the event written for booking id.
func OwnEventUIDFor(id int64) string { return fmt.Sprintf("consult-booking-%d%s", id, ownEventSuffix) }

// OwnEventUID reports whether uid is of an event the service wrote.
func OwnEventUID(uid string) bool { return strings.HasSuffix(uid, ownEventSuffix) }

// HoursOn returns the hours of date d under s: its override's windows
// (none when closed), else the weekly windows of its weekday, in order.
func (s Schedule) HoursOn(d Date) []TimeRange {
	var out []TimeRange
	for _, o := range s.Overrides {
		if o.Date == d {
			if o.Closed {
				return nil
			}
			out = append(out, o.Windows...)
			return out
		}
	}
	for _, w := range s.Weekly {
		if w.Weekday == d.Weekday() {
			out = append(out, w.TimeRange)
		}
	}
	slices.SortFunc(out, func(a, b TimeRange) int { return int(a.Start - b.Start) })
	return out
}

// CalendarBusy returns the busy time read from each source that
// overlaps [from, to), by source id.
func (a *Admin) CalendarBusy(ctx context.Context, from, to time.Time) (map[int64][]Interval, error) {
	return a.store.CalendarBusy(ctx, from, to)
}

// CalendarWrite is a queued write of a booking into a linked CalDAV
// calendar: the booking as it stands when the write runs, or its removal
// once it is cancelled.
type CalendarWrite struct {
	ID, SourceID, BookingID int64
	Attempts                int // including the one now claimed
}
