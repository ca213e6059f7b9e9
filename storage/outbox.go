package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"consult/booking"
)

// Mail kinds queued in the outbox. The notify package renders each kind.
const (
	MailConfirmation      = "confirmation"       // to the client, with the invitation
	MailRescheduled       = "rescheduled"        // to the client, with the updated invitation
	MailCancelled         = "cancelled"          // to the client, with the cancelling invitation
	MailReminder          = "reminder"           // to the client, before the consultation
	MailPractitionerNew   = "practitioner_new"   // to the practitioner
	MailPractitionerMoved = "practitioner_moved" // to the practitioner
	MailPractitionerGone  = "practitioner_gone"  // to the practitioner
)

// BookingEvent is a change to a booking that sends email.
type BookingEvent int

// The booking changes that send email.
const (
	EventBooked BookingEvent = iota + 1
	EventRescheduled
	EventCancelled
)

// DefaultReminderLead is how long before a consultation the reminder goes out.
const DefaultReminderLead = 24 * time.Hour

// SetReminderLead sets how long before a consultation the reminder is sent;
// 0 turns reminders off.
func (s *Store) SetReminderLead(d time.Duration) { s.reminderLead = d }

type queuedMail struct {
	kind, recipient string
	sendAfter       time.Time
}

// enqueueMail writes, inside tx, every email that ev on b sends: so a
// booking change is never stored without its emails, and no email is
// queued for a change that rolled back. message is the practitioner's
// optional note to the client on a cancellation.
func (s *Store) enqueueMail(ctx context.Context, tx pgx.Tx, b *booking.Booking, ev BookingEvent, message string, now time.Time) error {
	var mails []queuedMail
	switch ev {
	case EventBooked:
		mails = []queuedMail{{MailConfirmation, "client", now}, {MailPractitionerNew, "practitioner", now}}
	case EventRescheduled:
		mails = []queuedMail{{MailRescheduled, "client", now}, {MailPractitionerMoved, "practitioner", now}}
	case EventCancelled:
		mails = []queuedMail{{MailCancelled, "client", now}, {MailPractitionerGone, "practitioner", now}}
	default:
		return fmt.Errorf("storage: unknown booking event %d", ev)
	}
	// A reminder only when the booking is made (or moved) outside the
	// reminder window; a stale one is skipped by the sender because its
	// booking_sequence no longer matches.
	if ev != EventCancelled && s.reminderLead > 0 {
		if at := b.Start.Add(-s.reminderLead); at.After(now) {
			mails = append(mails, queuedMail{MailReminder, "client", at})
		}
	}
	for _, m := range mails {
		_, err := tx.Exec(ctx, `
			INSERT INTO outbox (booking_id, kind, recipient, booking_sequence, message, send_after)
			VALUES ($1, $2, $3, $4, $5, $6)`, b.ID, m.kind, m.recipient, b.Sequence, message, m.sendAfter)
		if err != nil {
			return fmt.Errorf("storage: queue %s mail: %w", m.kind, translate(err))
		}
	}
	return nil
}
