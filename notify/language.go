package notify

import (
	"context"
	"slices"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"consult/booking"
	"consult/web/i18n"
	"consult/web/timefmt"
)

// practitionerLanguage is the language of the practitioner's notices
// (new, moved and cancelled bookings, security notices): the one the
// account they go to (PRACTITIONER_EMAIL) reads the admin area in, else
// English. The mail_practitioner catalogues are in the admin area's
// languages; a message missing from another reads in English.
func (w *Worker) practitionerLanguage(ctx context.Context) (i18n.Lang, error) {
	u, err := w.store.UserByEmail(ctx, w.practitioner.Address)
	switch {
	case booking.ErrorCode(err) == booking.ENOTFOUND:
		return i18n.EN, nil
	case err != nil:
		return "", err
	}
	return i18n.OrDefault(u.Language), nil
}

// senderName is Settings.SenderName for a reader of language l: the
// neutral word the service falls back on is written in l; a name the
// practice gave is kept as it was typed.
func senderName(s booking.Settings, l i18n.Lang) string {
	name := s.SenderName()
	if s.Profile.MailSenderName == "" && name != s.Profile.PractitionerName && name != s.PracticeName {
		return i18n.MustT(l, "mail.sender_fallback")
	}
	return name
}

// subjectWording is Settings.SubjectWording for a reader of language l:
// the practice's own words as typed, else the default in l. Both are
// neutral: neither names a treatment unless the practice chose it.
func subjectWording(s booking.Settings, l i18n.Lang) string {
	if s.Profile.MailSubject != "" {
		return s.Profile.MailSubject
	}
	return i18n.MustT(l, "mail.subject_default")
}

var wishDayIDs = [...]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// describeWishes is WaitlistEntry.Describe written in language l: "Mondays
// and Wednesdays, mornings or evenings, Tue 8 Dec 2026 to Thu 31 Dec 2026,
// Berlin time"; in English it reads exactly as Describe writes it.
func describeWishes(l i18n.Lang, e booking.WaitlistEntry) string {
	var days []string
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	switch {
	case len(e.Days) == 7:
		days = []string{i18n.MustT(l, "mail.wishes.any_day")}
	case slices.Equal(e.Days, weekdays):
		days = []string{i18n.MustT(l, "mail.wishes.weekdays")}
	case slices.Equal(e.Days, []time.Weekday{time.Sunday, time.Saturday}):
		days = []string{i18n.MustT(l, "mail.wishes.weekends")}
	default:
		for _, d := range e.Days {
			days = append(days, i18n.MustT(l, "mail.wishes.days."+wishDayIDs[d]))
		}
	}
	var parts []string
	if len(e.Parts) == len(booking.DayParts) {
		parts = []string{i18n.MustT(l, "mail.wishes.any_time")}
	} else {
		for _, p := range e.Parts {
			parts = append(parts, i18n.MustT(l, "mail.wishes.parts."+p))
		}
	}
	date := func(d booking.Date) string {
		t := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
		return i18n.MustT(l, "mail.wishes.date", "Date", i18n.Date(l, t, i18n.Short), "Year", strconv.Itoa(d.Year))
	}
	s := i18n.MustT(l, "mail.wishes.sentence",
		"Days", booking.JoinWords(days, i18n.MustT(l, "mail.wishes.and")), "Parts", booking.JoinWords(parts, i18n.MustT(l, "mail.wishes.or")),
		"From", date(e.From), "To", date(e.To), "Zone", timefmt.PlaceTime(l, e.TimeZone))
	// The sentence starts the line it is on, whatever case the
	// language writes its first word in ("montags" → "Montags").
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
