package booking

import (
	"context"
	"time"
)

// Mail kinds: every email the service sends is one of these. Each is queued
// in the outbox with the booking change that causes it.
const (
	MailConfirmation      = "confirmation"       // to the client, with the invitation
	MailRescheduled       = "rescheduled"        // to the client, with the updated invitation
	MailCancelled         = "cancelled"          // to the client, with the cancelling invitation
	MailReminder          = "reminder"           // to the client, before the consultation
	MailRestored          = "restored"           // to the client: a cancellation undone, with the invitation
	MailPractitionerNew   = "practitioner_new"   // to the practitioner
	MailPractitionerMoved = "practitioner_moved" // to the practitioner
	MailPractitionerGone  = "practitioner_gone"  // to the practitioner
	MailSecurity          = "security"           // to the practitioner: a change to how they sign in
	MailConfirmRequest    = "confirm_request"    // to the client: the link that confirms a held time
	MailLimitNotice       = "limit_notice"       // to the client: a request for their inbox was not taken
	MailWaitlistConfirm   = "waitlist_confirm"   // to a waitlist entry: the link that confirms it
	MailWaitlistOffer     = "waitlist_offer"     // to a waitlist entry: a time held for them, with the link that books it
)

// Recipients of queued mail.
const (
	RecipientClient       = "client"
	RecipientPractitioner = "practitioner"
)

// OutboxStatus is where a queued email stands.
type OutboxStatus string

// The states of a queued email. A message is claimed (sending) by one
// worker at a time; it ends sent, failed (after the last attempt, or at
// once on a permanent refusal), skipped (stale: its booking changed since),
// or logged (no SMTP server was configured, so it was kept, not sent).
const (
	OutboxPending OutboxStatus = "pending"
	OutboxSending OutboxStatus = "sending"
	OutboxSent    OutboxStatus = "sent"
	OutboxFailed  OutboxStatus = "failed"
	OutboxSkipped OutboxStatus = "skipped"
	OutboxLogged  OutboxStatus = "logged"
)

// OutboxMessage is one queued email. It holds no personal data itself:
// the message is rendered from its booking when it is sent or viewed.
type OutboxMessage struct {
	ID        int64
	BookingID int64
	Kind      string // one of the Mail* kinds
	Recipient string // RecipientClient or RecipientPractitioner
	// BookingSequence is the booking's Sequence when the message was queued.
	BookingSequence int
	// Note is the practitioner's optional note to the client (cancellations).
	Note      string
	Status    OutboxStatus
	SendAfter time.Time
	Attempts  int
	// LastError is the last delivery error, with addresses removed.
	LastError string
	MessageID string // the Message-ID header it was (or will be) sent with
	CreatedAt time.Time
	SentAt    *time.Time
	// WaitlistEntryID is the waitlist entry a waitlist email is about.
	WaitlistEntryID int64
	// MailToken is the sealed manage token (see TokenSealer); only the
	// worker's claim fills it in, never a listing.
	MailToken []byte
}

// OutboxFilter selects queued emails for the admin area. Zero fields
// select everything; results are newest first.
type OutboxFilter struct {
	Status    OutboxStatus
	BookingID int64
	BeforeID  int64 // for paging: only messages with a smaller ID
	Limit     int   // at most this many (default 50, at most 500)
}

// RenderedMessage is a queued email as it would be sent now, for viewing.
// It contains personal data: show it only to the practitioner.
type RenderedMessage struct {
	ID         int64
	Kind       string
	Status     OutboxStatus
	From       string
	To         string
	ReplyTo    string
	Subject    string
	Date       time.Time
	MessageID  string
	Text       string
	HTML       string
	Invitation []byte // the text/calendar part, nil when the kind has none
	Method     string // the invitation's iTIP method (REQUEST or CANCEL)
}

// Outbox is the email queue as the admin area uses it: list messages
// (the failed ones with a status filter), put a failed or logged one back
// in the queue, and view one as it would be sent. The retry button goes
// through Admin.RetryEmail instead, so that the retry and its audit entry
// are stored together.
type Outbox interface {
	// ListOutbox returns the messages f selects, newest first. EINVALID
	// for an unknown status.
	ListOutbox(ctx context.Context, f OutboxFilter) ([]OutboxMessage, error)
	// RetryOutbox queues a failed or logged message again, due now, with
	// a fresh count of attempts. ENOTFOUND when there is no such message;
	// ECONFLICT when it is in any other state.
	RetryOutbox(ctx context.Context, id int64) error
	// RenderMessage renders message id as it would be sent now. ENOTFOUND
	// when there is no such message or its booking is gone.
	RenderMessage(ctx context.Context, id int64) (*RenderedMessage, error)
	// PreviewMessage renders the message of kind to the client about b,
	// with the practitioner's note, as it would be sent if b changed
	// now: before a cancellation, what the client will receive. Nothing
	// is queued. EINVALID for a kind that does not go to the client.
	PreviewMessage(ctx context.Context, kind string, b Booking, note string) (*RenderedMessage, error)
}
