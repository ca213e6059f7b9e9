package notify_test

import (
	"html"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"consult/calendar/icaltest"
)

// checkHeaders checks what every message carries.
func checkHeaders(t *testing.T, m mailMsg, sentAt time.Time) {
	t.Helper()
	from, err := mail.ParseAddress(decodeHeader(m.Header.Get("From")))
	if err != nil || from.Name != practiceName || from.Address != mailFrom {
		t.Errorf("From = %q, want %q <%s>", m.Header.Get("From"), practiceName, mailFrom)
	}
	if m.From != mailFrom {
		t.Errorf("envelope sender %q, want %q", m.From, mailFrom)
	}
	date, err := mail.ParseDate(m.Header.Get("Date"))
	if err != nil || !date.Equal(sentAt.Truncate(time.Second)) {
		t.Errorf("Date = %q (%v), want %s", m.Header.Get("Date"), err, sentAt)
	}
	if id := m.Header.Get("Message-ID"); !regexp.MustCompile(`^<outbox-\d+-\d+@harbour\.test>$`).MatchString(id) {
		t.Errorf("Message-ID = %q", id)
	}
	if got := m.Header.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", got)
	}
	if m.Text == "" || m.HTML == "" {
		t.Errorf("%q: text %d bytes, HTML %d bytes; want both", m.subject(), len(m.Text), len(m.HTML))
	}
	if !strings.Contains(m.HTML, "<html") {
		t.Errorf("%q: HTML part is not HTML", m.subject())
	}
	if s := strings.ToLower(m.subject()); strings.Contains(s, "ketamine") || strings.Contains(s, "medication") || strings.Contains(s, "ada") {
		t.Errorf("subject %q names the treatment or the client", m.subject())
	}
}

// checkInvitation checks the text/calendar part and the attached copy and
// returns the event.
func checkInvitation(t *testing.T, m mailMsg, method string) *ical.Event {
	t.Helper()
	ct := strings.ToLower(m.CalendarType)
	if !strings.HasPrefix(ct, "text/calendar;") || !strings.Contains(ct, "method="+strings.ToLower(method)) || !strings.Contains(ct, "charset=utf-8") {
		t.Fatalf("calendar part Content-Type %q, want text/calendar; method=%s; charset=utf-8", m.CalendarType, method)
	}
	got, ev := event(t, m.Calendar)
	if got != method {
		t.Fatalf("METHOD %q, want %s", got, method)
	}
	att, ok := m.Attachments["invite.ics"]
	if !ok || string(att.Data) != string(m.Calendar) {
		t.Errorf("invite.ics attachment missing or different from the calendar part")
	}
	return ev
}

