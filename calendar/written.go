package calendar

import (
	"strconv"
	"time"

	"github.com/emersion/go-ical"

	"consult/booking"
)

// BookingObject is the event written into the practitioner's own CalDAV
// calendar for booking b, under uid (booking.OwnEventUIDFor, so that
// reading the calendar back leaves it out). Its title is neutral: the
// practice's event title, or "Consultation", with the client's initials,
// or their name only when full is set; the description is a link to the
// booking in the admin area, never the client's contact details or note,
// since such calendars are kept by third parties and often shared.
func BookingObject(p Practice, b booking.Booking, uid string, full bool, now time.Time) (*ical.Calendar, error) {
	pr, err := p.prepare()
	if err != nil {
		return nil, err
	}
	if err := checkBooking(b); err != nil {
		return nil, err
	}
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, prodID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	title := "Consultation"
	if p.EventTitle != "" {
		title = p.EventTitle
	}
	who := Initials(b.Name)
	if full {
		who = b.Name
	}
	link := pr.link("/admin/bookings/"+strconv.FormatInt(b.ID, 10), nil)
	ev := ical.NewEvent()
	setEventBase(ev, pr, uid, b.Start, b.End, now)
	// In the practitioner's own calendar the event is theirs: an
	// organiser would make servers treat it as someone else's invitation.
	ev.Props.Del(ical.PropOrganizer)
	ev.Props.Set(seqProp(b.Sequence))
	setURI(ev.Props, ical.PropURL, link)
	setChangeTimes(ev, b)
	ev.Props.SetText(ical.PropClass, "PRIVATE")
	setText(ev.Props, ical.PropSummary, oneLine(title+": "+who))
	setText(ev.Props, ical.PropDescription, "Details: "+link)
	ev.SetStatus(ical.EventConfirmed)
	ev.Props.SetText(ical.PropTransparency, "OPAQUE")
	cal.Children = append(cal.Children, ev.Component)
	return cal, nil
}
