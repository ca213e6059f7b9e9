package calendar

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"consult/booking"
	"consult/web/i18n"

	"github.com/emersion/go-ical"
)

// AvailabilityFeed returns the public feed of open slots (METHOD:PUBLISH),
// named "<Practice> — open consultation times". Each slot is one
// TRANSPARENT event (so subscribers' free/busy is untouched) titled "Open:
// free 20-minute consultation", with ORGANIZER the practice, a link to
// <BaseURL>/book?start=<RFC 3339 UTC start> and a UID derived from its start
// ("slot-<unix seconds>@<host>"), so slots must have distinct starts. The
// feed is public: it carries nothing about any client. now is the DTSTAMP.
func AvailabilityFeed(p Practice, slots []booking.Slot, now time.Time) ([]byte, error) {
	pr, err := p.prepare()
	if err != nil {
		return nil, err
	}
	cal := newCalendar(MethodPublish)
	setFeedHeader(cal, pr, p.Name+" — open consultation times")
	cal.Children = make([]*ical.Component, 0, len(slots))
	for _, s := range slots {
		if err := checkSpan(s.Start, s.End); err != nil {
			return nil, fmt.Errorf("calendar: slot: %w", err)
		}
		length := minutes(s.End.Sub(s.Start))
		link := pr.link("/book", url.Values{"start": {s.Start.UTC().Format(time.RFC3339)}})
		ev := ical.NewEvent()
		setEventBase(ev, pr, pr.slotUID(s.Start), s.Start, s.End, now)
		setText(ev.Props, ical.PropSummary, "Open: free "+length+" consultation")
		setText(ev.Props, ical.PropDescription, fmt.Sprintf("A free %s consultation with %s is open at this time.\n\nBook it: %s", length, p.Name, link))
		setURI(ev.Props, ical.PropURL, link)
		ev.Props.SetText(ical.PropTransparency, "TRANSPARENT")
		cal.Children = append(cal.Children, ev.Component)
	}
	return encodeFeed(cal)
}

// BookingsFeed returns the practitioner's private feed of bookings
// (METHOD:PUBLISH), named "<Practice> — consultations". The caller chooses
// which bookings to pass, e.g. confirmed ones and those cancelled in the
// last 30 days; cancelled ones get STATUS:CANCELLED and do not block time.
//
// By default an event shows only the client's initials ("Consultation: A.
// B.") and a link to <BaseURL>/admin/bookings/<ID>, because calendars sync
// to phones, lock screens and shared displays. With full set, SUMMARY has
// the client's name and DESCRIPTION their name, email and phone; the note
// stays behind the admin link either way, as it may hold health details.
// Every event has ORGANIZER the practice and no ATTENDEE, so no calendar
// app offers to mail the client. UIDs match the client's invitation.
func BookingsFeed(p Practice, bookings []booking.Booking, full bool, now time.Time) ([]byte, error) {
	pr, err := p.prepare()
	if err != nil {
		return nil, err
	}
	cal := newCalendar(MethodPublish)
	setFeedHeader(cal, pr, p.Name+" — consultations")
	cal.Children = make([]*ical.Component, 0, len(bookings))
	for _, b := range bookings {
		if err := checkBooking(b); err != nil {
			return nil, err
		}
		link := pr.link("/admin/bookings/"+strconv.FormatInt(b.ID, 10), nil)
		who := Initials(b.Name)
		desc := "Details: " + link
		if full {
			who = b.Name
			desc = fmt.Sprintf("Name: %s\nEmail: %s\nPhone: %s\n\n%s", b.Name, b.Email, orDash(b.Phone), desc)
			if len(b.Answers) > 0 {
				// The answers, too, are the client's: only with full details.
				var qa strings.Builder
				for _, a := range b.Answers {
					qa.WriteString("\n" + a.Question + ": " + a.Answer)
				}
				desc += "\n" + qa.String()
			}
		}
		ev := ical.NewEvent()
		setEventBase(ev, pr, pr.bookingUID(b.ID), b.Start, b.End, now)
		ev.Props.Set(seqProp(b.Sequence))
		setURI(ev.Props, ical.PropURL, link)
		if b.Status != booking.StatusCancelled {
			setMeeting(ev.Props, booking.MeetingFor(p.Modes, b), "", full, false, i18n.EN)
		}
		setChangeTimes(ev, b)
		// CLASS:PRIVATE asks apps that share or delegate this calendar to
		// show the slot as busy without its title.
		ev.Props.SetText(ical.PropClass, "PRIVATE")
		if b.Status == booking.StatusCancelled {
			setText(ev.Props, ical.PropSummary, oneLine("Cancelled consultation: "+who))
			ev.SetStatus(ical.EventCancelled)
			ev.Props.SetText(ical.PropTransparency, "TRANSPARENT")
		} else {
			setText(ev.Props, ical.PropSummary, oneLine("Consultation: "+who))
			ev.SetStatus(ical.EventConfirmed)
			ev.Props.SetText(ical.PropTransparency, "OPAQUE")
		}
		setText(ev.Props, ical.PropDescription, desc)
		cal.Children = append(cal.Children, ev.Component)
	}
	return encodeFeed(cal)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// emptyMarker stands in for the events of an empty feed: go-ical refuses to
// encode a VCALENDAR without components, but a week without open slots is
// normal, and every calendar app reads an empty VCALENDAR as "no events".
const emptyMarker = "X-CONSULT-EMPTY"

// encodeFeed encodes a feed, which may have no events.
func encodeFeed(cal *ical.Calendar) ([]byte, error) {
	if len(cal.Children) > 0 {
		return encode(cal)
	}
	cal.Children = []*ical.Component{ical.NewComponent(emptyMarker)}
	out, err := encode(cal)
	if err != nil {
		return nil, err
	}
	marker := []byte("BEGIN:" + emptyMarker + "\r\nEND:" + emptyMarker + "\r\n")
	if bytes.Count(out, marker) != 1 {
		return nil, fmt.Errorf("calendar: encode empty feed: marker not found")
	}
	return bytes.Replace(out, marker, nil, 1), nil
}
