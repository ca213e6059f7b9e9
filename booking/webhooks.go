package booking

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Webhook event types: what another system can be told of. Each is sent
// with the booking as it stands after the change.
const (
	EventBookingCreated     = "booking.created"
	EventBookingRescheduled = "booking.rescheduled"
	EventBookingCancelled   = "booking.cancelled"
	// EventBookingRestored is a cancellation the practitioner undid: the
	// booking is confirmed again at its time.
	EventBookingRestored  = "booking.restored"
	EventBookingCompleted = "booking.completed"
	EventBookingNoShow    = "booking.no_show"
	// EventWaitlistClaimed is a time offered from the waitlist that its
	// entry booked (sent besides booking.created).
	EventWaitlistClaimed = "waitlist.offer_claimed"
	// EventWebhookTest is sent only by the practitioner's "send test
	// event"; an endpoint need not subscribe to it.
	EventWebhookTest = "webhook.test"
)

// WebhookEvents lists the events an endpoint can subscribe to, in the
// order the admin area offers them.
var WebhookEvents = []string{EventBookingCreated, EventBookingRescheduled, EventBookingCancelled,
	EventBookingRestored, EventBookingCompleted, EventBookingNoShow, EventWaitlistClaimed}

// WebhookEventLabel is how the admin area names an event.
func WebhookEventLabel(event string) string {
	switch event {
	case EventBookingCreated:
		return "A consultation is booked"
	case EventBookingRescheduled:
		return "A consultation is moved"
	case EventBookingCancelled:
		return "A consultation is cancelled"
	case EventBookingRestored:
		return "A cancellation is undone"
	case EventBookingCompleted:
		return "A consultation is marked completed"
	case EventBookingNoShow:
		return "A consultation is marked no-show"
	case EventWaitlistClaimed:
		return "A time offered from the waitlist is booked"
	case EventWebhookTest:
		return "Test event"
	}
	return event
}

// Limits of webhook endpoints.
const (
	MaxWebhookURLLen = 2048
	MaxWebhooks      = 10
	// WebhookDisableAfter is how long an endpoint may fail every attempt
	// before it is switched off.
	WebhookDisableAfter = 5 * 24 * time.Hour
	// WebhookBodyDays is how long a delivery's body is kept.
	WebhookBodyDays = 7
)

// WebhookEndpoint is a URL told of the events it subscribes to. Its secret
// is never part of it: it is shown once, when the endpoint is made.
type WebhookEndpoint struct {
	ID                   int64
	URL                  string
	Events               []string
	IncludeClientDetails bool
	Enabled              bool
	// DisabledReason says why a disabled endpoint was switched off.
	DisabledReason string
	FailingSince   *time.Time
	CreatedAt      time.Time
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
	DeliverySkipped   = "skipped"
)

// WebhookDelivery is one event for one endpoint, as the delivery log
// shows it: no body.
type WebhookDelivery struct {
	ID          int64
	EndpointID  int64
	EventID     string
	EventType   string
	Status      string
	Attempts    int
	NextAttempt time.Time
	// LastStatus is the HTTP status of the last attempt, 0 if none came.
	LastStatus int
	// LastError is why the last attempt failed, without the URL.
	LastError  string
	LastTookMS int
	CreatedAt  time.Time
	FinishedAt *time.Time
}

// WebhookSend is a claimed delivery with what sending it needs.
type WebhookSend struct {
	WebhookDelivery
	URL     string
	Secret  string
	Payload []byte
}

// WebhookOutcome is what an attempt to send a delivery came to.
type WebhookOutcome struct {
	Delivered bool
	Status    int    // the HTTP status, 0 when none came
	Error     string // why it failed, without the URL
	Took      time.Duration
	// RetryAt is when to try again after a failure; zero gives up.
	RetryAt time.Time
}

