// Package notify sends the service's email: it renders the messages queued
// in the transactional outbox (confirmations with calendar invitations,
// reschedule and cancellation notices, reminders, and notices to the
// practitioner) from templates in the binary, and a worker delivers them
// through SMTP with retries, exactly once across instances.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"consult/booking"
)

// Config holds the worker's settings. Zero durations and counts take the
// defaults named on each field.
type Config struct {
	// From is MAIL_FROM, the sender of every message; the practice's name
	// is shown as its display name.
	From string
	// PractitionerEmail receives the practitioner's notices, and is the
	// Reply-To of the client's messages. Default: From.
	PractitionerEmail string
	// BaseURL is the absolute URL of the service, for links.
	BaseURL string
	// MaxAttempts is how many delivery attempts a message gets before it
	// is marked failed (default 8).
	MaxAttempts int
	// PollInterval is how often Run looks for due messages (default 10s).
	PollInterval time.Duration
	// Lease is how long a claimed message belongs to one worker; after it,
	// a message whose worker died is claimed again (default 5m).
	Lease time.Duration
	// RetryBase and RetryMax bound the exponential backoff between
	// attempts after temporary failures (defaults 1m and 6h).
	RetryBase, RetryMax time.Duration
	// SendTimeout bounds one SMTP delivery (default 1m; keep it well under Lease).
	SendTimeout time.Duration
}

// Store is what the worker needs from the database; *storage.Store has it.
type Store interface {
	ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]booking.OutboxMessage, error)
	CompleteOutbox(ctx context.Context, id int64, attempt int, sentAt time.Time, messageID string) error
	DeferOutbox(ctx context.Context, id int64, attempt int, retryAt time.Time, reason string) error
	CloseOutbox(ctx context.Context, id int64, attempt int, status booking.OutboxStatus, reason string) error
	// KeepOutbox records the claimed messages ids, each at its attempt,
	// as kept unsent (logged) with reason, and returns how many were
	// still claimed.
	KeepOutbox(ctx context.Context, ids []int64, attempts []int, reason string) (int64, error)
	// SkipOutbox records the claimed messages ids, each at its attempt,
	// as skipped, each for its reason, in one statement, and returns how
	// many were still claimed by this worker.
	SkipOutbox(ctx context.Context, ids []int64, attempts []int, reasons []string) (int64, error)
	RetryOutbox(ctx context.Context, id int64, now time.Time) error
	ListOutbox(ctx context.Context, f booking.OutboxFilter) ([]booking.OutboxMessage, error)
	OutboxByID(ctx context.Context, id int64) (*booking.OutboxMessage, error)
	PurgeMailTokens(ctx context.Context, now time.Time) (int64, error)
	BookingByID(ctx context.Context, id int64) (*booking.Booking, error)
	// BookingsByID returns those of the bookings ids that exist, by id.
	BookingsByID(ctx context.Context, ids []int64) (map[int64]*booking.Booking, error)
	WaitlistEntryByID(ctx context.Context, id int64) (*booking.WaitlistEntry, error)
	// UserByEmail finds the admin account the practitioner's notices go
	// to, for the language they read the admin area in. ENOTFOUND.
	UserByEmail(ctx context.Context, email string) (*booking.User, error)
	Schedule(ctx context.Context, from, to booking.Date) (booking.Schedule, error)
}

// Sender delivers one rendered message. Errors that are temporary (the
// message may be tried again later) satisfy IsTemporary.
type Sender interface {
	Send(ctx context.Context, m *Message) error
}

