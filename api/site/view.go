package site

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"consult/booking"
	"consult/web/timefmt"
)

// bookingView is a booking as the client's pages show it.
type bookingView struct {
	Name, Email string
	Cancelled   bool
	Held        bool // held for the client to confirm
	Past        bool
	// Upcoming bookings can still be cancelled or moved.
	Upcoming bool
	// Client is the time in the client's zone; Practice is the same time in
	// the practice's zone, nil when both zones read the same.
	Client   when
	Practice *when
	Length   string
	// ICS, Google and Outlook add the consultation to a calendar.
	ICS, Google, Outlook string
	// ManageURL is the absolute private link.
	ManageURL string
	// Meeting is how the consultation happens; Caller calls, for a
	// phone call, at CallAt.
	Meeting booking.Meeting
	Caller  string
	// Modes are the other ways it could happen, when the practice offers
	// more than one (part of rescheduling).
	Modes []modeChoice
}

// modeChoice is one way of meeting offered on a form.
type modeChoice struct {
	Mode    booking.Mode
	Label   string
	Hint    string
	Checked bool
}

// modeChoices returns the modes offered, chosen marked.
func modeChoices(m booking.Modes, chosen booking.Mode) []modeChoice {
	var out []modeChoice
	for _, mode := range m.Enabled() {
		c := modeChoice{Mode: mode, Label: mode.Label(), Checked: mode == chosen}
		switch mode {
		case booking.ModeVideo:
			c.Hint = "You get the link to join in your confirmation."
		case booking.ModePhone:
			c.Hint = "You are called on the phone number you give below."
		case booking.ModeInPerson:
			c.Hint = "You get the address in your confirmation."
		}
		out = append(out, c)
	}
	return out
}

// when is a booking's time in one zone, as timefmt writes it.
type when struct {
	Date       string // "Tuesday 2 December 2026"
	Start, End string // "1:30 PM", or "1:40 AM (UTC−7)" when the clocks change in between
	Zone       string // "Los Angeles time (UTC−8)", or "Los Angeles time" when Start and End carry offsets
}

func whenIn(start, end time.Time, zone string, hours timefmt.Hours) when {
	if _, err := booking.CheckZone(zone); err != nil {
		zone = "UTC"
	}
	sp := timefmt.SpanOf(start, end, zone, hours, dayYearFormat)
	return when{Date: sp.Date, Start: sp.Start, End: sp.End, Zone: sp.Zone}
}

func (h *Handler) bookingView(b *booking.Booking, token string, st booking.Settings, hours timefmt.Hours, now time.Time) bookingView {
	v := bookingView{
		Name: b.Name, Email: b.Email,
		Cancelled: b.Status == booking.StatusCancelled,
		Held:      b.Status == booking.StatusHeld,
		Past:      !b.End.After(now),
		Client:    whenIn(b.Start, b.End, b.TimeZone, hours),
		Length:    fmt.Sprintf("%d minutes", int(b.End.Sub(b.Start).Round(time.Minute)/time.Minute)),
		ICS:       "/manage/" + token + "/consultation.ics",
		ManageURL: h.url("/manage/" + token),
	}
	v.Upcoming = b.Status == booking.StatusConfirmed && b.Start.After(now)
	v.Meeting, v.Caller = booking.MeetingFor(st.Profile.Modes, *b), st.SenderName()
	if v.Upcoming && len(st.Profile.Modes.Enabled()) > 1 {
		v.Modes = modeChoices(st.Profile.Modes, b.Mode)
	}
	if p := whenIn(b.Start, b.End, st.TimeZone, hours); p != v.Client {
		v.Practice = &p
	}
	title, details := h.eventText(st, b.End.Sub(b.Start))
	v.Google = googleCalendarLink(title, details, b.Start, b.End)
	v.Outlook = outlookLink(title, details, b.Start, b.End)
	return v
}

// eventText is the title and description of "add to calendar" links. They
// never name the treatment, as others may see the client's calendar, and
// carry no manage link, as the URL passes through a third party.
func (h *Handler) eventText(st booking.Settings, length time.Duration) (title, details string) {
	title = st.EventTitle
	if title == "" {
		title = st.DefaultEventTitle()
	}
	details = fmt.Sprintf("Your free %d-minute consultation with ", int(length.Round(time.Minute)/time.Minute)) + st.SenderName() +
		". To cancel or reschedule, use the private link in your confirmation email."
	return title, details
}

// googleCalendarLink opens Google Calendar's "new event" form, prefilled.
func googleCalendarLink(title, details string, start, end time.Time) string {
	const f = "20060102T150405Z"
	q := url.Values{"action": {"TEMPLATE"}, "text": {title}, "details": {details},
		"dates": {start.UTC().Format(f) + "/" + end.UTC().Format(f)}}
	return "https://calendar.google.com/calendar/render?" + encodeQuery(q)
}

// outlookLink opens Outlook on the web's "new event" form, prefilled.
func outlookLink(title, details string, start, end time.Time) string {
	q := url.Values{"path": {"/calendar/action/compose"}, "rru": {"addevent"}, "subject": {title}, "body": {details},
		"startdt": {start.UTC().Format(time.RFC3339)}, "enddt": {end.UTC().Format(time.RFC3339)}}
	return "https://outlook.live.com/calendar/0/deeplink/compose?" + encodeQuery(q)
}

// encodeQuery encodes spaces as %20: Outlook shows a "+" literally.
func encodeQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "+", "%20")
}