func TestBookRescheduleCancelSendTheirMessages(t *testing.T) {
	e := newEnv(t)
	at := e.slot("2026-12-03", 0) // Thursday 09:00 Los Angeles
	b, token := e.book(at)
	e.run()
	msgs := e.received()
	if len(msgs) != 2 {
		t.Fatalf("after booking: %d messages, want confirmation and practitioner notice", len(msgs))
	}

	conf := only(t, msgs, "is confirmed")
	checkHeaders(t, conf, start)
	if got, want := conf.subject(), "Your consultation on Thu 3 Dec, 18:00 Berlin time (UTC+1) is confirmed"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	if len(conf.To) != 1 || conf.To[0] != "ada@example.org" {
		t.Errorf("confirmation went to %v", conf.To)
	}
	if to, _ := mail.ParseAddress(decodeHeader(conf.Header.Get("To"))); to == nil || to.Address != "ada@example.org" || to.Name != "Ada Lovelace" {
		t.Errorf("To = %q", conf.Header.Get("To"))
	}
	if rt, _ := mail.ParseAddress(decodeHeader(conf.Header.Get("Reply-To"))); rt == nil || rt.Address != practitioner {
		t.Errorf("Reply-To = %q, want the practitioner", conf.Header.Get("Reply-To"))
	}
	manage := baseURL + "/manage/" + token
	for _, want := range []string{
		"Hello Ada Lovelace",
		"Thursday 3 December 2026, 18:00–18:20 (Berlin time, UTC+1)", // the client's zone
		"(your time)",
		"Thursday 3 December 2026, 09:00–09:20 (Los Angeles time, UTC\u22128)", // the practice's
		"(the practice's time)",
		manage,
	} {
		if !strings.Contains(conf.Text, want) {
			t.Errorf("confirmation text lacks %q:\n%s", want, conf.Text)
		}
	}
	if !strings.Contains(conf.HTML, `href="`+manage+`"`) || !strings.Contains(html.UnescapeString(conf.HTML), "18:00–18:20 (Berlin time, UTC+1)") {
		t.Errorf("confirmation HTML lacks the link or the time:\n%s", conf.HTML)
	}
	ev := checkInvitation(t, conf, "REQUEST")
	uid, _ := ev.Props.Text(ical.PropUID)
	if want := "booking-" + itoa(b.ID) + "@harbour.test"; uid != want {
		t.Errorf("UID %q, want %q", uid, want)
	}
	checkEvent(t, ev, at, 0, manage)
	js := icaltest.Check(t, map[string][]byte{"confirmation": conf.Calendar})
	if c, ok := js["confirmation"]; ok {
		if c.Method != "REQUEST" || len(c.Events) != 1 || !c.Events[0].DTStart.Equal(at) || c.Events[0].UID != uid || c.Events[0].Sequence != 0 {
			t.Errorf("ical.js read the confirmation as %+v", c)
		}
	}

	notice := only(t, msgs, "New consultation booked")
	checkHeaders(t, notice, start)
	if len(notice.To) != 1 || notice.To[0] != practitioner {
		t.Errorf("practitioner notice went to %v", notice.To)
	}
	if got, want := notice.subject(), "New consultation booked: Thu 3 Dec, 09:00 Los Angeles time (UTC\u22128)"; got != want {
		t.Errorf("notice subject %q, want %q", got, want)
	}
	for _, want := range []string{"Ada Lovelace", "ada@example.org", "+49 30 1234567", "Private: about my medication", "Berlin time", "09:00–09:20 (Los Angeles time"} {
		if !strings.Contains(notice.Text, want) || !strings.Contains(html.UnescapeString(notice.HTML), want) {
			t.Errorf("practitioner notice lacks %q", want)
		}
	}
	if strings.Contains(notice.Text, token) {
		t.Error("the practitioner notice holds the client's manage token")
	}

	// Reschedule: an updated invitation, same UID, higher SEQUENCE.
	moved := e.slot("2026-12-04", 3)
	if _, err := e.svc.Reschedule(e.ctx, token, moved); err != nil {
		t.Fatal(err)
	}
	e.run()
	msgs = e.received()[2:]
	if len(msgs) != 2 {
		t.Fatalf("after rescheduling: %d new messages, want 2", len(msgs))
	}
	re := only(t, msgs, "has been moved")
	checkHeaders(t, re, start)
	if re.To[0] != "ada@example.org" || !strings.Contains(re.Text, manage) {
		t.Errorf("reschedule notice to %v, link present %v", re.To, strings.Contains(re.Text, manage))
	}
	ev = checkInvitation(t, re, "REQUEST")
	if u, _ := ev.Props.Text(ical.PropUID); u != uid {
		t.Errorf("rescheduled UID %q, want %q", u, uid)
	}
	checkEvent(t, ev, moved, 1, manage)
	only(t, msgs, "Consultation moved to Fri 4 Dec, 10:00 Los Angeles time (UTC\u22128)")

	// Cancel: METHOD:CANCEL, same UID, higher SEQUENCE again.
	if _, err := e.svc.Cancel(e.ctx, token); err != nil {
		t.Fatal(err)
	}
	// Withdrawn at once, not left pending until their time: the
	// practitioner's Email page must not show them as still to go.
	if st := e.status(b.ID)["reminder"]; st != "skippedskipped" {
		t.Errorf("reminders just after cancelling: %q, want both skipped", st)
	}
	e.run()
	msgs = e.received()[4:]
	if len(msgs) != 2 {
		t.Fatalf("after cancelling: %d new messages, want 2", len(msgs))
	}
	gone := only(t, msgs, "has been cancelled")
	checkHeaders(t, gone, start)
	ev = checkInvitation(t, gone, "CANCEL")
	if u, _ := ev.Props.Text(ical.PropUID); u != uid {
		t.Errorf("cancelling UID %q, want %q", u, uid)
	}
	if seq, _ := ev.Props.Get(ical.PropSequence).Int(); seq != 2 {
		t.Errorf("cancel SEQUENCE %d, want 2", seq)
	}
	if st, _ := ev.Status(); st != ical.EventCancelled {
		t.Errorf("cancel STATUS %q", st)
	}
	if strings.Contains(gone.Text, token) || !strings.Contains(gone.Text, baseURL+"/book") {
		t.Error("the cancellation should link to booking anew, not to the dead manage link")
	}
	only(t, msgs, "Consultation cancelled: Fri 4 Dec, 10:00 Los Angeles time (UTC\u22128)")
	js = icaltest.Check(t, map[string][]byte{"moved": re.Calendar, "cancel": gone.Calendar})
	if c, ok := js["cancel"]; ok && (c.Method != "CANCEL" || c.Events[0].Sequence != 2 || c.Events[0].Status != "CANCELLED") {
		t.Errorf("ical.js read the cancellation as %+v", c)
	}
	if c, ok := js["moved"]; ok && (!c.Events[0].DTStart.Equal(moved) || c.Events[0].Sequence != 1) {
		t.Errorf("ical.js read the reschedule as %+v", c)
	}

	// Both reminders are stale now: neither goes out at its time.
	e.clock.Set(moved)
	e.run()
	if n := len(e.received()); n != 6 {
		t.Errorf("%d messages after the reminder times, want 6 (no reminder for a cancelled booking)", n)
	}
	if st := e.status(b.ID)["reminder"]; st != "skippedskipped" {
		t.Errorf("reminders: %q, want both skipped", st)
	}
	if e.logs.Len() == 0 {
		t.Fatal("the worker logged nothing")
	}
	for _, pii := range []string{"Ada", "ada@example.org", "medication", "1234567", token} {
		if strings.Contains(e.logs.String(), pii) {
			t.Errorf("the logs hold personal data %q:\n%s", pii, e.logs)
		}
	}
}

