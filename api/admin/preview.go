package admin

import (
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/booking"
	"consult/web/timefmt"
)

// bookingRow is a booking as the admin lists show it, in the practice's zone.
type bookingRow struct {
	ID     int64
	When   string
	Date   string // YYYY-MM-DD in the practice's zone
	Status string
	Name   string
	Email  string
}

func rowOf(b booking.AdminBooking, loc *time.Location) bookingRow {
	return bookingRow{ID: b.ID, When: whenLabel(b.Start, b.End, loc), Date: booking.DateOf(b.Start.In(loc)).String(),
		Status: statusLabel(b.Status), Name: b.Name, Email: b.Email}
}

// whenLabel shows a booking's time in the practice's zone, as every time
// in the practitioner's area is: "Tue 8 Dec 2026, 09:00–09:20 PST", with
// each end's offset instead on a day the clocks change in between.
func whenLabel(start, end time.Time, loc *time.Location) string {
	sp := timefmt.SpanOf(start, end, loc.String(), timefmt.H24, "Mon 2 Jan 2006")
	label := sp.Date + ", " + sp.Start + "–" + sp.End
	if sp.EndDate != "" {
		label = sp.Date + ", " + sp.Start + " – " + sp.EndDate + ", " + sp.End
	}
	if !strings.Contains(sp.Start, "(") {
		label += " " + end.In(loc).Format("MST")
	}
	return label
}

func statusLabel(st booking.Status) string {
	switch st {
	case booking.StatusConfirmed:
		return "Confirmed"
	case booking.StatusCancelled:
		return "Cancelled"
	case booking.StatusCompleted:
		return "Completed"
	case booking.StatusNoShow:
		return "No-show"
	}
	return string(st)
}

// previewDay is one day of a preview: its free slots as local times.
type previewDay struct {
	Date  string
	Slots []string
}

// previewData is what a proposed change would give.
type previewData struct {
	Days  []previewDay
	Total int
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
	loc, today := pv.Location, pv.Today
	p := &previewData{Total: len(pv.Slots)}
	for d := today; d.Before(today.AddDays(booking.PreviewDays)); d = d.AddDays(1) {
		day := previewDay{Date: d.In(12*60, loc).Format("Mon 2 Jan")}
		for _, sl := range pv.Slots {
			if booking.DateOf(sl.Start.In(loc)) == d {
				day.Slots = append(day.Slots, sl.Start.In(loc).Format("15:04"))
			}
		}
		p.Days = append(p.Days, day)
	}
	for _, b := range pv.Outside {
		p.Outside = append(p.Outside, rowOf(booking.AdminBooking{Booking: b}, loc))
	}
	return p, nil
}
