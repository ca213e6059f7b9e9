package booking

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Profile is who the practice is, as clients see it: the practitioner
// they will talk with, their credentials and a short bio, how to reach the
// practice, and the places it may see clients. Every field may be empty:
// the pages then stay neutral. None of it is a client's personal data.
type Profile struct {
	PractitionerName string
	// Credentials are free-text lines such as a degree or a licence with
	// its number and state.
	Credentials  []string
	Bio          string
	ContactEmail string
	ContactPhone string
	// Regions are the places served, ISO 3166-1 alpha-2 country codes or
	// ISO 3166-2 subdivision codes ("US-CA").
	Regions []string
	// MailSenderName and MailSubject word the emails to clients apart from
	// the practice name (see Settings.SenderName and Settings.Subject);
	// empty means the defaults.
	MailSenderName string
	MailSubject    string
	// Modes are the ways the consultation can happen.
	Modes Modes
	// Questions are up to five extra questions for the booking form.
	Questions []Question
	// PhotoVersion names the practitioner's photo; "" for none. It is
	// set by storing a photo, not with the rest of the profile.
	PhotoVersion string
	// UpdatedAt is when the profile last changed; zero when never.
	UpdatedAt time.Time
}

// Limits on the profile's fields, the same as the database's.
const (
	MaxPractitionerNameLen = 100
	MaxCredentials         = 10
	MaxCredentialLen       = 150
	MaxBioLen              = 1500
	MaxRegions             = 400
	MaxMailSenderNameLen   = 100
	MaxMailSubjectLen      = 100
)

// Normalize trims the fields, drops empty credential lines and sorts
// nothing: the order of credentials is the practitioner's.
func (p *Profile) Normalize() {
	p.PractitionerName = strings.TrimSpace(p.PractitionerName)
	p.Bio = strings.TrimSpace(strings.ReplaceAll(p.Bio, "\r\n", "\n"))
	p.ContactEmail = strings.TrimSpace(p.ContactEmail)
	p.ContactPhone = strings.TrimSpace(p.ContactPhone)
	p.MailSenderName = strings.TrimSpace(p.MailSenderName)
	p.MailSubject = strings.TrimSpace(p.MailSubject)
	creds := make([]string, 0, len(p.Credentials))
	for _, c := range p.Credentials {
		if c = strings.TrimSpace(c); c != "" {
			creds = append(creds, c)
		}
	}
	p.Credentials = creds
	regions := make([]string, 0, len(p.Regions))
	seen := map[string]bool{}
	for _, r := range p.Regions {
		r = strings.ToUpper(strings.TrimSpace(r))
		if r != "" && !seen[r] {
			seen[r] = true
			regions = append(regions, r)
		}
	}
	p.Regions = regions
	p.Modes.normalize()
	p.Questions = normalizeQuestions(p.Questions)
}

// Validate checks a normalized profile and returns an EINVALID error
// naming each bad field (practitioner_name, credentials, bio,
// contact_email, contact_phone, regions, mail_sender_name,
// mail_subject), or nil.
func (p *Profile) Validate() error {
	f := FieldErrors{}
	if utf8.RuneCountInString(p.PractitionerName) > MaxPractitionerNameLen || !PlainText(p.PractitionerName, false) {
		f.Add("practitioner_name", "Use at most 100 characters on one line.")
	}
	if len(p.Credentials) > MaxCredentials {
		f.Add("credentials", "List at most 10 credentials.")
	}
	for _, c := range p.Credentials {
		if utf8.RuneCountInString(c) > MaxCredentialLen || !PlainText(c, false) {
			f.Add("credentials", "Keep each credential to one line of at most 150 characters.")
			break
		}
	}
	if utf8.RuneCountInString(p.Bio) > MaxBioLen || !PlainText(p.Bio, true) {
		f.Add("bio", "Keep the bio to at most 1500 characters of plain text.")
	}
	if p.ContactEmail != "" && !ValidEmail(p.ContactEmail) {
		f.Add("contact_email", "Enter an email address like practice@example.com.")
	}
	if p.ContactPhone != "" && (len(p.ContactPhone) > MaxPhoneLen || !phoneLike(p.ContactPhone)) {
		f.Add("contact_phone", "Enter a phone number using digits, spaces, +, - or brackets, up to 30 characters.")
	}
	if len(p.Regions) > MaxRegions {
		f.Add("regions", "List at most 400 places.")
	}
	for _, r := range p.Regions {
		if _, ok := LookupRegion(r); !ok {
			f.Add("regions", fmt.Sprintf("%.20q is not a country or state code we know, such as US or US-CA.", r))
			break
		}
	}
	if utf8.RuneCountInString(p.MailSenderName) > MaxMailSenderNameLen || !PlainText(p.MailSenderName, false) || strings.ContainsAny(p.MailSenderName, "<>\"@") {
		f.Add("mail_sender_name", "Use at most 100 characters on one line, without <, >, \" or @.")
	}
	if utf8.RuneCountInString(p.MailSubject) > MaxMailSubjectLen || !PlainText(p.MailSubject, false) {
		f.Add("mail_subject", "Use at most 100 characters on one line.")
	}
	p.Modes.validate(f)
	validateQuestions(p.Questions, f)
	return f.Err()
}

