package calendar

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"consult/booking"
	"consult/web/i18n"

	"github.com/emersion/go-ical"
)

// Invitation returns the calendar object for one booking, for the client.
//
// With MethodRequest (the confirmation, and every reschedule) or
// MethodCancel it is an iTIP message for email, with ORGANIZER the practice
// and ATTENDEE the client; with MethodPublish it is a plain .ics download
// without ATTENDEE, which calendar apps import without offering to reply.
// The UID is the same for every message about a booking ("booking-<ID>@<host
// of BaseURL>"), so a later REQUEST moves the event and a CANCEL removes it;
// calendar apps only accept those when SEQUENCE (b.Sequence) has grown, so
// the caller must bump it on every change, cancellation included.
//
// SUMMARY is the practice's neutral EventTitle: the invitation may be read by
// anyone who sees the client's calendar, so it never names a treatment.
// The invitation's words (DESCRIPTION, the default title, LOCATION of a
// phone call) are in the client's language, b.Language, which a LANGUAGE
// parameter names when it is not English; the practice's own words (its
// title, name, directions) are kept as typed.
// manageURL, the client's private link to cancel or reschedule, goes into
// DESCRIPTION and URL; it may be empty. A cancelled booking must be sent
// with MethodCancel (or MethodPublish), never MethodRequest. now is the
// DTSTAMP.
func Invitation(p Practice, b booking.Booking, manageURL string, method Method, now time.Time) ([]byte, error) {
	lang := i18n.OrDefault(b.Language)
	if p.EventTitle == "" && strings.TrimSpace(p.Name) != "" {
		p.EventTitle = i18n.MustT(lang, "invitation.default_title", "Practice", p.Name)
	}
	pr, err := p.prepare()
	if err != nil {
		return nil, err
	}
	cancelled := b.Status == booking.StatusCancelled || method == MethodCancel
	switch method {
	case MethodRequest:
		if b.Status == booking.StatusCancelled {
			return nil, fmt.Errorf("calendar: booking %d is cancelled: send %s, not %s", b.ID, MethodCancel, method)
		}
	case MethodCancel, MethodPublish:
	default:
		return nil, fmt.Errorf("calendar: unknown method %q", method)
	}
	if err := checkBooking(b); err != nil {
		return nil, err
	}

	ev := ical.NewEvent()
	setEventBase(ev, pr, pr.bookingUID(b.ID), b.Start, b.End, now)
	ev.Props.Set(seqProp(b.Sequence))
	setTextIn(ev.Props, ical.PropSummary, oneLine(pr.EventTitle), lang)
	setTextIn(ev.Props, ical.PropDescription, invitationText(pr, b, manageURL, cancelled, lang), lang)
	mt := booking.MeetingFor(p.Modes, b)
	if cancelled || mt.VideoLink == "" {
		setURI(ev.Props, ical.PropURL, manageURL)
	}
	if !cancelled {
		// A video call's URL is its room; the private link stays in
		// DESCRIPTION.
		setMeeting(ev.Props, mt, p.Name, true, true, lang)
	}
	setChangeTimes(ev, b)
	if cancelled {
		ev.SetStatus(ical.EventCancelled)
		ev.Props.SetText(ical.PropTransparency, "TRANSPARENT")
	} else {
		ev.SetStatus(ical.EventConfirmed)
		ev.Props.SetText(ical.PropTransparency, "OPAQUE")
	}
	if method != MethodPublish {
		att, err := mailtoProp(ical.PropAttendee, b.Name, b.Email)
		if err != nil {
			return nil, fmt.Errorf("calendar: booking %d: client email is not an address", b.ID)
		}
		// The client chose the time themselves: mark them as having
		// accepted, and ask for no reply, so their calendar app files the
		// event instead of mailing the practice an acceptance.
		att.Params.Set(ical.ParamRole, "REQ-PARTICIPANT")
		att.Params.Set(ical.ParamCalendarUserType, "INDIVIDUAL")
		att.Params.Set(ical.ParamParticipationStatus, "ACCEPTED")
		att.Params.Set(ical.ParamRSVP, "FALSE")
		ev.Props.Set(att)
	}

	cal := newCalendar(method)
	cal.Children = append(cal.Children, ev.Component)
	return encode(cal)
}

// invitationText is the DESCRIPTION of an invitation, in language l: what
// the event is and where to change it, in words that stay discreet on a
// shared calendar.
func invitationText(p *practice, b booking.Booking, manageURL string, cancelled bool, l i18n.Lang) string {
	what := i18n.MustT(l, "invitation.what", "Minutes", wholeMinutes(b.End.Sub(b.Start)), "Practice", p.Name)
	switch {
	case cancelled:
		return i18n.MustT(l, "invitation.cancelled", "Practice", p.Name) + "\n\n" + i18n.MustT(l, "invitation.rebook", "URL", p.link("/book", nil))
	case manageURL != "":
		return what + meetingText(booking.MeetingFor(p.Modes, b), p.Name, l) + "\n\n" + i18n.MustT(l, "invitation.manage", "URL", manageURL)
	default:
		return what + meetingText(booking.MeetingFor(p.Modes, b), p.Name, l)
	}
}

// setTextIn is setText for text written in language l, which a LANGUAGE
// parameter (RFC 5545 §3.2.10) names unless it is the default, English.
func setTextIn(props ical.Props, name, s string, l i18n.Lang) {
	setText(props, name, s)
	if l != i18n.EN {
		props.Get(name).Params.Set(ical.ParamLanguage, l.Tag())
	}
}

// setEventBase sets what every event has: UID, DTSTAMP, times and organiser.
func setEventBase(ev *ical.Event, p *practice, uid string, start, end, now time.Time) {
	ev.Props.SetText(ical.PropUID, uid)
	setUTC(ev.Props, ical.PropDateTimeStamp, now)
	setUTC(ev.Props, ical.PropDateTimeStart, start)
	setUTC(ev.Props, ical.PropDateTimeEnd, end)
	org := p.organizer
	ev.Props.Set(&org)
}

// setChangeTimes sets CREATED and LAST-MODIFIED when the booking has them.
func setChangeTimes(ev *ical.Event, b booking.Booking) {
	if !b.CreatedAt.IsZero() {
		setUTC(ev.Props, ical.PropCreated, b.CreatedAt)
	}
	if !b.UpdatedAt.IsZero() {
		setUTC(ev.Props, ical.PropLastModified, b.UpdatedAt)
	}
}

func seqProp(seq int) *ical.Prop {
	prop := ical.NewProp(ical.PropSequence)
	prop.Value = strconv.Itoa(max(seq, 0))
	return prop
}

// checkBooking rejects a booking without an ID, whose UID would collide
// with every other such booking, or without a sensible span.
func checkBooking(b booking.Booking) error {
	if b.ID <= 0 {
		return fmt.Errorf("calendar: booking has no ID")
	}
	if err := checkSpan(b.Start, b.End); err != nil {
		return fmt.Errorf("calendar: booking %d: %w", b.ID, err)
	}
	return nil
}

// checkSpan rejects spans no calendar app could show sensibly.
func checkSpan(start, end time.Time) error {
	if start.IsZero() || !end.After(start) {
		return fmt.Errorf("start %s is not before end %s", start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
	}
	return nil
}

// minutes formats d as "20-minute" for the feeds.
func minutes(d time.Duration) string { return wholeMinutes(d) + "-minute" }

// wholeMinutes is d in whole minutes: "20".
func wholeMinutes(d time.Duration) string {
	return strconv.FormatInt(int64(d.Round(time.Minute)/time.Minute), 10)
}
