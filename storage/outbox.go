package storage

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"consult/booking"
)

// Mail kinds queued in the outbox; see the booking package, which the
// notify package renders them from.
const (
	MailConfirmation      = booking.MailConfirmation
	MailRescheduled       = booking.MailRescheduled
	MailCancelled         = booking.MailCancelled
	MailReminder          = booking.MailReminder
	MailRestored          = booking.MailRestored
	MailSecurity          = booking.MailSecurity
	MailConfirmRequest    = booking.MailConfirmRequest
	MailLimitNotice       = booking.MailLimitNotice
	MailPractitionerNew   = booking.MailPractitionerNew
	MailPractitionerMoved = booking.MailPractitionerMoved
	MailPractitionerGone  = booking.MailPractitionerGone
)

// BookingEvent is a change to a booking that sends email.
type BookingEvent int

// The booking changes that send email.
const (
	EventBooked BookingEvent = iota + 1
	EventRescheduled
	EventCancelled
	// EventHeld is a time held for a client to confirm by email.
	EventHeld
	// EventRestored is a cancellation the practitioner undid.
	EventRestored
)

// webhookEventOf is the webhook event a booking change sends, "" for none:
// a time held for confirmation is not a booking yet.
func webhookEventOf(ev BookingEvent) string {
	switch ev {
	case EventBooked:
		return booking.EventBookingCreated
	case EventRescheduled:
		return booking.EventBookingRescheduled
	case EventCancelled:
		return booking.EventBookingCancelled
	case EventRestored:
		return booking.EventBookingRestored
	}
	return ""
}

// DefaultReminderLead is how long before a consultation the reminder goes
// out, unless New is given WithReminderLead.
const DefaultReminderLead = 24 * time.Hour

type queuedMail struct {
	kind, recipient string
	sendAfter       time.Time
}

// carriesLink reports whether a kind shows the client's private manage
// link, and so is queued with the sealed token. A cancellation links to
// the booking page instead: the old link can no longer change anything.
func carriesLink(kind string) bool {
	return kind == MailConfirmation || kind == MailRescheduled || kind == MailRestored || kind == MailReminder ||
		kind == MailConfirmRequest || kind == MailWaitlistOffer
}

// enqueueMail writes, inside tx, every email that ev on b sends: so a
// booking change is never stored without its emails, and no email is
// queued for a change that rolled back. message is the practitioner's
// optional note to the client on a cancellation.
func (s *Store) enqueueMail(ctx context.Context, tx txn, b *booking.Booking, ev BookingEvent, message string, now time.Time) error {
	return s.queueMail(ctx, tx, b, ev, message, now, nil)
}

// queueMail is enqueueMail with the client's sealed manage token, which
// the client's messages that show the private link are queued with.
func (s *Store) queueMail(ctx context.Context, tx txn, b *booking.Booking, ev BookingEvent, message string, now time.Time, sealed []byte) error {
	q := &execBatch{}
	if err := s.queueMailOn(ctx, q, b, ev, message, now, sealed); err != nil {
		return err
	}
	if err := q.send(ctx, tx); err != nil {
		return fmt.Errorf("storage: queue mail: %w", err)
	}
	return nil
}

// queueMailOn queues on q the statements of queueMail, for the caller
// to send with statements of its own: each round trip inside a booking
// transaction costs both sides (see execBatch).
func (s *Store) queueMailOn(ctx context.Context, q *execBatch, b *booking.Booking, ev BookingEvent, message string, now time.Time, sealed []byte) error {
	return s.queueFollowUps(ctx, q, b, ev, message, now, sealed, everywhere)
}

