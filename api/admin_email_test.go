package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"consult/api"
	"consult/booking"
	"consult/notify"
	"consult/notify/smtptest"
)

// mailWorker is a worker on the admin test's database and clock; with
// no SMTP server (srv nil) it only keeps messages, as without SMTP_URL.
func (a *adminTest) mailWorker(srv *smtptest.Server) *notify.Worker {
	a.t.Helper()
	deps := notify.Deps{Store: a.store, Now: a.clock.Now}
	if srv != nil {
		sender, err := notify.NewSMTPSender(srv.URL())
		if err != nil {
			a.t.Fatal(err)
		}
		deps.Sender = sender
	}
	w, err := notify.New(notify.Config{From: "bookings@consult.test", BaseURL: "http://consult.test"}, deps)
	if err != nil {
		a.t.Fatal(err)
	}
	return w
}

// outboxMessage reads one message's state from the database.
func (a *adminTest) outboxMessage(kind string) booking.OutboxMessage {
	a.t.Helper()
	var m booking.OutboxMessage
	var status string
	err := a.pool.QueryRow(context.Background(), `SELECT id, status, attempts, send_after FROM outbox WHERE kind = $1`, kind).
		Scan(&m.ID, &status, &m.Attempts, &m.SendAfter)
	if err != nil {
		a.t.Fatal(err)
	}
	m.Status = booking.OutboxStatus(status)
	return m
}

