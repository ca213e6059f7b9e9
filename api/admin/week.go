package admin

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/booking"
	"consult/web/i18n"
)

// The week calendar, the admin area's home: days across, times down, in
// the practice's zone. It is a plain table (a list of days on phones),
// drawn on the server: no script is needed to read or move through it.

// calItem is one thing in a calendar cell or a day of the list.
type calItem struct {
	// Kind is "booking", "open" or "busy".
	Kind string
	// Time is its start ("09:00"), Span its start and end ("09:00–09:20").
	Time, Span string
	// For bookings: the client's initials, full name, status, detail page,
	// and how it happens: Mode in words ("video call"), ModeMark a letter
	// or two the grid has room for ("V"); both "" without a mode.
	Initials, Name, Status, Href string
	Mode, ModeMark               string
	// Confirmed is the booking's status being confirmed (Status is in words).
	Confirmed bool
	// Label names a busy block's calendar.
	Label string
	// Lang is the language of the page it is on.
	Lang i18n.Lang
}

// calCell is one day at one time of the grid.
type calCell struct {
	// InHours marks a time within the day's opening hours; Off a day
	// closed by time off or an override.
	InHours, Off bool
	Items        []calItem
}

// calRow is one time of the grid, for every day.
type calRow struct {
	Time string
	// Hour marks the first row of an hour.
	Hour  bool
	Cells []calCell
}

// calDay is one day's heading and, for the list on phones, its items.
type calDay struct {
	Date            string // YYYY-MM-DD
	Short, Long     string // "Mon 7", "Monday 7 December"
	Today, Past     bool
	TimeOff, Closed bool
	CapReached      bool
	Cap, Taken      int
	Bookings, Busy  []calItem
	Open            []string // the open slots' start times
	HasHours        bool
	BookingCount    int
	OpenCount       int
	HoursLabel      string // "09:00–12:00, 13:00–17:00", "" when closed
	CapLabel        string // "Daily limit reached (6 of 6)"
}

// weekData is the week calendar page.
type weekData struct {
	Label                      string // "30 Nov – 6 Dec 2026"
	Zone                       string
	PrevURL, NextURL, TodayURL string
	ThisWeek                   bool
	Days                       []calDay
	Rows                       []calRow
	// Busy holds other calendars' busy blocks of the week (see
	// booking.Week.Busy); they are drawn in the grid and the list.
	Busy         []booking.BusyBlock
	OutsideHours int
	FailedMail   string // "3 emails", "" for none
	Waiting      string // "2 people are waiting for a time", "" for none
}

// weekURL links to the week of d.
func weekURL(d booking.Date) string { return "/admin?week=" + d.String() }

// clockOf is the wall-clock minute of t in loc.
func clockOf(t time.Time, loc *time.Location) int {
	l := t.In(loc)
	return l.Hour()*60 + l.Minute()
}

func hhmm(min int) string {
	return time.Date(2000, 1, 1, 0, min, 0, 0, time.UTC).Format("15:04")
}

// Home is the week calendar.
func (h *Handler) Home(c echo.Context) error {
	ctx := c.Request().Context()
	var day booking.Date
	if v := c.QueryParam("week"); v != "" {
		d, err := booking.ParseDate(v)
		if err != nil || d.Year < 2000 || d.Year > 2200 {
			return booking.Errorf(booking.EINVALID, "Choose a week by a date written as YYYY-MM-DD.")
		}
		day = d
	}
	w, err := h.admin.Week(ctx, h.who(c), day)
	if err != nil {
		return err
	}
	outside, err := h.admin.OutsideHours(ctx, nil)
	if err != nil {
		return err
	}
	failed, err := h.failedMailCount(ctx)
	if err != nil {
		return err
	}
	waiting, err := h.store.WaitlistCount(ctx)
	if err != nil {
		return err
	}
	l := lang(c)
	d := buildWeek(w, l)
	d.OutsideHours, d.FailedMail = len(outside), failedLabel(l, failed)
	if waiting > 0 {
		d.Waiting = i18n.MustN(l, "admin.week.waiting", waiting)
	}
	title := msg(l, "admin.week.title", "Date", dateLabel(l, w.First))
	return h.render(c, http.StatusOK, "week", title, d, nil)
}