// queueFollowUps is queueMailOn leaving out the calendar writes and
// webhooks that have nowhere to go (see connected).
func (s *Store) queueFollowUps(ctx context.Context, q *execBatch, b *booking.Booking, ev BookingEvent, message string, now time.Time, sealed []byte, to connected) error {
	client, practitioner := booking.RecipientClient, booking.RecipientPractitioner
	var mails []queuedMail
	switch ev {
	case EventBooked:
		mails = []queuedMail{{MailConfirmation, client, now}, {MailPractitionerNew, practitioner, now}}
	case EventRescheduled:
		mails = []queuedMail{{MailRescheduled, client, now}, {MailPractitionerMoved, practitioner, now}}
	case EventCancelled:
		mails = []queuedMail{{MailCancelled, client, now}, {MailPractitionerGone, practitioner, now}}
	case EventRestored:
		// The practitioner undid their own cancellation: only the client
		// needs telling.
		mails = []queuedMail{{MailRestored, client, now}}
	case EventOffered:
		mails = []queuedMail{{MailWaitlistOffer, client, now}}
	case EventHeld:
		// Only the request to confirm: the practitioner hears of the
		// booking, and the reminder is queued, once it is confirmed.
		mails = []queuedMail{{MailConfirmRequest, client, now}}
	default:
		return fmt.Errorf("storage: unknown booking event %d", ev)
	}
	if ev != EventHeld && ev != EventOffered && to.calendars {
		// The booking in the practitioner's own calendars follows it
		// (a time held or offered is not a booking yet).
		if err := queueCalendarWrites(ctx, q, b.ID, now); err != nil {
			return err
		}
	}
	// A reminder only when the booking is made (or moved) outside the
	// reminder window; a stale one is skipped by the sender because its
	// booking_sequence no longer matches.
	if ev != EventCancelled && ev != EventHeld && ev != EventOffered && s.reminderLead > 0 {
		if at := b.Start.Add(-s.reminderLead); at.After(now) {
			mails = append(mails, queuedMail{MailReminder, client, at})
		}
	}
	if ev != EventBooked && ev != EventHeld && ev != EventOffered {
		// A reminder of the booking as it was is withdrawn now, not left
		// pending until its time (when the sender would skip it anyway),
		// so the outbox never shows a reminder that will not go out.
		reason := "withdrawn: the consultation moved"
		if ev == EventCancelled {
			reason = "withdrawn: the consultation was cancelled"
		}
		// Earlier messages that still hold the token need it no longer:
		// a pending reminder is now stale, and a cancelled booking's
		// link leads nowhere. The new messages carry their own copy.
		if _, err := q.Exec(ctx, `
			UPDATE outbox SET sealed_token = NULL,
				status = CASE WHEN withdrawn THEN 'skipped' ELSE status END,
				last_error = CASE WHEN withdrawn THEN $2 ELSE last_error END
			FROM (SELECT id, kind = $3 AND status = 'pending' AS withdrawn FROM outbox WHERE booking_id = $1) w
			WHERE outbox.id = w.id AND (w.withdrawn OR outbox.sealed_token IS NOT NULL)`, b.ID, reason, MailReminder); err != nil {
			return fmt.Errorf("storage: withdraw reminder: %w", translate(err))
		}
	}
	if event := webhookEventOf(ev); event != "" && to.webhooks {
		if err := s.queueWebhooks(ctx, q, b, event, now); err != nil {
			return err
		}
	}
	return queueMails(ctx, q, b, mails, message, sealed, now)
}

// queueMails queues a booking's messages in one statement: a statement
// per message was five of a booking's twenty, each with its own round of
// parsing, planning and index upkeep in PostgreSQL. The messages get
// their ids in the order given.
func queueMails(ctx context.Context, q execer, b *booking.Booking, mails []queuedMail, message string, sealed []byte, now time.Time) error {
	if len(mails) == 0 {
		return nil
	}
	kinds, recipients := make([]string, len(mails)), make([]string, len(mails))
	sendAfter, links := make([]time.Time, len(mails)), make([]bool, len(mails))
	for i, m := range mails {
		kinds[i], recipients[i], sendAfter[i], links[i] = m.kind, m.recipient, m.sendAfter, carriesLink(m.kind)
	}
	_, err := q.Exec(ctx, `
		INSERT INTO outbox (booking_id, kind, recipient, booking_sequence, message, send_after, sealed_token, created_at)
		SELECT $1, m.kind, m.recipient, $2, $3, m.send_after, CASE WHEN m.link THEN $4::bytea END, $5
		FROM unnest($6::text[], $7::text[], $8::timestamptz[], $9::bool[]) WITH ORDINALITY AS m(kind, recipient, send_after, link, n)
		ORDER BY m.n`,
		b.ID, b.Sequence, message, sealed, stamp(now), kinds, recipients, sendAfter, links)
	if err != nil {
		return fmt.Errorf("storage: queue %s mail: %w", strings.Join(kinds, ", "), translate(err))
	}
	return nil
}

