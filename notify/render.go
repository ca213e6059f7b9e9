package notify

import (
	"context"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"consult/booking"
	"consult/calendar"
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
}

// view is what the templates see. Every field is plain text: the HTML
// templates escape it.
type view struct {
	Practice     string
	BaseURL      string
	Name         string // the client's
	Email        string
	Phone        string
	Note         string // the client's note (practitioner notices only)
	Message      string // the practitioner's note to the client, on a cancellation
	Length       string // "20-minute"
	WhenClient   string // in the client's zone
	WhenPractice string // in the practice's zone
	ClientZone   string
	PracticeZone string
	SameZone     bool
	ShortWhen    string // for subjects, in the recipient's zone
	ManageURL    string // the client's private link; "" when unknown
	BookURL      string
	AdminURL     string
	Invitation   bool
}

// clientKinds are the kinds sent to the client, with the iTIP method of
// the invitation each carries ("" for none).
var clientKinds = map[string]calendar.Method{
	booking.MailConfirmation: calendar.MethodRequest,
	booking.MailRescheduled:  calendar.MethodRequest,
	booking.MailCancelled:    calendar.MethodCancel,
	booking.MailReminder:     "",
}

// render builds message m about booking b as it is now. token is the
// client's manage token ("" leaves the private link out); at is the Date.
func (w *Worker) render(ctx context.Context, m booking.OutboxMessage, b *booking.Booking, token string, at time.Time) (*Message, error) {
	settings, err := w.settings(ctx)
	if err != nil {
		return nil, err
	}
	practiceLoc, err := settings.Location()
	if err != nil {
		return nil, err
	}
	clientLoc := practiceLoc
	if b.TimeZone != "" {
		if loc, err := time.LoadLocation(b.TimeZone); err == nil {
			clientLoc = loc
		}
	}
	v := view{
		Practice: settings.PracticeName, BaseURL: w.base.String(),
		Name: b.Name, Email: b.Email, Phone: b.Phone, Note: b.Note, Message: m.Note,
		Length:       strconv.Itoa(int(b.End.Sub(b.Start).Round(time.Minute)/time.Minute)) + "-minute",
		WhenClient:   FormatWhen(b.Start, b.End, clientLoc),
		WhenPractice: FormatWhen(b.Start, b.End, practiceLoc),
		ClientZone:   clientLoc.String(), PracticeZone: practiceLoc.String(),
		BookURL:  w.base.String() + "/book",
		AdminURL: w.base.String() + "/admin",
	}
	v.SameZone = v.WhenClient == v.WhenPractice && v.ClientZone == v.PracticeZone
	if token != "" {
		v.ManageURL = w.base.String() + "/manage/" + token
	}

	msg := &Message{
		From:      mail.Address{Name: settings.PracticeName, Address: w.from.Address},
		Date:      at.UTC(),
		MessageID: w.messageID(m),
	}
	method, toClient := clientKinds[m.Kind]
	if toClient {
		v.ShortWhen = shortWhen(b.Start, clientLoc)
		msg.To = mail.Address{Name: b.Name, Address: b.Email}
		msg.ReplyTo = &mail.Address{Name: settings.PracticeName, Address: w.practitioner.Address}
	} else {
		v.ShortWhen = shortWhen(b.Start, practiceLoc)
		msg.To = mail.Address{Name: settings.PracticeName, Address: w.practitioner.Address}
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
		p := calendar.Practice{Name: settings.PracticeName, Email: w.from.Address, BaseURL: w.base.String(),
			TimeZone: settings.TimeZone, EventTitle: settings.EventTitle}
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

// FormatWhen writes the span [start, end) as wall-clock time in loc, with
// the zone's abbreviation and UTC offset so an hour that a DST change
// repeats is never ambiguous: "Sunday 1 November 2026, 01:30–01:50 PST
// (UTC-08:00)". A span across the change names both offsets.
func FormatWhen(start, end time.Time, loc *time.Location) string {
	s, e := start.In(loc), end.In(loc)
	day := s.Format("Monday 2 January 2006")
	if e.Format("2006-01-02 -0700") == s.Format("2006-01-02 -0700") {
		return fmt.Sprintf("%s, %s–%s %s", day, s.Format("15:04"), e.Format("15:04"), zone(s))
	}
	if e.Format("2006-01-02") == s.Format("2006-01-02") {
		return fmt.Sprintf("%s, %s %s – %s %s", day, s.Format("15:04"), zone(s), e.Format("15:04"), zone(e))
	}
	return fmt.Sprintf("%s, %s %s – %s, %s %s", day, s.Format("15:04"), zone(s), e.Format("Monday 2 January 2006"), e.Format("15:04"), zone(e))
}

// zone names t's offset: "PST (UTC-08:00)", or "UTC+05:45" where the zone
// has no abbreviation of its own.
func zone(t time.Time) string {
	abbr, _ := t.Zone()
	off := "UTC" + t.Format("-07:00")
	if off == "UTC+00:00" {
		off = "UTC"
	}
	if abbr == "" || strings.ContainsAny(abbr[:1], "+-0123456789") || abbr == "UTC" {
		return off
	}
	return abbr + " (" + off + ")"
}

// shortWhen is the start for a subject line: "Sun 1 Nov, 01:30 PST".
func shortWhen(start time.Time, loc *time.Location) string {
	s := start.In(loc)
	abbr, _ := s.Zone()
	if abbr == "" || strings.ContainsAny(abbr[:1], "+-0123456789") {
		abbr = "UTC" + s.Format("-07:00")
	}
	return s.Format("Mon 2 Jan, 15:04") + " " + abbr
}
