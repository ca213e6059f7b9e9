package admin

import (
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"consult/booking"
	"consult/web/i18n"
)

// bookingRow is a booking as the admin lists show it, in the practice's zone.
type bookingRow struct {
	ID     int64
	When   string
	Date   string // YYYY-MM-DD in the practice's zone
	Status string
	Name   string
	Email  string
	// Title names the booking as its page does.
	Title string
}

func rowOf(b booking.AdminBooking, loc *time.Location, l i18n.Lang) bookingRow {
	return bookingRow{ID: b.ID, When: whenLabel(l, b.Start, b.End, loc), Date: booking.DateOf(b.Start.In(loc)).String(),
		Status: statusLabel(l, b.Status), Name: b.Name, Email: b.Email, Title: bookingTitle(l, b.Name, b.Start, loc)}
}

// bookingTitle names a booking by the client's initials and its time in
// the practice's zone: "Consultation with A. B., Thu 10 Dec 14:00". An
// erased client leaves "Consultation, Thu 10 Dec 14:00".
func bookingTitle(l i18n.Lang, name string, start time.Time, loc *time.Location) string {
	when := dateIn(l, start.In(loc), "Mon 2 Jan 15:04")
	if in := initials(name); in != "" {
		return msg(l, "admin.booking.title_with", "Initials", in, "When", when)
	}
	return msg(l, "admin.booking.title_erased", "When", when)
}

// initials shortens a name to the first letter of each of its words
// ("Ada King Lovelace": "A. K. L."), at most three, upper-cased.
func initials(name string) string {
	var out []string
	for _, w := range strings.Fields(name) {
		r := []rune(w)
		if len(out) == 3 || !unicode.IsLetter(r[0]) {
			continue
		}
		out = append(out, strings.ToUpper(string(r[0]))+".")
	}
	return strings.Join(out, " ")
}

// whenLabel shows a booking's time in the practice's zone, as every time
// in the practitioner's area is: "Tue 8 Dec 2026, 09:00–09:20 PST", with
// each end's offset instead on a day the clocks change in between.
func whenLabel(l i18n.Lang, start, end time.Time, loc *time.Location) string {
	sp := spanIn(l, start, end, loc.String(), "Mon 2 Jan 2006")
	label := sp.Date + ", " + sp.Start + "–" + sp.End
	if sp.EndDate != "" {
		label = sp.Date + ", " + sp.Start + " – " + sp.EndDate + ", " + sp.End
	}
	if !strings.Contains(sp.Start, "(") {
		label += " " + end.In(loc).Format("MST")
	}
	return label
}

func statusLabel(l i18n.Lang, st booking.Status) string {
	switch st {
	case booking.StatusConfirmed, booking.StatusCancelled, booking.StatusCompleted, booking.StatusNoShow:
		return msg(l, "admin.status."+string(st))
	}
	return string(st)
}

// previewDay is one day of a preview: its free slots as local times.
type previewDay struct {
	Date  string
	Slots []string
	// Bookable is how many of them clients could book under the daily
	// cap; Capped says the cap allows fewer than are offered.
	Bookable int
	Capped   bool
}

// previewData is what a proposed change would give.
type previewData struct {
	// Lang is the language of the page the preview is part of.
	Lang i18n.Lang
	Days []previewDay
	// Total is how many times clients would be offered, as the slots API
	// would list them; Bookable how many consultations they could book
	// under the daily cap (DailyCap, 0: none).
	Total, Bookable, DailyCap int
	// Outside are the upcoming bookings the change would leave outside the hours.
	Outside []bookingRow
}

// preview shows the free slots of the next two weeks under change, and
// the bookings it would leave outside the hours, without saving anything.
func (h *Handler) preview(c echo.Context, change booking.ScheduleChange) (*previewData, error) {
	pv, err := h.admin.Preview(c.Request().Context(), change)
	if err != nil {
		return nil, err
	}
	loc := pv.Location
	p := &previewData{Lang: lang(c), Total: len(pv.Slots), Bookable: pv.Bookable(), DailyCap: pv.DailyCap}
	for _, d := range pv.Days {
		day := previewDay{Date: dateIn(p.Lang, d.Date.In(12*60, loc), "Mon 2 Jan"), Bookable: d.Bookable, Capped: d.Bookable < len(d.Slots)}
		for _, sl := range d.Slots {
			day.Slots = append(day.Slots, sl.Start.In(loc).Format("15:04"))
		}
		p.Days = append(p.Days, day)
	}
	for _, b := range pv.Outside {
		p.Outside = append(p.Outside, rowOf(booking.AdminBooking{Booking: b}, loc, p.Lang))
	}
	return p, nil
}
