package admin

import (
	"strings"
	"testing"
	"time"

	"consult/booking"
	"consult/web/i18n"
)

// TestBuildWeekDrawsBusyBlocks: busy blocks put in booking.Week.Busy (by
// calendar sources) are drawn in every row they cover and listed under
// their day, and widen the grid to the hours they take.
func TestBuildWeekDrawsBusyBlocks(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	first := booking.Date{Year: 2026, Month: 12, Day: 7}
	w := &booking.Week{Location: la, Today: first, First: first,
		Settings: booking.Settings{TimeZone: "America/Los_Angeles", SlotLength: 20 * time.Minute}}
	for i := range w.Days {
		d := first.AddDays(i)
		w.Days[i] = booking.WeekDay{Date: d, Start: booking.StartOfDay(d, la), Next: booking.StartOfDay(d.AddDays(1), la)}
	}
	w.Days[1].Hours = []booking.Interval{{Start: time.Date(2026, 12, 8, 9, 0, 0, 0, la), End: time.Date(2026, 12, 8, 12, 0, 0, 0, la)}}
	w.Busy = []booking.BusyBlock{{Start: time.Date(2026, 12, 8, 18, 0, 0, 0, la), End: time.Date(2026, 12, 8, 19, 0, 0, 0, la), Label: "Work calendar"}}

	d := buildWeek(w, i18n.EN)
	if got := d.Rows[0].Time + "…" + d.Rows[len(d.Rows)-1].Time; got != "09:00…18:40" {
		t.Errorf("the grid runs %s, want 09:00…18:40", got)
	}
	busy := 0
	for _, r := range d.Rows {
		for i, c := range r.Cells {
			for _, it := range c.Items {
				if it.Kind == "busy" {
					busy++
					if i != 1 || it.Span != "18:00–19:00" || !strings.HasPrefix(r.Time, "18:") {
						t.Errorf("busy drawn on day %d at %s as %+v", i, r.Time, it)
					}
				}
			}
		}
	}
	if busy != 3 {
		t.Errorf("the hour is drawn in %d rows, want 3", busy)
	}
	if got := d.Days[1].Busy; len(got) != 1 || got[0].Label != "Work calendar" {
		t.Errorf("Tuesday's list: %+v", got)
	}
	if len(d.Days[2].Busy) != 0 {
		t.Errorf("Wednesday lists %+v", d.Days[2].Busy)
	}
}
