package notify

import (
	"context"
	"log/slog"
	"net/mail"
	"time"

	"consult/booking"
	"consult/web/i18n"
)

// deliverWaitlist sends the request to confirm a waitlist entry: about no
// booking, to the person who asked, while the entry is unconfirmed.
func (w *Worker) deliverWaitlist(ctx context.Context, log *slog.Logger, m booking.OutboxMessage) {
	settle := func(err error) {
		if err != nil {
			log.Error("mail worker: record outcome", "error", err)
		}
	}
	e, err := w.store.WaitlistEntryByID(ctx, m.WaitlistEntryID)
	switch {
	case booking.ErrorCode(err) == booking.ENOTFOUND:
		settle(w.store.CloseOutbox(ctx, m.ID, m.Attempts, booking.OutboxSkipped, "the waitlist entry is gone"))
		return
	case err != nil:
		w.retry(ctx, log, m, err)
		return
	case e.Status != booking.WaitlistUnconfirmed:
		settle(w.store.CloseOutbox(ctx, m.ID, m.Attempts, booking.OutboxSkipped, "the waitlist entry was confirmed or ended"))
		return
	}
	if w.sender == nil {
		log.Info("mail kept in the outbox, not sent: no SMTP_URL")
		settle(w.store.CloseOutbox(ctx, m.ID, m.Attempts, booking.OutboxLogged, notSentReason))
		return
	}
	token := ""
	if m.MailToken != nil && w.keys != nil {
		if token, err = w.keys.OpenToken(m.MailToken); err != nil {
			log.Warn("waitlist mail not sent: sealed token does not open with the mail keys")
			settle(w.store.CloseOutbox(ctx, m.ID, m.Attempts, booking.OutboxFailed, "the link could not be unsealed"))
			return
		}
	}
	now := w.now().UTC()
	msg, err := w.renderWaitlist(ctx, m, e, token, now)
	if err != nil {
		w.retry(ctx, log, m, err)
		return
	}
	w.send(ctx, log, m, msg, now)
}

// renderWaitlist builds waitlist message m for entry e; token is the
// entry's private token.
func (w *Worker) renderWaitlist(ctx context.Context, m booking.OutboxMessage, e *booking.WaitlistEntry, token string, at time.Time) (*Message, error) {
	settings, err := w.settings(ctx)
	if err != nil {
		return nil, err
	}
	// As for bookings, the client's inbox reads the sender name, never
	// the practice name (Settings.SenderName), in the language they asked
	// in.
	lang := i18n.OrDefault(e.Language)
	sender, replyTo := senderName(settings, lang), w.practitioner.Address
	if settings.Profile.ContactEmail != "" {
		replyTo = settings.Profile.ContactEmail
	}
	v := view{Lang: lang, Practice: sender, BaseURL: w.base.String(), Name: e.Name, Greeting: greetingName(e.Name),
		Message: describeWishes(lang, *e)}
	if token != "" {
		v.ManageURL = w.base.String() + "/waitlist/" + token
	}
	msg := &Message{
		From:      mail.Address{Name: sender, Address: w.from.Address},
		To:        mail.Address{Name: v.Greeting, Address: e.Email},
		ReplyTo:   &mail.Address{Name: sender, Address: replyTo},
		Date:      at.UTC(),
		MessageID: w.messageID(m),
		Language:  lang,
	}
	if msg.Subject, msg.Text, msg.HTML, err = w.tmpl.execute(m.Kind, v); err != nil {
		return nil, err
	}
	return msg, nil
}