// buildWeek lays a week out as a grid and a list.
func buildWeek(w *booking.Week, l i18n.Lang) weekData {
	loc := w.Location
	last := w.First.AddDays(6)
	d := weekData{
		Zone: w.Settings.TimeZone, Busy: w.Busy,
		PrevURL: weekURL(w.First.AddDays(-7)), NextURL: weekURL(w.First.AddDays(7)), TodayURL: "/admin",
		ThisWeek: booking.MondayOf(w.Today) == w.First,
	}
	firstT, lastT := w.First.In(12*60, loc), last.In(12*60, loc)
	switch {
	case firstT.Year() == lastT.Year() && firstT.Month() == lastT.Month():
		d.Label = dateIn(l, firstT, "2") + " – " + dateIn(l, lastT, "2 January 2006")
	case firstT.Year() == lastT.Year():
		d.Label = dateIn(l, firstT, "2 January") + " – " + dateIn(l, lastT, "2 January 2006")
	default:
		d.Label = dateIn(l, firstT, "2 January 2006") + " – " + dateIn(l, lastT, "2 January 2006")
	}

	step := int(w.Settings.SlotLength / time.Minute)
	if step <= 0 || step > 60 {
		step = 20
	}
	// The grid spans the hours of the week, its bookings and busy
	// blocks, in whole hours; 09:00 to 17:00 when there is nothing.
	lo, hi := 24*60, 0
	widen := func(s, e time.Time, day booking.WeekDay) {
		a := clockOf(s, loc)
		b := a + int(e.Sub(s)/time.Minute)
		if s.Before(day.Start) {
			a = 0
		}
		lo, hi = min(lo, a), max(hi, min(b, 24*60))
	}
	for _, day := range w.Days {
		for _, r := range day.Hours {
			widen(r.Start, r.End, day)
		}
		for _, b := range day.Bookings {
			widen(b.Start, b.End, day)
		}
	}
	for _, bb := range w.Busy {
		for _, day := range w.Days {
			if bb.Start.Before(day.Next) && bb.End.After(day.Start) {
				s, e := maxTime(bb.Start, day.Start), minTime(bb.End, day.Next)
				widen(s, e, day)
			}
		}
	}
	if lo >= hi {
		lo, hi = 9*60, 17*60
	}
	lo, hi = lo/60*60, (hi+59)/60*60

	for _, day := range w.Days {
		noon := day.Date.In(12*60, loc)
		cd := calDay{
			Date: day.Date.String(), Short: dateIn(l, noon, "Mon 2"), Long: dateIn(l, noon, "Monday 2 January"),
			Today: day.Date == w.Today, Past: day.Date.Before(w.Today),
			TimeOff: day.TimeOff, Closed: day.Closed && !day.TimeOff, CapReached: day.CapReached,
			Cap: w.Settings.DailyCap, Taken: day.Taken, HasHours: len(day.Hours) > 0,
			BookingCount: len(day.Bookings), OpenCount: len(day.Open),
		}
		var ranges []booking.TimeRange
		for _, r := range day.Hours {
			a := clockOf(r.Start, loc)
			ranges = append(ranges, booking.TimeRange{Start: booking.Clock(a), End: booking.Clock(a + int(r.End.Sub(r.Start)/time.Minute))})
		}
		cd.HoursLabel = booking.FormatRanges(ranges)
		if cd.CapReached {
			cd.CapLabel = msg(l, "admin.week.cap_reached", "Taken", strconv.Itoa(day.Taken), "Cap", strconv.Itoa(w.Settings.DailyCap))
		}
		for _, b := range day.Bookings {
			cd.Bookings = append(cd.Bookings, bookingItem(b, loc, l))
		}
		for _, s := range day.Open {
			cd.Open = append(cd.Open, s.Start.In(loc).Format("15:04"))
		}
		for _, bb := range w.Busy {
			if bb.Start.Before(day.Next) && bb.End.After(day.Start) {
				cd.Busy = append(cd.Busy, busyItem(bb, loc, l))
			}
		}
		d.Days = append(d.Days, cd)
	}

	for t := lo; t < hi; t += step {
		row := calRow{Time: hhmm(t), Hour: t%60 == 0}
		for _, day := range w.Days {
			cell := calCell{Off: day.TimeOff || day.Closed}
			at := func(x time.Time) bool {
				if x.Before(day.Start) || !x.Before(day.Next) {
					return false
				}
				m := clockOf(x, loc)
				return m >= t && m < t+step
			}
			overlaps := func(s, e time.Time) bool {
				a := clockOf(maxTime(s, day.Start), loc)
				b := a + int(minTime(e, day.Next).Sub(maxTime(s, day.Start))/time.Minute)
				return a < t+step && b > t
			}
			for _, r := range day.Hours {
				if overlaps(r.Start, r.End) {
					cell.InHours = true
				}
			}
			for _, b := range day.Bookings {
				if at(b.Start) {
					cell.Items = append(cell.Items, bookingItem(b, loc, l))
				}
			}
			for _, s := range day.Open {
				if at(s.Start) {
					cell.Items = append(cell.Items, calItem{Kind: "open", Lang: l, Time: s.Start.In(loc).Format("15:04"),
						Span: s.Start.In(loc).Format("15:04") + "–" + s.End.In(loc).Format("15:04")})
				}
			}
			for _, bb := range w.Busy {
				if bb.Start.Before(day.Next) && bb.End.After(day.Start) && overlaps(bb.Start, bb.End) {
					cell.Items = append(cell.Items, busyItem(bb, loc, l))
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		d.Rows = append(d.Rows, row)
	}
	return d
}

func bookingItem(b booking.AdminBooking, loc *time.Location, l i18n.Lang) calItem {
	s, e := b.Start.In(loc).Format("15:04"), b.End.In(loc).Format("15:04")
	// The grid has room for "AB", not for "A. B.".
	short := strings.NewReplacer(".", "", " ", "").Replace(initials(b.Name))
	it := calItem{Kind: "booking", Lang: l, Time: s, Span: s + "–" + e, Initials: short, Name: b.Name,
		Status: statusLabel(l, b.Status), Confirmed: b.Status == booking.StatusConfirmed, Href: "/admin/bookings/" + strconv.FormatInt(b.ID, 10)}
	if it.Initials == "" {
		it.Initials, it.Name = "—", msg(l, "admin.week.erased")
	}
	if label := b.Mode.Label(); label != "" {
		it.Mode, it.ModeMark = msg(l, "admin.mode_lower."+string(b.Mode)), msg(l, "admin.mode_mark."+string(b.Mode))
	}
	return it
}

func busyItem(bb booking.BusyBlock, loc *time.Location, l i18n.Lang) calItem {
	s, e := bb.Start.In(loc).Format("15:04"), bb.End.In(loc).Format("15:04")
	return calItem{Kind: "busy", Time: s, Span: s + "–" + e, Label: bb.Label, Lang: l}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
