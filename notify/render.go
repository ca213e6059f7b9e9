package notify

import (
	"context"
	"fmt"
	"net/mail"
	"time"

	"consult/booking"
	"consult/calendar"
	"consult/web/i18n"
	"consult/web/timefmt"
)

// Message is one email, rendered and ready to send.
type Message struct {
	From      mail.Address
	To        mail.Address
	ReplyTo   *mail.Address
	Subject   string
	Date      time.Time
	MessageID string // without the angle brackets
	Text      string
	HTML      string
	// Invitation is the text/calendar object sent as an alternative part
	// with content type Method.ContentType(); nil for none.
	Invitation []byte
	Method     calendar.Method
	// Language is what the message is written in, sent as
	// Content-Language; "" sends none.
	Language i18n.Lang
}

// view is what the templates see. Every field is plain text: the HTML
// templates escape it.
type view struct {
	// Lang is the language the message is written in: the client's, or
	// the practitioner's (practitionerLanguage).
	Lang i18n.Lang
	// Practice is the practice's name in the practitioner's emails, and
	// the sender name (senderName) in the client's.
	Practice     string
	Practitioner string // who the client will talk with; "" when not set or the same as Practice
	Subject      string // how the client's subjects name the consultation
	// Meeting is how the consultation happens; Caller who calls, for a
	// phone call.
	Meeting      booking.Meeting
	Caller       string
	BaseURL      string
	Name         string // the client's
	Greeting     string // the client's name when it reads as one (greetingName)
	Email        string
	Phone        string
	Note         string // the client's note (practitioner notices only)
	Message      string // the practitioner's note to the client, on a cancellation
	Minutes      int    // the consultation's length
	WhenClient   string // in the client's zone
	WhenPractice string // in the practice's zone
	ClientZone   string
	PracticeZone string
	SameZone     bool
	ShortWhen    string // for subjects, in the recipient's zone
	ManageURL    string // the client's private link; "" when unknown
	HoldUntil    string // when a held time is released, in the client's zone
	BookURL      string
	AdminURL     string
	Invitation   bool
}

// clientKinds are the kinds sent to the client, with the iTIP method of
// the invitation each carries ("" for none).
var clientKinds = map[string]calendar.Method{
	booking.MailConfirmation: calendar.MethodRequest,
	booking.MailRescheduled:  calendar.MethodRequest,
	booking.MailRestored:     calendar.MethodRequest,
	booking.MailCancelled:    calendar.MethodCancel,
	booking.MailReminder:     "",
	// No invitation before the time is confirmed.
	booking.MailConfirmRequest: "",
	booking.MailLimitNotice:    "",
	booking.MailWaitlistOffer:  "",
}

