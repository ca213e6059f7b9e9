package booking_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"consult/booking"
)

// FuzzProfile checks that whatever the practitioner types, a profile
// Validate accepts fits the database's limits and is plain text, so
// saving it cannot fail as a database error.
func FuzzProfile(f *testing.F) {
	f.Add("Dr. Maya Lindqvist", "PsyD\nLicensed psychologist", "Bio.\n\nMore.", "office@example.org", "+1 555 0100", "US-CA,DE", "Maya", "Your appointment",
		"https://meet.example.org", "12 Harbour St", "choice", "Heard of us?", "A friend\nA search")
	f.Add("<b>x</b>", "\x00", "\r\n", "a@b", "()", "us-ca,,XX", "a<b>", "x\ny", "javascript:alert(1)", "", "yes_no", "\x00", "")
	f.Fuzz(func(t *testing.T, name, creds, bio, email, phone, regions, sender, subject, video, address, kind, question, choices string) {
		p := booking.Profile{PractitionerName: name, Credentials: strings.Split(creds, "\n"), Bio: bio,
			ContactEmail: email, ContactPhone: phone, Regions: strings.Split(regions, ","), MailSenderName: sender, MailSubject: subject,
			Modes: booking.Modes{Video: booking.VideoMode{Enabled: video != "", BaseURL: video},
				InPerson: booking.InPersonMode{Enabled: address != "", Address: address}},
			Questions: []booking.Question{{Kind: booking.QuestionKind(kind), Label: question, Choices: strings.Split(choices, "\n")}}}
		p.Normalize()
		if p.Validate() != nil {
			return
		}
		for _, s := range []string{p.PractitionerName, p.ContactEmail, p.ContactPhone, p.MailSenderName, p.MailSubject} {
			if !booking.PlainText(s, false) {
				t.Errorf("accepted %q, not one line of plain text", s)
			}
		}
		if utf8.RuneCountInString(p.PractitionerName) > 100 || utf8.RuneCountInString(p.Bio) > 1500 || len(p.Credentials) > 10 ||
			len(p.ContactEmail) > 254 || len(p.ContactPhone) > 30 || len(p.Regions) > 400 {
			t.Errorf("accepted a profile over the limits: %+v", p)
		}
		if !booking.PlainText(p.Bio, true) {
			t.Errorf("accepted bio %q", p.Bio)
		}
		if b := p.Modes.Video.BaseURL; b != "" && (!strings.HasPrefix(b, "https://") || strings.ContainsAny(b, "?# ")) {
			t.Errorf("accepted video base %q", b)
		}
		for _, q := range p.Questions {
			if !booking.PlainText(q.Label, false) || len([]rune(q.Label)) > 200 {
				t.Errorf("accepted question %q", q.Label)
			}
		}
		for _, r := range p.Regions {
			if _, ok := booking.LookupRegion(r); !ok || r != strings.ToUpper(r) {
				t.Errorf("accepted region %q", r)
			}
		}
	})
}
