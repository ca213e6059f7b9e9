package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"consult/booking"
	"consult/notify"
)

func TestTemporaryRefusalIsRetriedAndDeliveredOnce(t *testing.T) {
	e := newEnv(t)
	e.smtp.RefuseNext(3, 451)
	b, _ := e.book(e.slot("2026-12-03", 0))
	e.run() // both refused once
	if n := len(e.smtp.Messages()); n != 0 {
		t.Fatalf("%d messages accepted while refusing", n)
	}
	failed, err := e.store.ListOutbox(e.ctx, booking.OutboxFilter{BookingID: b.ID, Status: booking.OutboxPending})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range failed {
		if m.Kind == booking.MailReminder {
			continue
		}
		if m.Attempts != 1 || !strings.Contains(m.LastError, "451") || !m.SendAfter.After(start) {
			t.Errorf("after a 451: %+v; want pending, 1 attempt, the error, a later retry", m)
		}
	}
	e.run() // nothing is due again yet
	if n := len(e.smtp.Messages()); n != 0 {
		t.Fatalf("retried before the backoff: %d messages", n)
	}
	// Backoff: about a minute after the first attempt, two after the second.
	e.clock.Advance(70 * time.Second)
	e.run() // one is refused again (the third refusal), the other goes
	if n := len(e.smtp.Messages()); n != 1 {
		t.Fatalf("after the first retry: %d messages, want 1", n)
	}
	e.clock.Advance(70 * time.Second)
	e.run()
	if n := len(e.smtp.Messages()); n != 1 {
		t.Fatalf("retried before the doubled backoff: %d messages", n)
	}
	e.clock.Advance(70 * time.Second)
	e.run()
	e.clock.Advance(time.Hour)
	e.run()
	msgs := e.received()
	if len(msgs) != 2 {
		t.Fatalf("%d messages delivered, want each of 2 exactly once", len(msgs))
	}
	ids := map[string]bool{}
	for _, m := range msgs {
		ids[m.Header.Get("Message-ID")] = true
	}
	sent, _ := e.store.ListOutbox(e.ctx, booking.OutboxFilter{BookingID: b.ID, Status: booking.OutboxSent})
	attempts := 0
	for _, m := range sent {
		attempts += m.Attempts
		if m.LastError != "" || !ids["<"+m.MessageID+">"] {
			t.Errorf("sent after retries: %+v", m)
		}
	}
	if len(sent) != 2 || attempts != 5 {
		t.Errorf("%d sent after %d attempts in all, want 2 after 5 (3 refused)", len(sent), attempts)
	}
}

