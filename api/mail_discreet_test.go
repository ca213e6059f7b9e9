package api_test

import (
	"context"
	"mime"
	"net/http"
	"strings"
	"testing"

	"consult/booking"
)

// TestInboxesAndCalendarsNeverNameTheTreatment renames the practice to a
// name that names its treatment and books, moves and cancels through a
// real SMTP server: no header of any email (Subject, From, Reply-To, To),
// no line of any invitation or download, and no line of the public feed
// carries the word, until the practitioner chooses it as the sender name
// themselves. Clients' replies go to the practice's contact address.
func TestInboxesAndCalendarsNeverNameTheTreatment(t *testing.T) {
	a := newMailAPI(t, testNow)
	ctx := context.Background()
	st, err := a.store.Schedule(ctx, booking.DateOf(testNow), booking.DateOf(testNow))
	if err != nil {
		t.Fatal(err)
	}
	settings := st.Settings
	settings.PracticeName = "Harbour Ketamine Clinic"
	if err := a.store.UpdateSettings(ctx, settings, testNow); err != nil {
		t.Fatal(err)
	}
	admin := booking.NewAdmin(a.store, a.clock.Now)
	who := booking.Actor{Via: booking.ViaCLI}
	if _, err := admin.SaveProfile(ctx, who, booking.Profile{PractitionerName: "Dr. Ana Ruiz", ContactEmail: "office@harbour.example"}, false); err != nil {
		t.Fatal(err)
	}

	slots := a.slots(wednesday)
	b := a.book(slots[0], "Ada Client")
	msgs := a.deliver(0)
	if r := a.do("POST", "/api/v1/bookings/"+b.token()+"/reschedule", map[string]string{"start": slots[3].Format("2006-01-02T15:04:05Z07:00")}, nil); r.Status != 200 {
		t.Fatalf("reschedule: %d %s", r.Status, r.Body)
	}
	download := a.do("GET", "/manage/"+b.token()+"/consultation.ics", nil, nil)
	if download.Status != 200 {
		t.Fatalf("download: %d", download.Status)
	}
	msgs = append(msgs, a.deliver(len(a.smtp.Messages()))...)
	if r := a.do("DELETE", "/api/v1/bookings/"+b.token(), nil, nil); r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	msgs = append(msgs, a.deliver(len(a.smtp.Messages()))...)
	if len(msgs) < 6 {
		t.Fatalf("%d emails, want the client's and the practitioner's of a booking, a move and a cancellation", len(msgs))
	}
	invitations := 0
	for _, m := range msgs {
		subject := decodeSubject(m)
		for _, h := range []string{"Subject", "From", "Reply-To", "To", "Sender"} {
			v, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get(h))
			if err != nil {
				t.Fatal(err)
			}
			if namesTreatment(v) {
				t.Errorf("%q: %s header %q names the treatment", subject, h, v)
			}
		}
		if len(m.Calendar) > 0 {
			invitations++
			if line := treatmentLine(string(m.Calendar)); line != "" {
				t.Errorf("%q: the invitation holds %q", subject, line)
			}
		}
		if m.To[0] == "client@example.org" {
			if from := m.Header.Get("From"); !strings.Contains(from, "Dr. Ana Ruiz") {
				t.Errorf("%q comes from %q, want the practitioner's name", subject, from)
			}
			if rt := m.Header.Get("Reply-To"); !strings.Contains(rt, "<office@harbour.example>") {
				t.Errorf("%q: Reply-To %q, want the practice's contact address", subject, rt)
			}
			if !strings.HasPrefix(subject, "Your consultation") {
				t.Errorf("subject %q does not start with the default wording", subject)
			}
		}
	}
	if invitations < 3 {
		t.Errorf("%d invitations, want one with each client email about the time", invitations)
	}
	if line := treatmentLine(string(download.Body)); line != "" || !strings.Contains(string(download.Body), "SUMMARY:Consultation with Dr. Ana Ruiz") {
		t.Errorf("the download holds %q, or not the neutral title:\n%s", line, download.Body)
	}
	feed := a.do("GET", "/calendar/availability.ics", nil, nil)
	if feed.Status != http.StatusOK || !strings.Contains(string(feed.Body), "BEGIN:VEVENT") {
		t.Fatalf("public feed: %d", feed.Status)
	}
	if line := treatmentLine(string(feed.Body)); line != "" {
		t.Errorf("the public feed holds %q", line)
	}

	// A wording that names the treatment is refused unless chosen knowingly.
	_, err = admin.SaveMailWording(ctx, who, booking.MailWording{SenderName: "Ketamine Care", Subject: "Your ketamine consultation"})
	if f := booking.FieldsOf(err); f["mail_sender_name"] == "" || f["mail_subject"] == "" {
		t.Fatalf("a treatment in the wording: %v", err)
	}
	if _, err := admin.SaveMailWording(ctx, who, booking.MailWording{SenderName: "Ketamine Care", Subject: "Your ketamine consultation", Anyway: true}); err != nil {
		t.Fatal(err)
	}
	a.book(slots[6], "Bea Client")
	chosen := a.deliver(len(a.smtp.Messages()))
	var client *parsedMail
	for i := range chosen {
		if chosen[i].To[0] == "client@example.org" {
			client = &chosen[i]
		}
	}
	if client == nil {
		t.Fatal("no confirmation for the second booking")
	}
	if from, subject := client.Header.Get("From"), decodeSubject(*client); !strings.Contains(from, "Ketamine Care") || !strings.HasPrefix(subject, "Your ketamine consultation on ") {
		t.Errorf("with the wording chosen: From %q, Subject %q", from, subject)
	}
}

// namesTreatment reports whether s holds the practice's treatment.
func namesTreatment(s string) bool { return strings.Contains(strings.ToLower(s), "ketamine") }

// treatmentLine returns the first line of an iCalendar text, unfolded,
// that names the treatment, or "".
func treatmentLine(ics string) string {
	for _, line := range strings.Split(strings.ReplaceAll(strings.ReplaceAll(ics, "\r\n ", ""), "\r\n\t", ""), "\r\n") {
		if namesTreatment(line) {
			return line
		}
	}
	return ""
}
