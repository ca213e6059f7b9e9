package site

import (
	"net/url"
	"strings"
	"time"

	"consult/booking"
	"consult/web/i18n"
	"consult/web/timefmt"
)

// bookingView is a booking as the client's pages show it.
type bookingView struct {
	// Lang is the language of the page showing it.
	Lang        i18n.Lang
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

// modeChoices returns the modes offered in language l, chosen marked.
func modeChoices(l i18n.Lang, m booking.Modes, chosen booking.Mode) []modeChoice {
	var out []modeChoice
	for _, mode := range m.Enabled() {
		c := modeChoice{Mode: mode, Label: modeLabel(l, mode), Checked: mode == chosen,
			Hint: i18n.MustT(l, "site.mode."+string(mode)+".hint")}
		out = append(out, c)
	}
	return out
}

// modeLabel names a way of meeting in language l: "Video call".
func modeLabel(l i18n.Lang, m booking.Mode) string {
	if m == "" {
		return ""
	}
	return i18n.MustT(l, "site.mode."+string(m)+".label")
}

// when is a booking's time in one zone, as timefmt writes it.
type when struct {
	Date       string // "Tuesday 2 December 2026"
	Start, End string // "1:30 PM", or "1:40 AM (UTC−7)" when the clocks change in between
	Zone       string // "Los Angeles time (UTC−8)", or "Los Angeles time" when Start and End carry offsets
}

func whenIn(l i18n.Lang, start, end time.Time, zone string, hours timefmt.Hours) when {
	if _, err := booking.CheckZone(zone); err != nil {
		zone = "UTC"
	}
	sp := timefmt.SpanIn(start, end, zone, hours, l, i18n.Long)
	return when{Date: sp.Date, Start: sp.Start, End: sp.End, Zone: sp.Zone}
}

func (h *Handler) bookingView(l i18n.Lang, b *booking.Booking, token string, st booking.Settings, hours timefmt.Hours, now time.Time) bookingView {
	minutes := int(b.End.Sub(b.Start).Round(time.Minute) / time.Minute)
	v := bookingView{
		Lang: l, Name: b.Name, Email: b.Email,
		Cancelled: b.Status == booking.StatusCancelled,
		Held:      b.Status == booking.StatusHeld,
		Past:      !b.End.After(now),
		Client:    whenIn(l, b.Start, b.End, b.TimeZone, hours),
		Length:    i18n.MustN(l, "site.count.minutes", minutes),
		ICS:       "/manage/" + token + "/consultation.ics",
		ManageURL: h.url("/manage/" + token),
	}
	v.Upcoming = b.Status == booking.StatusConfirmed && b.Start.After(now)
	v.Meeting, v.Caller = booking.MeetingFor(st.Profile.Modes, *b), st.SenderName()
	if v.Upcoming && len(st.Profile.Modes.Enabled()) > 1 {
		v.Modes = modeChoices(l, st.Profile.Modes, b.Mode)
	}
	if p := whenIn(l, b.Start, b.End, st.TimeZone, hours); p != v.Client {
		v.Practice = &p
	}
	title, details := h.eventText(l, st, b.End.Sub(b.Start))
	v.Google = googleCalendarLink(title, details, b.Start, b.End)
	v.Outlook = outlookLink(title, details, b.Start, b.End)
	return v
}

// eventText is the title and description of "add to calendar" links. They
// never name the treatment, as others may see the client's calendar, and
// carry no manage link, as the URL passes through a third party.
func (h *Handler) eventText(l i18n.Lang, st booking.Settings, length time.Duration) (title, details string) {
	title = st.EventTitle
	if title == "" {
		title = st.DefaultEventTitle()
	}
	details = i18n.MustT(l, "site.calendar.details", "Minutes", int(length.Round(time.Minute)/time.Minute), "Name", st.SenderName())
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