func TestAdminEmailOutbox(t *testing.T) {
	ctx := context.Background()
	a := newAdminTest(t, api.Config{})
	b := a.mustSignIn()
	wantAdminRedirect(t, b.post("/admin/calendar/settings", url.Values{"event_title": {"Meeting with Dr. Lee"}}), "/admin/calendar")
	bk := a.bookAs(time.Date(2026, 12, 7, 9, 0, 0, 0, adminLA), "Ana López", "ana@example.net", "")

	// A real SMTP server refuses everything for good: both messages due
	// now fail at once; the reminder is not due yet.
	smtp := smtptest.Start(t)
	smtp.RefuseAll(550)
	worker := a.mailWorker(smtp)
	if err := worker.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	conf := a.outboxMessage(booking.MailConfirmation)
	notice := a.outboxMessage(booking.MailPractitionerNew)
	reminder := a.outboxMessage(booking.MailReminder)
	if conf.Status != booking.OutboxFailed || notice.Status != booking.OutboxFailed || reminder.Status != booking.OutboxPending {
		t.Fatalf("after a 550: %s, %s, %s", conf.Status, notice.Status, reminder.Status)
	}

	if p := b.get("/admin"); !strings.Contains(p.Body, `<a href="/admin/email?status=failed">2 emails could not be delivered.</a>`) {
		t.Errorf("overview does not point to the failed emails:\n%s", p.Body)
	}
	list := b.get("/admin/email")
	for _, want := range []string{`<a href="/admin/email?status=failed">Could not be delivered <strong class="count-failed">(2)</strong></a>`,
		fmt.Sprintf(`<a href="/admin/bookings/%d">booking %d</a>`, bk.ID, bk.ID), "Confirmation to client", "New booking, to you",
		"Reminder to client", "550", "6 Dec 2026 09:00 PST", // the reminder's next attempt
		"<strong>Could not be delivered</strong>", "<strong>Waiting to be sent</strong>, next try 6 Dec 2026 09:00 PST",
		"<details><summary>Details</summary>",
	} {
		if !strings.Contains(list.Body, want) {
			t.Errorf("email list lacks %q", want)
		}
	}
	if list.Status != http.StatusOK || strings.Count(list.Body, `<tr class="failed">`) != 2 || strings.Count(list.Body, ">Send again</button>") != 2 ||
		strings.Contains(list.Body, "ana@example.net") || strings.Contains(list.Body, "López") {
		t.Fatalf("email list: %d\n%s", list.Status, list.Body)
	}
	if p := b.get("/admin/email?status=failed"); strings.Count(p.Body, `<tr class="failed">`) != 2 || strings.Contains(p.Body, "Reminder to client") ||
		!strings.Contains(p.Body, `<a href="/admin/email?status=failed" aria-current="page">`) {
		t.Errorf("failed tab:\n%s", p.Body)
	}
	if p := b.get(fmt.Sprintf("/admin/email?before=%d", reminder.ID)); strings.Contains(p.Body, "Reminder to client") ||
		strings.Count(p.Body, "<tr") != 3 || !strings.Contains(p.Body, `<a href="/admin/email">Newest</a>`) {
		t.Errorf("page before the newest message:\n%s", p.Body)
	}
	if p := b.get("/admin/email?status=bogus"); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "no such list") {
		t.Errorf("unknown status: %d\n%s", p.Status, p.Body)
	}

	// Send again: the message is due now with a fresh count, and goes out
	// once the server accepts mail.
	wantAdminRedirect(t, b.post(fmt.Sprintf("/admin/email/%d/retry", conf.ID), url.Values{"from": {"list"}, "status": {"failed"}}), "/admin/email?status=failed")
	if got := a.outboxMessage(booking.MailConfirmation); got.Status != booking.OutboxPending || got.Attempts != 0 || !got.SendAfter.Equal(testNow) {
		t.Fatalf("after Send again: %+v", got)
	}
	if p := b.get("/admin/email?status=failed"); !strings.Contains(p.Body, fmt.Sprintf("Message %d is queued to be sent again.", conf.ID)) ||
		strings.Count(p.Body, `<tr class="failed">`) != 1 {
		t.Errorf("failed tab after Send again:\n%s", p.Body)
	}
	// Pressing it twice changes nothing and says why.
	wantAdminRedirect(t, b.post(fmt.Sprintf("/admin/email/%d/retry", conf.ID), nil), fmt.Sprintf("/admin/email/%d", conf.ID))
	if got := a.outboxMessage(booking.MailConfirmation); got.Status != booking.OutboxPending {
		t.Fatalf("second Send again: %s", got.Status)
	}
	if p := b.post("/admin/email/999999/retry", nil); p.Status != http.StatusNotFound {
		t.Errorf("Send again for no message: %d", p.Status)
	}
	if p := b.post(fmt.Sprintf("/admin/email/%d/retry", notice.ID), url.Values{"csrf": {"forged"}}); p.Status != http.StatusForbidden ||
		a.outboxMessage(booking.MailPractitionerNew).Status != booking.OutboxFailed {
		t.Errorf("Send again without the form's token: %d", p.Status)
	}
	smtp.RefuseAll(0)
	if err := worker.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got := smtp.Messages()
	if len(got) != 1 || a.outboxMessage(booking.MailConfirmation).Status != booking.OutboxSent || !slices.Equal(got[0].To, []string{"ana@example.net"}) {
		t.Fatalf("after Send again the server got %d message(s)", len(got))
	}
	parsed, err := got[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	if s := inviteSummary(t, parsed.Calendar); s != "Meeting with Dr. Lee" {
		t.Errorf("emailed invitation SUMMARY %q, want the practice's wording", s)
	}

	// Viewing a message shows the client's data, and is audited.
	before := len(a.auditActions())
	view := b.get(fmt.Sprintf("/admin/email/%d", conf.ID))
	for _, want := range []string{"is confirmed", "ana@example.net", "Ana López",
		"SUMMARY:Meeting with Dr. Lee", "HTML part (source)", "&lt;"} {
		if !strings.Contains(view.Body, want) {
			t.Errorf("message view lacks %q", want)
		}
	}
	if view.Status != http.StatusOK || strings.Contains(view.Body, ">Send again</button>") {
		t.Errorf("view of a sent message: %d, or it offers Send again", view.Status)
	}
	if actions := a.auditActions(); len(actions) != before+1 || actions[before] != fmt.Sprintf("email.view outbox:%d", conf.ID) {
		t.Errorf("audit log after viewing: %q", actions[before:])
	}
	if p := b.get("/admin/email/999999"); p.Status != http.StatusNotFound || len(a.auditActions()) != before+1 {
		t.Errorf("view of no message: %d, or it was audited", p.Status)
	}
	if !slices.Contains(a.auditActions(), fmt.Sprintf("email.retry outbox:%d", conf.ID)) {
		t.Errorf("Send again not audited: %q", a.auditActions())
	}

	// Without SMTP_URL a message is kept ("logged"), and can be sent again too.
	wantAdminRedirect(t, b.post(fmt.Sprintf("/admin/email/%d/retry", notice.ID), nil), fmt.Sprintf("/admin/email/%d", notice.ID))
	if err := a.mailWorker(nil).RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	logged := b.get("/admin/email?status=logged")
	if a.outboxMessage(booking.MailPractitionerNew).Status != booking.OutboxLogged || !strings.Contains(logged.Body, "no mail server (SMTP_URL)") ||
		strings.Count(logged.Body, ">Send again</button>") != 1 || !strings.Contains(logged.Body, "New booking, to you") {
		t.Errorf("kept messages:\n%s", logged.Body)
	}
	if p := b.get(fmt.Sprintf("/admin/email/%d", notice.ID)); !strings.Contains(p.Body, ">Send again</button>") {
		t.Error("the view of a kept message offers no Send again")
	}
}

// inviteSummary parses an invitation and returns its event's SUMMARY.
func inviteSummary(t *testing.T, data []byte) string {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		t.Fatalf("invitation: %v", err)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("invitation has %d events", len(evs))
	}
	return feedProp(t, evs[0], ical.PropSummary)
}