// QueueSecurityNotice implements booking.MailStore: a message about no
// booking, to the practitioner, carrying what changed.
func (s *Store) QueueSecurityNotice(ctx context.Context, what string, now time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO outbox (kind, recipient, message, send_after, created_at)
		VALUES ($1, $2, $3, $4, $4)`, MailSecurity, booking.RecipientPractitioner, what, stamp(now))
	if err != nil {
		return fmt.Errorf("storage: queue security notice: %w", translate(err))
	}
	return nil
}

// MailKey returns the key that seals manage tokens for email when no
// MAIL_KEY is configured. With create it is made on first use, once for
// every instance on the database; without, ENOTFOUND when there is none.
func (s *Store) MailKey(ctx context.Context, create bool) ([]byte, error) {
	if create {
		key := make([]byte, 32)
		_, _ = rand.Read(key) // crypto/rand.Read never fails on supported platforms
		if _, err := s.db.Exec(ctx, `INSERT INTO mail_keys (key) VALUES ($1) ON CONFLICT (id) DO NOTHING`, key); err != nil {
			return nil, fmt.Errorf("storage: mail key: %w", translate(err))
		}
	}
	var key []byte
	if err := s.db.QueryRow(ctx, `SELECT key FROM mail_keys`).Scan(&key); err != nil {
		return nil, translate(err)
	}
	return key, nil
}

// outboxColumns is the column list every outbox query selects, in the
// order scanOutbox reads them.
const outboxColumns = `id, coalesce(booking_id, 0), kind, recipient, booking_sequence, message, status,
	send_after, attempts, last_error, message_id, created_at, sent_at, coalesce(waitlist_entry_id, 0)`

func scanOutbox(row pgx.Row, extra ...any) (booking.OutboxMessage, error) {
	var m booking.OutboxMessage
	var status string
	dest := append([]any{&m.ID, &m.BookingID, &m.Kind, &m.Recipient, &m.BookingSequence, &m.Note, &status,
		&m.SendAfter, &m.Attempts, &m.LastError, &m.MessageID, &m.CreatedAt, &m.SentAt, &m.WaitlistEntryID}, extra...)
	if err := row.Scan(dest...); err != nil {
		return m, translate(err)
	}
	m.Status = booking.OutboxStatus(status)
	m.SendAfter, m.CreatedAt = m.SendAfter.UTC(), m.CreatedAt.UTC()
	if m.SentAt != nil {
		t := m.SentAt.UTC()
		m.SentAt = &t
	}
	return m, nil
}

// ClaimOutbox claims up to limit messages due at now for one worker: each
// becomes 'sending' with a lease until now+lease and one more attempt, and
// is returned with its sealed token. Rows are locked with SKIP LOCKED, so
// workers on several instances never claim the same message; a message
// whose lease ran out (its worker died) is due again, the earliest due
// first. Pending and lapsed messages are each read in order from an index
// (migration 00030), not sorted whole: a backlog made every claim slow.
// Empty when nothing is due.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]booking.OutboxMessage, error) {
	rows, err := s.db.Query(ctx, `
		WITH pending AS (
			SELECT id, send_after AS due_at FROM outbox
			WHERE status = 'pending' AND send_after <= $1
			ORDER BY send_after, id LIMIT $3
			FOR UPDATE SKIP LOCKED
		), lapsed AS (
			SELECT id, lease_until AS due_at FROM outbox
			WHERE status = 'sending' AND lease_until <= $1
			ORDER BY lease_until, id LIMIT $3
			FOR UPDATE SKIP LOCKED
		), due AS (
			SELECT id FROM (SELECT * FROM pending UNION ALL SELECT * FROM lapsed) d
			ORDER BY due_at, id LIMIT $3
		)
		UPDATE outbox o SET status = 'sending', attempts = o.attempts + 1, lease_until = $2
		FROM due
		WHERE o.id = due.id
		RETURNING o.id, coalesce(o.booking_id, 0), o.kind, o.recipient, o.booking_sequence, o.message, o.status,
			o.send_after, o.attempts, o.last_error, o.message_id, o.created_at, o.sent_at,
			coalesce(o.waitlist_entry_id, 0), o.sealed_token`,
		now, now.Add(lease), limit)
	if err != nil {
		return nil, fmt.Errorf("storage: claim outbox: %w", translate(err))
	}
	msgs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.OutboxMessage, error) {
		var token []byte
		m, err := scanOutbox(r, &token)
		m.MailToken = token
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: claim outbox: %w", err)
	}
	return msgs, nil
}

// settleOutbox ends a claim. It only touches the row while it is still the
// caller's claim (sending, same attempt): ECONFLICT when the lease ran out
// and another worker took it.
func (s *Store) settleOutbox(ctx context.Context, id int64, attempt int, set string, args ...any) error {
	tag, err := s.db.Exec(ctx, `UPDATE outbox SET lease_until = NULL, `+set+`
		WHERE id = $1 AND status = 'sending' AND attempts = $2`, append([]any{id, attempt}, args...)...)
	if err != nil {
		return fmt.Errorf("storage: settle outbox %d: %w", id, translate(err))
	}
	if tag.RowsAffected() == 0 {
		return booking.Errorf(booking.ECONFLICT, "The message is no longer claimed by this worker.")
	}
	return nil
}

// CompleteOutbox records claimed message id as sent at sentAt with
// messageID, and erases its sealed token. ECONFLICT when the claim was lost.
func (s *Store) CompleteOutbox(ctx context.Context, id int64, attempt int, sentAt time.Time, messageID string) error {
	return s.settleOutbox(ctx, id, attempt,
		`status = 'sent', sent_at = $3, message_id = $4, sealed_token = NULL, last_error = ''`, sentAt, messageID)
}

// DeferOutbox puts claimed message id back in the queue until retryAt,
// after a temporary failure described by reason (no personal data).
// ECONFLICT when the claim was lost.
func (s *Store) DeferOutbox(ctx context.Context, id int64, attempt int, retryAt time.Time, reason string) error {
	return s.settleOutbox(ctx, id, attempt, `status = 'pending', send_after = $3, last_error = $4`, retryAt, reason)
}

// CloseOutbox ends claimed message id without sending it: failed or
// logged (no SMTP server), both keeping the sealed token so a later send
// still carries the link, or skipped (stale). reason says why, without personal data.
// EINVALID for another status; ECONFLICT when the claim was lost.
func (s *Store) CloseOutbox(ctx context.Context, id int64, attempt int, status booking.OutboxStatus, reason string) error {
	switch status {
	case booking.OutboxFailed:
		return s.settleOutbox(ctx, id, attempt, `status = 'failed', last_error = $3`, reason)
	case booking.OutboxSkipped:
		return s.settleOutbox(ctx, id, attempt, `status = 'skipped', last_error = $3, sealed_token = NULL`, reason)
	case booking.OutboxLogged:
		// Kept, like a failure, so sending it later still carries the
		// client's link; PurgeMailTokens drops it once it cannot matter.
		return s.settleOutbox(ctx, id, attempt, `status = 'logged', last_error = $3`, reason)
	}
	return booking.Errorf(booking.EINVALID, "A claimed message cannot end as %q.", status)
}

// KeepOutbox records the claimed messages ids, each at its attempt, as
// kept unsent (logged) with reason, in one statement, and returns how
// many were still claimed by this worker. Like CloseOutbox with
// OutboxLogged, it keeps their sealed tokens.
func (s *Store) KeepOutbox(ctx context.Context, ids []int64, attempts []int, reason string) (int64, error) {
	if len(ids) != len(attempts) {
		return 0, booking.Errorf(booking.EINVALID, "Each message needs its attempt.")
	}
	tag, err := s.db.Exec(ctx, `UPDATE outbox o SET lease_until = NULL, status = 'logged', last_error = $3
		FROM unnest($1::bigint[], $2::int[]) AS c(id, attempt)
		WHERE o.id = c.id AND o.status = 'sending' AND o.attempts = c.attempt`, ids, attempts, reason)
	if err != nil {
		return 0, fmt.Errorf("storage: keep outbox: %w", translate(err))
	}
	return tag.RowsAffected(), nil
}

// SkipOutbox records the claimed messages ids, each at its attempt, as
// skipped for its reason, in one statement, and erases their sealed
// tokens, as CloseOutbox with OutboxSkipped does for one; it returns how
// many were still claimed by this worker. A booking cancelled makes its
// queued messages stale, and the mail worker skips them by the batch.
func (s *Store) SkipOutbox(ctx context.Context, ids []int64, attempts []int, reasons []string) (int64, error) {
	if len(ids) != len(attempts) || len(ids) != len(reasons) {
		return 0, booking.Errorf(booking.EINVALID, "Each message needs its attempt and its reason.")
	}
	tag, err := s.db.Exec(ctx, `UPDATE outbox o SET lease_until = NULL, status = 'skipped', last_error = c.reason, sealed_token = NULL
		FROM unnest($1::bigint[], $2::int[], $3::text[]) AS c(id, attempt, reason)
		WHERE o.id = c.id AND o.status = 'sending' AND o.attempts = c.attempt`, ids, attempts, reasons)
	if err != nil {
		return 0, fmt.Errorf("storage: skip outbox: %w", translate(err))
	}
	return tag.RowsAffected(), nil
}

// RetryOutbox queues failed or logged message id again, due at now, with
// a fresh count of attempts (the admin area's retry button). ENOTFOUND
// when there is no such message; ECONFLICT when it is in another state.
func (s *Store) RetryOutbox(ctx context.Context, id int64, now time.Time) error {
	var status string
	err := s.db.QueryRow(ctx, `
		WITH cur AS (SELECT id, status FROM outbox WHERE id = $1 FOR UPDATE)
		UPDATE outbox o SET status = CASE WHEN cur.status IN ('failed', 'logged') THEN 'pending' ELSE o.status END,
			attempts = CASE WHEN cur.status IN ('failed', 'logged') THEN 0 ELSE o.attempts END,
			send_after = CASE WHEN cur.status IN ('failed', 'logged') THEN $2 ELSE o.send_after END
		FROM cur WHERE o.id = cur.id
		RETURNING cur.status`, id, now).Scan(&status)
	if booking.ErrorCode(translate(err)) == booking.ENOTFOUND {
		return booking.Errorf(booking.ENOTFOUND, "There is no such message.")
	}
	if err != nil {
		return fmt.Errorf("storage: retry outbox %d: %w", id, translate(err))
	}
	if status != string(booking.OutboxFailed) && status != string(booking.OutboxLogged) {
		return booking.Errorf(booking.ECONFLICT, "Only a failed or unsent message can be sent again; this one is %s.", status)
	}
	return nil
}

// ListOutbox returns the messages f selects, newest first, without their
// sealed tokens. EINVALID for an unknown status.
func (s *Store) ListOutbox(ctx context.Context, f booking.OutboxFilter) ([]booking.OutboxMessage, error) {
	switch f.Status {
	case "", booking.OutboxPending, booking.OutboxSending, booking.OutboxSent,
		booking.OutboxFailed, booking.OutboxSkipped, booking.OutboxLogged:
	default:
		return nil, booking.FieldErrors{"status": "Choose pending, sending, sent, failed, skipped or logged."}.Err()
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	rows, err := s.db.Query(ctx, `SELECT `+outboxColumns+` FROM outbox
		WHERE ($1 = '' OR status = $1) AND ($2 = 0 OR booking_id = $2) AND ($3 = 0 OR id < $3)
		ORDER BY id DESC LIMIT $4`, string(f.Status), f.BookingID, f.BeforeID, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: list outbox: %w", translate(err))
	}
	msgs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.OutboxMessage, error) { return scanOutbox(r) })
	if err != nil {
		return nil, fmt.Errorf("storage: list outbox: %w", err)
	}
	return msgs, nil
}

// OutboxByID returns message id without its sealed token. ENOTFOUND when
// there is none.
func (s *Store) OutboxByID(ctx context.Context, id int64) (*booking.OutboxMessage, error) {
	m, err := scanOutbox(s.db.QueryRow(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = $1`, id))
	if booking.ErrorCode(err) == booking.ENOTFOUND {
		return nil, booking.Errorf(booking.ENOTFOUND, "There is no such message.")
	}
	if err != nil {
		return nil, fmt.Errorf("storage: outbox %d: %w", id, err)
	}
	return &m, nil
}

// PurgeMailTokens erases the sealed tokens nothing will send any more:
// those of messages whose booking has started or is no longer confirmed,
// where the private link can no longer change anything. It returns how
// many it erased.
func (s *Store) PurgeMailTokens(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.db.Exec(ctx, `
		UPDATE outbox o SET sealed_token = NULL FROM bookings b
		WHERE o.booking_id = b.id AND o.sealed_token IS NOT NULL
			AND (b.status <> 'confirmed' OR b.starts_at <= $1 OR o.status IN ('sent', 'skipped'))`, now)
	if err != nil {
		return 0, fmt.Errorf("storage: purge mail tokens: %w", translate(err))
	}
	return tag.RowsAffected(), nil
}
