package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"slices"
	"time"

	"consult/booking"
)

// PermanentError marks a delivery failure that trying again cannot fix,
// such as a 5xx refusal: the message fails at once.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// purgeEvery is how often Run erases sealed tokens nothing will send.
const purgeEvery = 5 * time.Minute

// Run delivers due messages until ctx ends, looking every PollInterval.
// It stops between messages: one being sent when ctx ends is finished
// (within SendTimeout) and recorded. Errors are logged, not returned, so
// a database outage only delays mail.
func (w *Worker) Run(ctx context.Context) error {
	tick := time.NewTicker(w.cfg.PollInterval)
	defer tick.Stop()
	var purged time.Time
	for {
		if err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.logger.Error("mail worker", "error", redact(err.Error()))
		}
		if now := w.now(); now.Sub(purged) >= purgeEvery && ctx.Err() == nil {
			if n, err := w.store.PurgeMailTokens(ctx, now.UTC()); err != nil {
				w.logger.Error("mail worker: purge sealed tokens", "error", err)
			} else if n > 0 {
				w.logger.Info("mail worker: erased sealed tokens no longer needed", "count", n)
			}
			purged = now
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// RunOnce delivers every message due now, one at a time, and returns when
// none is left, or when ctx ends (between two messages). Messages that
// fail temporarily are due again later, not within this call.
func (w *Worker) RunOnce(ctx context.Context) error {
	// Each message is claimed just before it is sent, so a slow SMTP
	// server cannot outlast the leases of messages waiting their turn.
	// Without one nothing is sent and each message takes a moment, so
	// they are claimed by the batch: a claim per message was a third of
	// the worker's queries while bookings came in quickly.
	claim := 1
	if w.sender == nil {
		claim = unsentClaim
	}
	for ctx.Err() == nil {
		msgs, err := w.store.ClaimOutbox(ctx, w.now().UTC(), w.cfg.Lease, claim)
		if err != nil {
			return err
		}
		if len(msgs) == 0 {
			return nil
		}
		batch := w.newBatch(ctx, msgs)
		for _, m := range msgs {
			w.deliver(ctx, m, batch)
		}
		w.recordKept(ctx, batch.kept)
		w.recordSkipped(ctx, batch.stale)
	}
	return nil
}

// claimBatch is what the messages of one claim share. Each message read
// its booking, a query of its own; and without SMTP every
// message was recorded as kept by a statement of its own, a backlog of
// thousands (make bench's mixed load) taking the database's time long
// after.
type claimBatch struct {
	bookings map[int64]*booking.Booking // read for the batch; nil: gone
	kept     []booking.OutboxMessage    // kept unsent, recorded together
	stale    []staleMessage             // skipped, recorded together
}

// staleMessage is a claimed message no longer worth sending, and why.
type staleMessage struct {
	m   booking.OutboxMessage
	why string
}

// newBatch reads the bookings of a claim's messages in one query. When
// that read fails, each message reads its booking itself, and retries
// on its own if that fails too.
func (w *Worker) newBatch(ctx context.Context, msgs []booking.OutboxMessage) *claimBatch {
	batch := &claimBatch{}
	var ids []int64
	for _, m := range msgs {
		if m.BookingID != 0 && !slices.Contains(ids, m.BookingID) {
			ids = append(ids, m.BookingID)
		}
	}
	if len(ids) == 0 {
		return batch
	}
	found, err := w.store.BookingsByID(ctx, ids)
	if err != nil {
		return batch
	}
	for _, id := range ids {
		if _, ok := found[id]; !ok {
			found[id] = nil // read, and gone
		}
	}
	batch.bookings = found
	return batch
}

// bookingOf returns booking id from the batch's read, else reads it;
// each caller gets a copy of its own. ENOTFOUND when there is none.
func (w *Worker) bookingOf(ctx context.Context, id int64, batch *claimBatch) (*booking.Booking, error) {
	b, read := batch.bookings[id]
	switch {
	case !read:
		return w.store.BookingByID(ctx, id)
	case b == nil:
		return nil, booking.Errorf(booking.ENOTFOUND, "There is no such booking.")
	}
	cp := *b
	return &cp, nil
}

// recordKept records the messages kept unsent for want of SMTP_URL.
func (w *Worker) recordKept(ctx context.Context, kept []booking.OutboxMessage) {
	if len(kept) == 0 {
		return
	}
	ids, attempts := make([]int64, len(kept)), make([]int, len(kept))
	for i, m := range kept {
		ids[i], attempts[i] = m.ID, m.Attempts
	}
	w.recordBatch(ctx, len(kept), func(ctx context.Context) (int64, error) {
		return w.store.KeepOutbox(ctx, ids, attempts, notSentReason)
	})
}

// recordSkipped records the messages of a batch found stale. make
// bench's mixed load cancels half its bookings, and their messages were
// skipped by a statement each.
func (w *Worker) recordSkipped(ctx context.Context, stale []staleMessage) {
	if len(stale) == 0 {
		return
	}
	ids, attempts, reasons := make([]int64, len(stale)), make([]int, len(stale)), make([]string, len(stale))
	for i, s := range stale {
		ids[i], attempts[i], reasons[i] = s.m.ID, s.m.Attempts, s.why
	}
	w.recordBatch(ctx, len(stale), func(ctx context.Context) (int64, error) {
		return w.store.SkipOutbox(ctx, ids, attempts, reasons)
	})
}

// recordBatch runs record, which settles n claimed messages and says how
// many it found still claimed, past a shutdown as a single outcome is,
// and logs what it could not settle.
func (w *Worker) recordBatch(ctx context.Context, n int, record func(context.Context) (int64, error)) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*w.cfg.SendTimeout)
	defer cancel()
	done, err := record(ctx)
	switch {
	case err != nil:
		w.logger.Error("mail worker: record outcome", "error", err)
	case done < int64(n):
		w.logger.Error("mail worker: record outcome", "error", "some messages are no longer claimed by this worker", "count", int64(n)-done)
	}
}