// ProfileStore keeps the practice's profile.
type ProfileStore interface {
	// UpdateProfile replaces the profile, stamped now. ENOTFOUND when the
	// practice has no settings; EINVALID when the database refuses a value.
	UpdateProfile(ctx context.Context, p Profile, now time.Time) error
	// SetPhoto stores the practitioner's photo (a prepared JPEG) under
	// version, or removes it when image is nil, stamped now.
	SetPhoto(ctx context.Context, contentType string, image []byte, version string, now time.Time) error
	// Photo returns the photo, its type and version. ENOTFOUND when there
	// is none.
	Photo(ctx context.Context) (contentType string, image []byte, version string, err error)
}

// PhotoPreparer turns an upload into the photo kept: decoded, scaled and
// encoded again without metadata (package photo does it).
type PhotoPreparer func(upload []byte) (jpeg []byte, version string, err error)

// SavePhoto prepares an uploaded photo and stores it. EINVALID (photo)
// when prepare refuses the file; nothing is stored then.
func (a *Admin) SavePhoto(ctx context.Context, who Actor, upload []byte, prepare PhotoPreparer) error {
	img, version, err := prepare(upload)
	if err != nil {
		return FieldErrors{"photo": "Upload a photo as a JPEG, PNG or GIF file of at most 5 MB."}.Err()
	}
	return a.change(ctx, who, "profile.photo", func(tx AdminStore, now time.Time) (string, error) {
		return "profile:photo", tx.SetPhoto(ctx, "image/jpeg", img, version, now)
	})
}

// DeletePhoto removes the practitioner's photo.
func (a *Admin) DeletePhoto(ctx context.Context, who Actor) error {
	return a.change(ctx, who, "profile.photo-delete", func(tx AdminStore, now time.Time) (string, error) {
		return "profile:photo", tx.SetPhoto(ctx, "", nil, "", now)
	})
}

// SaveProfile checks and stores the practice's profile. EINVALID, naming
// each bad field as Profile.Validate, or a changed email wording that
// names a treatment unless anyway (see MailWording).
func (a *Admin) SaveProfile(ctx context.Context, who Actor, p Profile, anyway bool) (Profile, error) {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return p, err
	}
	st, err := a.settings(ctx)
	if err != nil {
		return p, err
	}
	if !anyway {
		if err := checkMailWording(p, st.Profile); err != nil {
			return p, err
		}
	}
	err = a.change(ctx, who, "profile.update", func(tx AdminStore, now time.Time) (string, error) {
		p.UpdatedAt = now
		return "profile", tx.UpdateProfile(ctx, p, now)
	})
	return p, err
}

// Brand returns the name the site goes by: the practice's name, or the
// practitioner's while the practice keeps its neutral default.
func (s Settings) Brand() string {
	if s.PracticeName == DefaultSettings().PracticeName && s.Profile.PractitionerName != "" {
		return s.Profile.PractitionerName
	}
	return s.PracticeName
}