// Deps are the worker's collaborators.
type Deps struct {
	Store Store
	// Sender delivers messages; nil means no SMTP server is configured:
	// due messages are logged (kind and ids only) and kept as 'logged'.
	Sender Sender
	// Keys opens the sealed manage tokens; nil leaves the private link out.
	Keys *Keyring
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Worker delivers the outbox. It also serves the admin area's view of the
// outbox (booking.Outbox).
type Worker struct {
	cfg          Config
	store        Store
	sender       Sender
	keys         *Keyring
	now          func() time.Time
	logger       *slog.Logger
	from         mail.Address // address only; the name is the practice's
	practitioner mail.Address
	base         *url.URL
	host         string // for Message-IDs
	tmpl         *templates
}

var _ booking.Outbox = (*Worker)(nil)

// New returns a Worker, checking cfg.
func New(cfg Config, deps Deps) (*Worker, error) {
	if deps.Store == nil {
		return nil, errors.New("notify: no store")
	}
	from, err := parseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("notify: MAIL_FROM: %w", err)
	}
	practitioner := from
	if cfg.PractitionerEmail != "" {
		if practitioner, err = parseAddress(cfg.PractitionerEmail); err != nil {
			return nil, fmt.Errorf("notify: PRACTITIONER_EMAIL: %w", err)
		}
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || !base.IsAbs() || base.Hostname() == "" {
		return nil, fmt.Errorf("notify: BASE_URL %q is not an absolute URL", cfg.BaseURL)
	}
	tmpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	setDefault(&cfg.MaxAttempts, 8)
	setDefault(&cfg.PollInterval, 10*time.Second)
	setDefault(&cfg.Lease, 5*time.Minute)
	setDefault(&cfg.RetryBase, time.Minute)
	setDefault(&cfg.RetryMax, 6*time.Hour)
	setDefault(&cfg.SendTimeout, time.Minute)
	w := &Worker{
		cfg: cfg, store: deps.Store, sender: deps.Sender, keys: deps.Keys,
		now: deps.Now, logger: deps.Logger,
		from: from, practitioner: practitioner, base: base, tmpl: tmpl,
		host: from.Address[strings.LastIndexByte(from.Address, '@')+1:],
	}
	if w.now == nil {
		w.now = time.Now
	}
	if w.logger == nil {
		w.logger = slog.New(slog.DiscardHandler)
	}
	return w, nil
}

func setDefault[T int | time.Duration](p *T, def T) {
	if *p <= 0 {
		*p = def
	}
}

// parseAddress reads "addr" or "Name <addr>" and keeps only the address.
func parseAddress(s string) (mail.Address, error) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return mail.Address{}, fmt.Errorf("%q is not an email address", s)
	}
	return mail.Address{Address: a.Address}, nil
}

// ListOutbox implements booking.Outbox.
func (w *Worker) ListOutbox(ctx context.Context, f booking.OutboxFilter) ([]booking.OutboxMessage, error) {
	return w.store.ListOutbox(ctx, f)
}

// RetryOutbox implements booking.Outbox: the message is due at once, and
// Run picks it up at its next poll.
func (w *Worker) RetryOutbox(ctx context.Context, id int64) error {
	return w.store.RetryOutbox(ctx, id, w.now().UTC())
}

// RenderMessage implements booking.Outbox. The client's private link is
// never shown: the view has a placeholder where the sent message has it.
func (w *Worker) RenderMessage(ctx context.Context, id int64) (*booking.RenderedMessage, error) {
	m, err := w.store.OutboxByID(ctx, id)
	if err != nil {
		return nil, err
	}
	at := w.now().UTC()
	if m.SentAt != nil {
		at = *m.SentAt
	}
	var msg *Message
	switch {
	case m.Kind == booking.MailSecurity:
		msg, err = w.renderSecurity(ctx, *m, at)
	case m.BookingID == 0:
		return nil, booking.Errorf(booking.ENOTFOUND, "The booking of this message has been erased.")
	default:
		var b *booking.Booking
		if b, err = w.store.BookingByID(ctx, m.BookingID); err != nil {
			return nil, err
		}
		msg, err = w.render(ctx, *m, b, "", at)
	}
	if err != nil {
		return nil, err
	}
	return rendered(*m, msg), nil
}

// PreviewMessage implements booking.Outbox. As in RenderMessage, the
// client's private link is left out.
func (w *Worker) PreviewMessage(ctx context.Context, kind string, b booking.Booking, note string) (*booking.RenderedMessage, error) {
	if _, ok := clientKinds[kind]; !ok {
		return nil, booking.Errorf(booking.EINVALID, "Only messages to the client can be previewed.")
	}
	at := w.now().UTC()
	m := booking.OutboxMessage{BookingID: b.ID, Kind: kind, Recipient: booking.RecipientClient, Note: note,
		Status: booking.OutboxPending, CreatedAt: at, SendAfter: at}
	// The booking as the change would leave it: one step further on.
	b.Sequence++
	if kind == booking.MailCancelled {
		b.Status, b.CancelledAt = booking.StatusCancelled, &at
	}
	msg, err := w.render(ctx, m, &b, "", at)
	if err != nil {
		return nil, err
	}
	return rendered(m, msg), nil
}

// rendered is msg, rendered from m, as the admin area shows it.
func rendered(m booking.OutboxMessage, msg *Message) *booking.RenderedMessage {
	r := &booking.RenderedMessage{
		ID: m.ID, Kind: m.Kind, Status: m.Status,
		From: msg.From.String(), To: msg.To.String(), Subject: msg.Subject,
		Date: msg.Date, MessageID: msg.MessageID, Text: msg.Text, HTML: msg.HTML,
		Invitation: msg.Invitation, Method: string(msg.Method),
	}
	if msg.ReplyTo != nil {
		r.ReplyTo = msg.ReplyTo.String()
	}
	return r
}