// WebhookStore keeps the endpoints and their deliveries.
type WebhookStore interface {
	// CreateWebhook stores an endpoint with its secret (sealed at rest).
	CreateWebhook(ctx context.Context, w WebhookEndpoint, secret string, now time.Time) (*WebhookEndpoint, error)
	// Webhooks lists the endpoints, oldest first.
	Webhooks(ctx context.Context) ([]WebhookEndpoint, error)
	// Webhook returns one endpoint. ENOTFOUND.
	Webhook(ctx context.Context, id int64) (*WebhookEndpoint, error)
	// DeleteWebhook removes an endpoint and its deliveries. ENOTFOUND.
	DeleteWebhook(ctx context.Context, id int64) error
	// EnableWebhook switches an endpoint back on; its pending deliveries
	// are due again at now. ENOTFOUND.
	EnableWebhook(ctx context.Context, id int64, now time.Time) error
	// QueueWebhookTest queues a test event for endpoint id, due now, and
	// returns it claimed for sending at once. ENOTFOUND.
	QueueWebhookTest(ctx context.Context, id int64, payload []byte, eventID string, now time.Time) (*WebhookSend, error)
	// WebhookDeliveries returns an endpoint's latest deliveries, newest first.
	WebhookDeliveries(ctx context.Context, id int64, limit int) ([]WebhookDelivery, error)
}

// ValidWebhook checks an endpoint as the practitioner entered it and
// returns it tidied: an absolute http(s) URL without credentials, and
// known events, each once, in the usual order. Whether its address may be
// reached is decided when it is sent to.
func ValidWebhook(w WebhookEndpoint) (WebhookEndpoint, error) {
	errs := FieldErrors{}
	w.URL = strings.TrimSpace(w.URL)
	u, err := url.Parse(w.URL)
	switch {
	case w.URL == "":
		errs["url"] = "Enter the address the other system gave you, starting with https://."
	case len(w.URL) > MaxWebhookURLLen:
		errs["url"] = "That address is too long (at most 2048 characters)."
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Hostname() == "":
		errs["url"] = "Enter a full web address starting with https://."
	case u.User != nil:
		errs["url"] = "Leave the name and password out of the address; the signature proves who sends."
	case u.Fragment != "":
		errs["url"] = "Leave the part after # out of the address."
	}
	var events []string
	for _, e := range WebhookEvents {
		if slices.Contains(w.Events, e) {
			events = append(events, e)
		}
	}
	for _, e := range w.Events {
		if !slices.Contains(WebhookEvents, e) {
			errs["events"] = fmt.Sprintf("Choose among %s.", strings.Join(WebhookEvents, ", "))
		}
	}
	if len(events) == 0 && errs["events"] == "" {
		errs["events"] = "Choose at least one event to send."
	}
	if len(errs) > 0 {
		return w, errs.Err()
	}
	w.Events = events
	return w, nil
}

// NewWebhookSecret returns a signing secret in the Standard Webhooks form:
// "whsec_" and 32 random bytes as base64.
func NewWebhookSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// NewEventID returns a fresh webhook-id: "msg_" and 26 random base32
// letters (130 bits).
func NewEventID() string {
	b := make([]byte, 17)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return "msg_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:26]
}

// WebhookClient is the client in a payload with client details.
type WebhookClient struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Phone    string `json:"phone,omitempty"`
	TimeZone string `json:"timezone,omitempty"`
}

// WebhookBooking is a booking in a payload. The client's note never goes
// out: it may hold what a client would tell only the practitioner.
type WebhookBooking struct {
	ID       int64          `json:"id"`
	Status   Status         `json:"status"`
	Start    time.Time      `json:"start"`
	End      time.Time      `json:"end"`
	Sequence int            `json:"sequence"`
	Client   *WebhookClient `json:"client,omitempty"`
}

// WebhookPayload is the JSON body of every webhook.
type WebhookPayload struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      struct {
		Booking *WebhookBooking `json:"booking,omitempty"`
	} `json:"data"`
}

// EncodeWebhook returns the body of event id of type on b at at, with the
// client's details only when withClient. b may be nil (the test event).
func EncodeWebhook(id, event string, at time.Time, b *Booking, withClient bool) []byte {
	p := WebhookPayload{ID: id, Type: event, Timestamp: at.UTC().Truncate(time.Second)}
	if b != nil {
		wb := &WebhookBooking{ID: b.ID, Status: b.Status, Start: b.Start.UTC(), End: b.End.UTC(), Sequence: b.Sequence}
		if withClient {
			wb.Client = &WebhookClient{Name: b.Name, Email: b.Email, Phone: b.Phone, TimeZone: b.TimeZone}
		}
		p.Data.Booking = wb
	}
	body, err := json.Marshal(p)
	if err != nil {
		panic(err) // plain fields only: cannot fail
	}
	return body
}