// render builds message m about booking b as it is now. token is the
// client's manage token ("" leaves the private link out); at is the Date.
func (w *Worker) render(ctx context.Context, m booking.OutboxMessage, b *booking.Booking, token string, at time.Time) (*Message, error) {
	settings, err := w.settings(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := settings.Location(); err != nil {
		return nil, err
	}
	clientZone := settings.TimeZone
	if _, err := booking.CheckZone(b.TimeZone); err == nil {
		clientZone = b.TimeZone
	}
	// The client's emails on the clock they read times on (the booking
	// page's, kept with the booking); 24-hour when not known, and for the
	// practitioner.
	clientHours, _ := timefmt.OfCycle(b.HourCycle)
	practiceHours := timefmt.H24
	method, toClient := clientKinds[m.Kind]
	// The client's emails are written in the language they booked in; the
	// practitioner's in theirs.
	lang := i18n.OrDefault(b.Language)
	if !toClient {
		if lang, err = w.practitionerLanguage(ctx); err != nil {
			return nil, err
		}
	}
	minutes := int(b.End.Sub(b.Start).Round(time.Minute) / time.Minute)
	sender := senderName(settings, lang)
	v := view{
		Lang:     lang,
		Practice: settings.PracticeName, Practitioner: settings.Profile.PractitionerName, BaseURL: w.base.String(),
		Name: b.Name, Greeting: greetingName(b.Name), Email: b.Email, Phone: b.Phone, Note: b.Note, Message: m.Note,
		Minutes:      minutes,
		WhenClient:   timefmt.SpanIn(b.Start, b.End, clientZone, clientHours, lang, i18n.Long).String(),
		WhenPractice: timefmt.SpanIn(b.Start, b.End, settings.TimeZone, practiceHours, lang, i18n.Long).String(),
		ClientZone:   timefmt.PlaceTime(lang, clientZone), PracticeZone: timefmt.PlaceTime(lang, settings.TimeZone),
		Meeting: booking.MeetingFor(settings.Profile.Modes, *b), Caller: sender,
		BookURL:  w.base.String() + "/book",
		AdminURL: w.base.String() + "/admin",
	}
	// One time shown, not two, when the client's zone reads as the
	// practice's (whatever the clock each is written on).
	v.SameZone = timefmt.SpanIn(b.Start, b.End, clientZone, practiceHours, lang, i18n.Long).String() == v.WhenPractice
	if token != "" {
		v.ManageURL = w.base.String() + "/manage/" + token
	}
	if b.HoldExpires != nil {
		if loc, err := booking.CheckZone(clientZone); err == nil {
			t := b.HoldExpires.In(loc)
			v.HoldUntil = i18n.MustT(lang, "mail.hold_until", "Time", timefmt.Clock(t, clientHours), "Zone", timefmt.ZoneAtIn(lang, clientZone, t))
		}
	}

	// Every header names the sender as the client may read it: whoever
	// sees an inbox reads the From, the Subject and the Reply-To.
	msg := &Message{
		From:      mail.Address{Name: sender, Address: w.from.Address},
		Date:      at.UTC(),
		MessageID: w.messageID(m),
		Language:  lang,
	}
	if toClient {
		v.Practice, v.Subject = sender, subjectWording(settings, lang)
		if v.Practitioner == sender {
			v.Practitioner = ""
		}
		v.ShortWhen = shortWhen(b.Start, clientZone, clientHours, lang)
		msg.To = mail.Address{Name: v.Greeting, Address: b.Email}
		replyTo := w.practitioner.Address
		if settings.Profile.ContactEmail != "" {
			replyTo = settings.Profile.ContactEmail
		}
		msg.ReplyTo = &mail.Address{Name: sender, Address: replyTo}
	} else {
		v.ShortWhen = shortWhen(b.Start, settings.TimeZone, practiceHours, lang)
		msg.To = mail.Address{Name: sender, Address: w.practitioner.Address}
		if booking.ValidEmail(b.Email) {
			// The practitioner can answer the client directly.
			msg.ReplyTo = &mail.Address{Name: b.Name, Address: b.Email}
		}
	}
	// A REQUEST for a booking cancelled since only happens when viewing an
	// old message (the worker skips superseded ones); show it without one.
	if method == calendar.MethodRequest && b.Status == booking.StatusCancelled {
		method = ""
	}
	if method != "" {
		p := calendar.Practice{Name: sender, Email: w.from.Address, BaseURL: w.base.String(),
			TimeZone: settings.TimeZone, EventTitle: settings.EventTitle, Modes: settings.Profile.Modes}
		link := v.ManageURL
		if method == calendar.MethodCancel {
			link = ""
		}
		if msg.Invitation, err = calendar.Invitation(p, *b, link, method, at); err != nil {
			return nil, fmt.Errorf("notify: %s message %d: %w", m.Kind, m.ID, err)
		}
		msg.Method = method
		v.Invitation = true
	}
	if msg.Subject, msg.Text, msg.HTML, err = w.tmpl.execute(m.Kind, v); err != nil {
		return nil, fmt.Errorf("notify: %s message %d: %w", m.Kind, m.ID, err)
	}
	return msg, nil
}

// renderSecurity builds security notice m for the practitioner: what
// changed and when, and what to do if it was not them.
func (w *Worker) renderSecurity(ctx context.Context, m booking.OutboxMessage, at time.Time) (*Message, error) {
	settings, err := w.settings(ctx)
	if err != nil {
		return nil, err
	}
	lang, err := w.practitionerLanguage(ctx)
	if err != nil {
		return nil, err
	}
	when := timefmt.SpanIn(m.CreatedAt, m.CreatedAt, settings.TimeZone, timefmt.H24, lang, i18n.Long)
	// The change is the domain's English words; the catalogue holds them
	// in the practitioner's language.
	v := view{Lang: lang, Practice: settings.PracticeName, BaseURL: w.base.String(), Message: i18n.Translate(lang, "mail_practitioner", m.Note),
		WhenPractice: when.Date + ", " + when.Start + " " + when.Zone, AdminURL: w.base.String() + "/admin"}
	msg := &Message{
		From:      mail.Address{Name: settings.SenderName(), Address: w.from.Address},
		To:        mail.Address{Name: settings.SenderName(), Address: w.practitioner.Address},
		Date:      at.UTC(),
		MessageID: w.messageID(m),
		Language:  lang,
	}
	if msg.Subject, msg.Text, msg.HTML, err = w.tmpl.execute(m.Kind, v); err != nil {
		return nil, fmt.Errorf("notify: %s message %d: %w", m.Kind, m.ID, err)
	}
	return msg, nil
}

// settings reads the practice's current name and zone, which the admin
// area may have changed since the message was queued.
func (w *Worker) settings(ctx context.Context) (booking.Settings, error) {
	today := booking.DateOf(w.now().UTC())
	sched, err := w.store.Schedule(ctx, today, today)
	if err != nil {
		return booking.Settings{}, err
	}
	return sched.Settings, nil
}

// messageID is the same on every attempt at one message, so a copy sent
// twice (the server took it but its reply was lost) is recognisable; the
// creation time keeps IDs apart across databases that reuse row IDs.
func (w *Worker) messageID(m booking.OutboxMessage) string {
	if m.MessageID != "" {
		return m.MessageID
	}
	return fmt.Sprintf("outbox-%d-%d@%s", m.ID, m.CreatedAt.Unix(), w.host)
}

// shortWhen is the start for a subject line in language l: "Fri 4 Dec,
// 18:00 Berlin time (UTC+1)". The offset stays even here: in the hour a
// clock change repeats, it is what tells the two 01:30s apart.
func shortWhen(start time.Time, zone string, h timefmt.Hours, l i18n.Lang) string {
	sp := timefmt.SpanIn(start, start, zone, h, l, i18n.Short)
	return i18n.MustT(l, "mail.short_when", "Date", sp.Date, "Time", sp.Start, "Zone", sp.Zone)
}