func TestPermanentRefusalFailsAtOnceAndCanBeRetried(t *testing.T) {
	e := newEnv(t)
	e.smtp.RefuseAll(550)
	b, _ := e.book(e.slot("2026-12-03", 0))
	e.run()
	failed, err := e.worker.ListOutbox(e.ctx, booking.OutboxFilter{Status: booking.OutboxFailed})
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 2 {
		t.Fatalf("%d failed messages, want the confirmation and the notice", len(failed))
	}
	for _, m := range failed {
		if m.Attempts != 1 || !strings.Contains(m.LastError, "550") || m.BookingID != b.ID {
			t.Errorf("failed message %+v; want 1 attempt and the 550", m)
		}
		if strings.Contains(m.LastError, "@") {
			t.Errorf("last error holds an address: %q", m.LastError)
		}
	}
	e.clock.Advance(24 * time.Hour)
	e.run()
	if n := len(e.smtp.Messages()); n != 0 {
		t.Fatalf("a failed message was tried again on its own: %d", n)
	}

	// The admin's retry button.
	e.smtp.RefuseAll(0)
	for _, m := range failed {
		if err := e.worker.RetryOutbox(e.ctx, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	e.run()
	if n := len(e.smtp.Messages()); n != 2 {
		t.Fatalf("%d messages after the retry, want 2", n)
	}
	conf := only(t, e.received(), "is confirmed")
	if !strings.Contains(conf.Text, baseURL+"/manage/") {
		t.Error("a retried confirmation lost the private link")
	}
	if err := e.worker.RetryOutbox(e.ctx, failed[0].ID); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Errorf("retry of a sent message: %v, want ECONFLICT", err)
	}
}

func TestTemporaryFailuresFailAfterTheLastAttempt(t *testing.T) {
	e := newEnv(t, func(c *notify.Config, _ *notify.Deps) { c.MaxAttempts = 3 })
	e.smtp.RefuseAll(421)
	b, _ := e.book(e.slot("2026-12-03", 0))
	for range 5 {
		e.run()
		e.clock.Advance(time.Hour)
	}
	st := e.status(b.ID)
	if st[booking.MailConfirmation] != "failed" || st[booking.MailPractitionerNew] != "failed" {
		t.Fatalf("after 3 temporary refusals: %v", st)
	}
	failed, _ := e.store.ListOutbox(e.ctx, booking.OutboxFilter{Status: booking.OutboxFailed})
	for _, m := range failed {
		if m.Attempts != 3 || !strings.Contains(m.LastError, "gave up after 3 attempts") {
			t.Errorf("failed message %+v", m)
		}
	}
}

func TestUnreachableServerIsATemporaryFailure(t *testing.T) {
	e := newEnv(t, func(_ *notify.Config, d *notify.Deps) {
		s, err := notify.NewSMTPSender("smtp://127.0.0.1:1") // nothing listens on port 1
		if err != nil {
			t.Fatal(err)
		}
		d.Sender = s
	})
	b, _ := e.book(e.slot("2026-12-03", 0))
	e.run()
	if st := e.status(b.ID)[booking.MailConfirmation]; st != "pending" {
		t.Fatalf("confirmation is %q after a refused connection, want pending", st)
	}
}

func TestMessageOfACrashedWorkerIsSentAfterItsLease(t *testing.T) {
	e := newEnv(t, func(c *notify.Config, _ *notify.Deps) { c.Lease = 5 * time.Minute })
	b, _ := e.book(e.slot("2026-12-03", 0))
	// A worker claims a message and dies before sending it.
	if got, err := e.store.ClaimOutbox(e.ctx, e.clock.Now(), 5*time.Minute, 1); err != nil || len(got) != 1 {
		t.Fatalf("claim: %v, %d", err, len(got))
	}
	e.run()
	if n := len(e.smtp.Messages()); n != 1 {
		t.Fatalf("%d messages while the dead worker's lease runs, want only the other one", n)
	}
	// After a restart, once the lease is over, it goes out.
	e.clock.Advance(5 * time.Minute)
	e.run()
	if n := len(e.smtp.Messages()); n != 2 {
		t.Fatalf("%d messages after the lease, want 2", n)
	}
	if st := e.status(b.ID); st[booking.MailConfirmation] != "sent" || st[booking.MailPractitionerNew] != "sent" {
		t.Fatalf("statuses %v", st)
	}
}

// cancelAfterFirst is a Sender that cancels the worker's context once it
// has delivered one message, as a shutdown would.
type cancelAfterFirst struct {
	notify.Sender
	cancel context.CancelFunc
}

func (c cancelAfterFirst) Send(ctx context.Context, m *notify.Message) error {
	err := c.Sender.Send(ctx, m)
	c.cancel()
	return err
}

func TestShutdownStopsBetweenMessages(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := newEnv(t, func(_ *notify.Config, d *notify.Deps) { d.Sender = cancelAfterFirst{d.Sender, cancel} })
	b, _ := e.book(e.slot("2026-12-03", 0))
	if err := e.worker.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(e.smtp.Messages()); n != 1 {
		t.Fatalf("%d messages sent across the shutdown, want 1", n)
	}
	st := e.status(b.ID)
	if st[booking.MailConfirmation]+st[booking.MailPractitionerNew] != "sentpending" {
		t.Fatalf("statuses %v: the one in flight must be recorded sent, the other left pending", st)
	}
	// The next start sends the rest.
	e.run()
	if n := len(e.smtp.Messages()); n != 2 {
		t.Fatalf("%d messages after the restart, want 2", n)
	}
}

func TestWithoutSMTPMessagesAreKeptAndReadable(t *testing.T) {
	e := newEnv(t, func(_ *notify.Config, d *notify.Deps) { d.Sender = nil })
	b, token := e.book(e.slot("2026-12-03", 0))
	e.run()
	kept, err := e.worker.ListOutbox(e.ctx, booking.OutboxFilter{Status: booking.OutboxLogged})
	if err != nil || len(kept) != 2 {
		t.Fatalf("logged messages: %d, %v; want 2", len(kept), err)
	}
	for _, pii := range []string{"Ada", "ada@example.org", "medication", token} {
		if strings.Contains(e.logs.String(), pii) {
			t.Errorf("the log holds %q:\n%s", pii, e.logs)
		}
	}
	if !strings.Contains(e.logs.String(), "outbox_id=") || !strings.Contains(e.logs.String(), "kind=confirmation") {
		t.Errorf("the log does not say which message was kept:\n%s", e.logs)
	}
	for _, m := range kept {
		r, err := e.worker.RenderMessage(e.ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Subject == "" || r.Text == "" || r.HTML == "" || r.Status != booking.OutboxLogged {
			t.Errorf("rendered %s: %+v", m.Kind, r)
		}
		if strings.Contains(r.Text, token) {
			t.Errorf("the admin view of %s shows the client's manage token", m.Kind)
		}
		if m.Kind == booking.MailConfirmation && (r.Method != "REQUEST" || len(r.Invitation) == 0 || !strings.Contains(r.To, "ada@example.org")) {
			t.Errorf("rendered confirmation: method %q, %d bytes of invitation, to %q", r.Method, len(r.Invitation), r.To)
		}
	}
	// Once a server is configured, the admin can send one.
	if err := e.worker.RetryOutbox(e.ctx, kept[0].ID); err != nil {
		t.Fatal(err)
	}
	if st := e.status(b.ID); !strings.Contains(st[kept[0].Kind], "pending") {
		t.Errorf("after retry: %v", st)
	}
	if _, err := e.worker.RenderMessage(e.ctx, 999999); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Errorf("render of a missing message: %v, want ENOTFOUND", err)
	}
}

// TestKeptMessageSentLaterCarriesTheLink: a confirmation kept while no SMTP
// server was configured still holds the client's private link when the
// admin sends it later; sent after the consultation began, it is skipped.
func TestKeptMessageSentLaterCarriesTheLink(t *testing.T) {
	e := newEnv(t, func(_ *notify.Config, d *notify.Deps) { d.Sender = nil })
	_, token := e.book(e.slot("2026-12-03", 0))
	e.run()
	kept, err := e.worker.ListOutbox(e.ctx, booking.OutboxFilter{Status: booking.OutboxLogged})
	if err != nil {
		t.Fatal(err)
	}
	var conf booking.OutboxMessage
	for _, m := range kept {
		if m.Kind == booking.MailConfirmation {
			conf = m
		}
	}
	if conf.ID == 0 {
		t.Fatalf("no kept confirmation among %d messages", len(kept))
	}
	sender, err := notify.NewSMTPSender(e.smtp.URL())
	if err != nil {
		t.Fatal(err)
	}
	withSMTP, err := notify.New(notify.Config{From: mailFrom, PractitionerEmail: practitioner, BaseURL: baseURL},
		notify.Deps{Store: e.store, Sender: sender, Keys: e.keys, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := withSMTP.RetryOutbox(e.ctx, conf.ID); err != nil {
		t.Fatal(err)
	}
	if err := withSMTP.RunOnce(e.ctx); err != nil {
		t.Fatal(err)
	}
	got := e.received()
	if len(got) != 1 || !strings.Contains(got[0].Text, "/manage/"+token) {
		t.Fatalf("the confirmation sent later does not carry the private link (%d messages)", len(got))
	}

	// The practitioner's notice, sent again only after the consultation
	// began, is still sent; a client's invitation for a past event is not.
	e2 := newEnv(t, func(_ *notify.Config, d *notify.Deps) { d.Sender = nil })
	b2, _ := e2.book(e2.slot("2026-12-03", 0))
	e2.run()
	kept, _ = e2.worker.ListOutbox(e2.ctx, booking.OutboxFilter{Status: booking.OutboxLogged})
	e2.clock.Set(b2.Start.Add(time.Minute))
	sender2, _ := notify.NewSMTPSender(e2.smtp.URL())
	late, err := notify.New(notify.Config{From: mailFrom, PractitionerEmail: practitioner, BaseURL: baseURL},
		notify.Deps{Store: e2.store, Sender: sender2, Keys: e2.keys, Now: e2.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range kept {
		if err := late.RetryOutbox(e2.ctx, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := late.RunOnce(e2.ctx); err != nil {
		t.Fatal(err)
	}
	if st := e2.status(b2.ID); !strings.Contains(st[booking.MailConfirmation], "skipped") {
		t.Errorf("a confirmation for a consultation that has begun was not skipped: %v", st)
	}

}