// notSentReason is what a message kept unsent says of itself.
const notSentReason = "not sent: no SMTP server is configured (SMTP_URL)"

// unsentClaim is how many messages are claimed at once when none is sent.
const unsentClaim = 20

// deliver handles one claimed message to its next state; batch holds
// the bookings its claim's messages read.
func (w *Worker) deliver(ctx context.Context, m booking.OutboxMessage, batch *claimBatch) {
	// The send and the bookkeeping outlive a shutdown that starts while
	// they run, so a message that went out is recorded as sent; but they
	// are bounded, so a hung database cannot hold up the shutdown.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*w.cfg.SendTimeout)
	defer cancel()
	log := w.logger.With("outbox_id", m.ID, "booking_id", m.BookingID, "kind", m.Kind, "attempt", m.Attempts)
	settle := func(err error) {
		if err != nil {
			log.Error("mail worker: record outcome", "error", err)
		}
	}
	if m.Attempts > w.cfg.MaxAttempts {
		// Claimed again and again without an outcome: its worker keeps dying.
		log.Error("mail failed: no outcome after the last attempt")
		settle(w.store.CloseOutbox(ctx, m.ID, m.Attempts, booking.OutboxFailed, "no outcome recorded after the last attempt"))
		return
	}
	if m.Kind == booking.MailSecurity {
		w.deliverSecurity(ctx, log, m)
		return
	}
	if m.Kind == booking.MailWaitlistConfirm {
		w.deliverWaitlist(ctx, log, m)
		return
	}
	var b *booking.Booking
	var err error
	if m.BookingID != 0 {
		b, err = w.bookingOf(ctx, m.BookingID, batch)
	}
	switch {
	case m.BookingID == 0 || booking.ErrorCode(err) == booking.ENOTFOUND:
		log.Info("mail skipped: booking erased")
		settle(w.store.CloseOutbox(ctx, m.ID, m.Attempts, booking.OutboxSkipped, "the booking has been erased"))
		return
	case err != nil:
		w.retry(ctx, log, m, err)
		return
	}
	now := w.now().UTC()
	if why := stale(m, b, now); why != "" {
		log.Info("mail skipped: stale", "reason", why)
		batch.stale = append(batch.stale, staleMessage{m, why})
		return
	}
	if w.sender == nil {
		log.Info("mail kept in the outbox, not sent: no SMTP_URL")
		batch.kept = append(batch.kept, m)
		return
	}
	token := ""
	if m.MailToken != nil && w.keys != nil {
		if token, err = w.keys.OpenToken(m.MailToken); err != nil {
			log.Warn("mail sent without the private link: sealed token does not open with the mail keys")
		}
	}
	msg, err := w.render(ctx, m, b, token, now)
	if err != nil {
		if booking.ErrorCode(err) == booking.EUNAVAILABLE {
			w.retry(ctx, log, m, err)
			return
		}
		log.Error("mail failed: cannot render", "error", redact(err.Error()))
		settle(w.store.CloseOutbox(ctx, m.ID, m.Attempts, booking.OutboxFailed, redact(err.Error())))
		return
	}
	w.send(ctx, log, m, msg, now)
}