func checkEvent(t *testing.T, ev *ical.Event, at time.Time, seq int, manage string) {
	t.Helper()
	if got, err := ev.DateTimeStart(time.UTC); err != nil || !got.Equal(at) {
		t.Errorf("DTSTART %v (%v), want %s", got, err, at)
	}
	if got, err := ev.DateTimeEnd(time.UTC); err != nil || !got.Equal(at.Add(20*time.Minute)) {
		t.Errorf("DTEND %v (%v), want %s", got, err, at.Add(20*time.Minute))
	}
	if got, _ := ev.Props.Get(ical.PropSequence).Int(); got != seq {
		t.Errorf("SEQUENCE %d, want %d", got, seq)
	}
	if u := ev.Props.Get(ical.PropURL); u == nil || u.Value != manage {
		t.Errorf("URL %v, want the manage link", u)
	}
	if a := ev.Props.Get(ical.PropAttendee); a == nil || a.Value != "mailto:ada@example.org" {
		t.Errorf("ATTENDEE %v", a)
	}
}

func TestReminderGoesOutAtItsTime(t *testing.T) {
	e := newEnv(t)
	at := e.slot("2026-12-04", 0) // Friday 09:00 Los Angeles
	_, token := e.book(at)
	e.run()
	if n := len(e.received()); n != 2 {
		t.Fatalf("%d messages at booking, want 2", n)
	}
	e.clock.Set(at.Add(-24*time.Hour - time.Minute))
	e.run()
	if n := len(e.received()); n != 2 {
		t.Fatalf("the reminder went out early: %d messages", n)
	}
	e.clock.Advance(time.Minute)
	e.run()
	msgs := e.received()
	if len(msgs) != 3 {
		t.Fatalf("%d messages at the reminder time, want 3", len(msgs))
	}
	r := only(t, msgs, "Reminder")
	checkHeaders(t, r, at.Add(-24*time.Hour))
	if got, want := r.subject(), "Reminder: Your consultation on Fri 4 Dec, 18:00 Berlin time (UTC+1)"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	if !strings.Contains(r.Text, baseURL+"/manage/"+token) || !strings.Contains(r.Text, "Friday 4 December 2026, 18:00–18:20 (Berlin time, UTC+1)") {
		t.Errorf("reminder text:\n%s", r.Text)
	}
	var left int
	if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM outbox WHERE sealed_token IS NOT NULL`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d sealed tokens left after every message was sent (err %v)", left, err)
	}
}

func TestRescheduledReminderReplacesTheStaleOne(t *testing.T) {
	e := newEnv(t)
	first := e.slot("2026-12-04", 0)
	_, token := e.book(first)
	later := e.slot("2026-12-08", 0)
	if _, err := e.svc.Reschedule(e.ctx, token, later); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(first.Add(-24 * time.Hour))
	e.run()
	for _, m := range e.received() {
		if strings.HasPrefix(m.subject(), "Reminder") {
			t.Fatalf("the stale reminder for the old time went out: %q", m.subject())
		}
	}
	e.clock.Set(later.Add(-24 * time.Hour))
	e.run()
	r := only(t, e.received(), "Reminder")
	if !strings.Contains(r.Text, "Tuesday 8 December 2026, 18:00–18:20 (Berlin time, UTC+1)") || !strings.Contains(r.Text, baseURL+"/manage/"+token) {
		t.Errorf("reminder for the new time says:\n%s", r.Text)
	}
	// The confirmation was still queued when the booking moved: the
	// reschedule notice replaces it.
	if n := len(e.received()); n != 4 {
		t.Errorf("%d messages, want the reschedule notice, two practitioner notices and the reminder", n)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestSecurityNoticeGoesToThePractitioner(t *testing.T) {
	e := newEnv(t)
	if err := e.store.QueueSecurityNotice(e.ctx, "Two-step sign-in was turned off", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.run()
	msgs := e.received()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want the notice", len(msgs))
	}
	m := only(t, msgs, "Security notice: Two-step sign-in was turned off")
	if len(m.To) != 1 || m.To[0] != practitioner || !strings.Contains(m.Text, "consult admin reset-2fa") {
		t.Errorf("notice to %v:\n%s", m.To, m.Text)
	}
}
