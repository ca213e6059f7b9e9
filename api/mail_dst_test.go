package api_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

// TestOneInstantInEveryOutputAcrossDST books three consultations around
// the hour that 1 November 2026 repeats in Los Angeles (the practice's
// zone) and checks that the API, the email text, the invitation, the
// reminder and the private feed each show the same instant, in the right
// zone with the right offset.
func TestOneInstantInEveryOutputAcrossDST(t *testing.T) {
	ctx := context.Background()
	a := newMailAPI(t, time.Date(2026, 10, 20, 19, 0, 0, 0, time.UTC))
	// Sunday hours 00:00–03:00 wall clock: four real hours that day.
	if _, err := a.pool.Exec(ctx, `INSERT INTO weekly_windows (weekday, start_minute, end_minute) VALUES (0, 0, 180)`); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, zone string
		start      time.Time
		client     string // the time in the client's zone
		practice   string // the time in the practice's zone
		subject    string // the practitioner's subject
	}{
		{"first 01:00, a client in Los Angeles", "America/Los_Angeles", time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC),
			"Sunday 1 November 2026, 01:00–01:20 PDT (UTC-07:00)", "Sunday 1 November 2026, 01:00–01:20 PDT (UTC-07:00)",
			"New consultation booked: Sun 1 Nov, 01:00 PDT"},
		{"across the change, a client in Tokyo", "Asia/Tokyo", time.Date(2026, 11, 1, 8, 40, 0, 0, time.UTC),
			"Sunday 1 November 2026, 17:40–18:00 JST (UTC+09:00)", "Sunday 1 November 2026, 01:40 PDT (UTC-07:00) – 01:00 PST (UTC-08:00)",
			"New consultation booked: Sun 1 Nov, 01:40 PDT"},
		{"second 01:20, a client in Berlin", "Europe/Berlin", time.Date(2026, 11, 1, 9, 20, 0, 0, time.UTC),
			"Sunday 1 November 2026, 10:20–10:40 CET (UTC+01:00)", "Sunday 1 November 2026, 01:20–01:40 PST (UTC-08:00)",
			"New consultation booked: Sun 1 Nov, 01:20 PST"},
	}
	secret, err := a.store.RotateFeedSecret(ctx, a.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, c := range cases {
		// The API: the instant in UTC, and the zone the client chose.
		r := a.do("POST", "/api/v1/bookings", map[string]string{
			"start": c.start.Format(time.RFC3339), "name": "Client " + c.zone, "email": "client@example.org", "timezone": c.zone,
		}, nil)
		var b bookingBody
		r.decode(t, &b)
		if r.Status != 201 || !b.Start.Equal(c.start) || b.TimeZone != c.zone {
			t.Fatalf("%s: booked %d %s", c.name, r.Status, r.Body)
		}
		tokens[c.name] = b.token()
		r = a.do("GET", "/api/v1/bookings/"+b.token(), nil, nil)
		r.decode(t, &b)
		if !b.Start.Equal(c.start) || !b.End.Equal(c.start.Add(20*time.Minute)) {
			t.Errorf("%s: read back %s–%s", c.name, b.Start, b.End)
		}
	}

	msgs := a.deliver(0)
	if len(msgs) != 6 {
		t.Fatalf("%d messages, want a confirmation and a notice for each of 3 bookings", len(msgs))
	}
	for _, c := range cases {
		m := mailWith(t, msgs, "Client "+c.zone, "is confirmed")
		if !strings.Contains(m.Text, c.client) || !strings.Contains(m.Text, c.practice) {
			t.Errorf("%s: confirmation text lacks %q or %q:\n%s", c.name, c.client, c.practice, m.Text)
		}
		if !strings.Contains(m.Text, "/manage/"+tokens[c.name]) {
			t.Errorf("%s: confirmation lacks its manage link", c.name)
		}
		ev := invitationEvent(t, m.Calendar)
		if got, err := ev.DateTimeStart(time.UTC); err != nil || !got.Equal(c.start) {
			t.Errorf("%s: invitation DTSTART %s (%v), want %s", c.name, got, err, c.start)
		}
		n := mailWith(t, msgs, "Client "+c.zone, c.subject)
		if !strings.Contains(n.Text, c.practice) {
			t.Errorf("%s: practitioner notice lacks %q", c.name, c.practice)
		}
	}
	if m := mailWith(t, msgs, "Client America/Los_Angeles", "is confirmed"); !strings.Contains(m.Text, "which is also the practice's time zone") {
		t.Errorf("a client in the practice's zone is shown two times:\n%s", m.Text)
	}

	// The reminders, 24 hours before each: the same instants again.
	a.clock.Set(time.Date(2026, 10, 31, 9, 20, 0, 0, time.UTC))
	reminders := a.deliver(6)
	if len(reminders) != 3 {
		t.Fatalf("%d reminders, want 3", len(reminders))
	}
	for _, c := range cases {
		m := mailWith(t, reminders, "Client "+c.zone, "Reminder")
		if !strings.Contains(m.Text, c.client) {
			t.Errorf("%s: reminder lacks %q:\n%s", c.name, c.client, m.Text)
		}
	}

	// The practitioner's feed: the same instants, by the invitations' UIDs.
	r := a.do("GET", "/calendar/bookings/"+secret+".ics", nil, nil)
	if r.Status != 200 {
		t.Fatalf("bookings feed: %d %s", r.Status, r.Body)
	}
	cal, err := ical.NewDecoder(bytes.NewReader(r.Body)).Decode()
	if err != nil {
		t.Fatalf("feed does not parse: %v", err)
	}
	starts := map[string]time.Time{}
	for _, ev := range cal.Events() {
		uid, _ := ev.Props.Text(ical.PropUID)
		starts[uid], _ = ev.DateTimeStart(time.UTC)
	}
	for _, c := range cases {
		m := mailWith(t, msgs, "Client "+c.zone, "is confirmed")
		uid, _ := invitationEvent(t, m.Calendar).Props.Text(ical.PropUID)
		if got, ok := starts[uid]; !ok || !got.Equal(c.start) {
			t.Errorf("%s: feed has %s for %s, want %s", c.name, got, uid, c.start)
		}
	}
}

// mailWith returns the one message whose text mentions who and whose
// subject contains subject.
func mailWith(t *testing.T, msgs []parsedMail, who, subject string) parsedMail {
	t.Helper()
	var found []parsedMail
	for _, m := range msgs {
		if strings.Contains(m.Text, who) && strings.Contains(decodeSubject(m), subject) {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d messages about %q with subject %q", len(found), who, subject)
	}
	return found[0]
}

func invitationEvent(t *testing.T, data []byte) *ical.Event {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil || len(cal.Events()) != 1 {
		t.Fatalf("invitation: %v\n%s", err, data)
	}
	return &cal.Events()[0]
}