// send hands the rendered msg to the SMTP server and records the outcome.
func (w *Worker) send(ctx context.Context, log *slog.Logger, m booking.OutboxMessage, msg *Message, now time.Time) {
	settle := func(err error) {
		if err != nil {
			log.Error("mail worker: record outcome", "error", err)
		}
	}
	sctx, cancel := context.WithTimeout(ctx, w.cfg.SendTimeout)
	err := w.sender.Send(sctx, msg)
	cancel()
	var perm *PermanentError
	switch {
	case err == nil:
		log.Info("mail sent")
		settle(w.store.CompleteOutbox(ctx, m.ID, m.Attempts, now, msg.MessageID))
	case errors.As(err, &perm):
		log.Warn("mail failed: refused permanently", "error", redact(err.Error()))
		settle(w.store.CloseOutbox(ctx, m.ID, m.Attempts, booking.OutboxFailed, redact(err.Error())))
	default:
		w.retry(ctx, log, m, err)
	}
}

// deliverSecurity sends a security notice: about no booking, to the
// practitioner only.
func (w *Worker) deliverSecurity(ctx context.Context, log *slog.Logger, m booking.OutboxMessage) {
	if w.sender == nil {
		log.Info("mail kept in the outbox, not sent: no SMTP_URL")
		if err := w.store.CloseOutbox(ctx, m.ID, m.Attempts, booking.OutboxLogged, notSentReason); err != nil {
			log.Error("mail worker: record outcome", "error", err)
		}
		return
	}
	now := w.now().UTC()
	msg, err := w.renderSecurity(ctx, m, now)
	if err != nil {
		w.retry(ctx, log, m, err)
		return
	}
	w.send(ctx, log, m, msg, now)
}

// retry puts m back in the queue after a temporary failure, with
// exponential backoff, or fails it after the last attempt.
func (w *Worker) retry(ctx context.Context, log *slog.Logger, m booking.OutboxMessage, cause error) {
	reason := redact(cause.Error())
	var err error
	if m.Attempts >= w.cfg.MaxAttempts {
		log.Warn("mail failed: temporary errors until the last attempt", "error", reason)
		err = w.store.CloseOutbox(ctx, m.ID, m.Attempts, booking.OutboxFailed,
			fmt.Sprintf("gave up after %d attempts: %s", m.Attempts, reason))
	} else {
		at := w.now().UTC().Add(w.backoff(m.Attempts))
		log.Warn("mail deferred after a temporary failure", "error", reason, "retry_at", at)
		err = w.store.DeferOutbox(ctx, m.ID, m.Attempts, at, reason)
	}
	if err != nil {
		log.Error("mail worker: record outcome", "error", err)
	}
}

// backoff is the wait after attempt n: RetryBase doubled n-1 times, at
// most RetryMax, plus up to a tenth more so instances that failed together
// do not retry together.
func (w *Worker) backoff(n int) time.Duration {
	d := w.cfg.RetryBase
	for i := 1; i < n && d < w.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, w.cfg.RetryMax)
	return d + rand.N(d/10+1)
}

// stale says why m should not be sent any more, or "". A reminder is only
// for the booking as it was when queued, and only before it starts; a
// confirmation or reschedule notice superseded by a later change is
// replaced by the notice that change queued.
func stale(m booking.OutboxMessage, b *booking.Booking, now time.Time) string {
	switch m.Kind {
	case booking.MailReminder:
		switch {
		case b.Status != booking.StatusConfirmed:
			return "the consultation is no longer confirmed"
		case b.Sequence != m.BookingSequence:
			return "the booking changed after the reminder was queued"
		case !b.Start.After(now):
			return "the consultation has already started"
		}
	case booking.MailConfirmRequest, booking.MailWaitlistOffer:
		if b.Status != booking.StatusHeld || (b.HoldExpires != nil && !b.HoldExpires.After(now)) {
			return "the held time was confirmed or released"
		}
	case booking.MailCancelled:
		if b.Status == booking.StatusConfirmed {
			return "the cancellation was undone"
		}
	case booking.MailConfirmation, booking.MailRescheduled, booking.MailRestored:
		switch {
		case b.Sequence != m.BookingSequence:
			return "superseded by a later change to the booking"
		case !b.Start.After(now):
			// An invitation for a past event (say, a failed message sent
			// again late) would only confuse the client's calendar.
			return "the consultation has already started"
		}
	}
	return ""
}

// addressPattern matches email addresses in server replies, which often
// quote the recipient.
var addressPattern = regexp.MustCompile(`[^\s<>()\[\]",;:]+@[^\s<>()\[\]",;:]+`)

// redact removes email addresses from an error before it is logged or
// stored, and bounds its length.
func redact(s string) string {
	s = addressPattern.ReplaceAllString(s, "<address>")
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}