// WebhookEventOf returns the event a booking change sends, "" for none.
func WebhookEventOf(status Status) string {
	switch status {
	case StatusCompleted:
		return EventBookingCompleted
	case StatusNoShow:
		return EventBookingNoShow
	}
	return ""
}

// CreateWebhook adds an endpoint and returns it with its secret, which is
// shown this once. EINVALID (url, events); ECONFLICT beyond MaxWebhooks.
func (a *Admin) CreateWebhook(ctx context.Context, who Actor, w WebhookEndpoint) (*WebhookEndpoint, string, error) {
	w, err := ValidWebhook(w)
	if err != nil {
		return nil, "", err
	}
	secret := NewWebhookSecret()
	var made *WebhookEndpoint
	err = a.change(ctx, who, "webhook.create", func(tx AdminStore, now time.Time) (string, error) {
		all, err := tx.Webhooks(ctx)
		if err != nil {
			return "", err
		}
		if len(all) >= MaxWebhooks {
			return "", Errorf(ECONFLICT, "There are %d endpoints already; remove one first.", MaxWebhooks)
		}
		if made, err = tx.CreateWebhook(ctx, w, secret, now); err != nil {
			return "", err
		}
		return fmt.Sprintf("webhook:%d", made.ID), nil
	})
	if err != nil {
		return nil, "", err
	}
	return made, secret, nil
}

// DeleteWebhook removes an endpoint and its delivery log. ENOTFOUND.
func (a *Admin) DeleteWebhook(ctx context.Context, who Actor, id int64) error {
	return a.change(ctx, who, "webhook.delete", func(tx AdminStore, now time.Time) (string, error) {
		return fmt.Sprintf("webhook:%d", id), tx.DeleteWebhook(ctx, id)
	})
}

// EnableWebhook switches a disabled endpoint on again. ENOTFOUND.
func (a *Admin) EnableWebhook(ctx context.Context, who Actor, id int64) error {
	return a.change(ctx, who, "webhook.enable", func(tx AdminStore, now time.Time) (string, error) {
		return fmt.Sprintf("webhook:%d", id), tx.EnableWebhook(ctx, id, now)
	})
}

// queueWebhookTest queues a test event for endpoint id and returns it
// ready to send at once; the caller sends it and records the outcome like
// any delivery's. ENOTFOUND.
func (a *Admin) queueWebhookTest(ctx context.Context, who Actor, id int64) (*WebhookSend, error) {
	var send *WebhookSend
	err := a.change(ctx, who, "webhook.test", func(tx AdminStore, now time.Time) (string, error) {
		eventID := NewEventID()
		var err error
		send, err = tx.QueueWebhookTest(ctx, id, EncodeWebhook(eventID, EventWebhookTest, now, nil, false), eventID, now)
		return fmt.Sprintf("webhook:%d", id), err
	})
	return send, err
}

// WebhookSender makes one attempt at a claimed delivery and records its
// outcome; the webhook package's Worker is one.
type WebhookSender interface {
	Deliver(ctx context.Context, s WebhookSend) (WebhookOutcome, error)
}

// SendWebhookTest sends a test event to endpoint id at once through
// sender and returns the delivery with its outcome, which the delivery log
// keeps like any other. ENOTFOUND; EUNAVAILABLE without a sender.
func (a *Admin) SendWebhookTest(ctx context.Context, who Actor, id int64, sender WebhookSender) (*WebhookSend, WebhookOutcome, error) {
	if _, err := a.store.Webhook(ctx, id); err != nil {
		return nil, WebhookOutcome{}, err
	}
	if sender == nil {
		return nil, WebhookOutcome{}, Errorf(EUNAVAILABLE, "Webhooks are not sent by this instance.")
	}
	send, err := a.queueWebhookTest(ctx, who, id)
	if err != nil {
		return nil, WebhookOutcome{}, err
	}
	o, err := sender.Deliver(ctx, *send)
	return send, o, err
}
