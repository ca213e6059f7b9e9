package booking

import (
	"context"
	"strings"
)

// DefaultSubjectWording is how emails to clients name the consultation in
// their subjects while the practitioner has not chosen other words.
const DefaultSubjectWording = "Your consultation"

// neutralFallbackName is the sender name when neither the practitioner's
// name nor the practice's can be used without naming a treatment.
const neutralFallbackName = "Consultations"

// SenderName is the name clients' emails come from, their calendar
// invitations' organiser and the public feed's name: whoever sees a
// client's inbox or calendar reads it, so unless the practitioner chose
// it, it never names a treatment. It is the chosen sender name, else the
// practitioner's name, else the practice's, else a neutral word.
func (s Settings) SenderName() string {
	p := s.Profile
	switch {
	case p.MailSenderName != "":
		return p.MailSenderName
	case p.PractitionerName != "" && NamesNoTreatment(p.PractitionerName):
		return p.PractitionerName
	case NamesNoTreatment(s.PracticeName):
		return s.PracticeName
	}
	return neutralFallbackName
}

// SubjectWording is how clients' email subjects name the consultation
// ("Your consultation" on …).
func (s Settings) SubjectWording() string {
	if s.Profile.MailSubject != "" {
		return s.Profile.MailSubject
	}
	return DefaultSubjectWording
}

// DefaultEventTitle is the title of clients' calendar events while the
// practitioner has set none: "Consultation with <SenderName>".
func (s Settings) DefaultEventTitle() string { return "Consultation with " + s.SenderName() }

// NamesNoTreatment reports whether s holds none of the treatment words
// (see CheckNeutralTitle).
func NamesNoTreatment(s string) bool {
	lower := strings.ToLower(s)
	for _, w := range treatmentWords {
		if strings.Contains(lower, w) {
			return false
		}
	}
	return true
}

// MailWording is how emails to clients are worded: who they come from and
// how their subjects name the consultation; empty fields mean the
// defaults. A treatment word is refused unless Anyway is set: the
// practitioner then chose it knowingly.
type MailWording struct {
	SenderName string
	Subject    string
	Anyway     bool
}

// SaveMailWording checks and stores the wording of emails to clients,
// keeping the rest of the profile. EINVALID (mail_sender_name,
// mail_subject) for text Profile.Validate refuses, or that names a
// treatment without Anyway.
func (a *Admin) SaveMailWording(ctx context.Context, who Actor, w MailWording) (Profile, error) {
	st, err := a.settings(ctx)
	if err != nil {
		return Profile{}, err
	}
	p := st.Profile
	p.MailSenderName, p.MailSubject = w.SenderName, w.Subject
	return a.SaveProfile(ctx, who, p, w.Anyway)
}

// checkMailWording refuses wording in p that names a treatment, where it
// differs from what was stored (chosen knowingly before).
func checkMailWording(p, stored Profile) error {
	f := FieldErrors{}
	const msg = "This names a treatment, and anyone who sees the client's inbox or calendar would read it. Choose neutral words, or confirm that you want these."
	if p.MailSenderName != stored.MailSenderName && !NamesNoTreatment(p.MailSenderName) {
		f.Add("mail_sender_name", msg)
	}
	if p.MailSubject != stored.MailSubject && !NamesNoTreatment(p.MailSubject) {
		f.Add("mail_subject", msg)
	}
	return f.Err()
}
