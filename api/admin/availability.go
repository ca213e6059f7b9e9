package admin

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
	"consult/web/i18n"
)

// weekOrder lists weekdays as the practitioner reads a week.
var weekOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

type overrideRow struct {
	Date   string
	Label  string
	Closed bool
	Hours  string
}

type timeOffRow struct {
	ID          int64
	First, Last string
	Label       string
}

// availabilityForm holds what was typed into the override and time-off
// forms, to show it again beside any error.
type availabilityForm struct {
	Date, First, Last string
	Windows           []timeRow
	Closed            bool
}

// availabilityData is the availability page.
type availabilityData struct {
	TimeZone  string
	Days      []weekdayRow
	Overrides []overrideRow
	TimeOff   []timeOffRow
	Form      availabilityForm
	// Preview is set when a change was previewed rather than saved.
	Preview *previewData
	// PreviewOf names the previewed change.
	PreviewOf string
	// Outside are upcoming bookings outside the current hours.
	Outside []bookingRow
	// WeekNote says what a row button changed in the weekly form, not
	// saved yet.
	WeekNote string
}

// loadAvailabilityPage fills the page from what is stored; days, when not
// nil, replaces the weekly rows with what was typed.
func (h *Handler) loadAvailabilityPage(c echo.Context, days []weekdayRow) (*availabilityData, error) {
	ctx := c.Request().Context()
	loc, st, err := h.zone(c)
	if err != nil {
		return nil, err
	}
	av, err := h.admin.Availability(ctx)
	if err != nil {
		return nil, err
	}
	l := lang(c)
	d := &availabilityData{TimeZone: st.TimeZone, Days: days, Form: availabilityForm{Windows: []timeRow{{}, {}}}}
	if d.Days == nil {
		for _, wd := range weekOrder {
			var rs []booking.TimeRange
			for _, w := range av.Weekly {
				if w.Weekday == wd {
					rs = append(rs, w.TimeRange)
				}
			}
			slices.SortFunc(rs, func(a, b booking.TimeRange) int { return int(a.Start - b.Start) })
			d.Days = append(d.Days, weekdayRow{Weekday: int(wd), Field: "hours_" + strconv.Itoa(int(wd)), Name: i18n.Weekday(l, wd), Rows: rowsOf(rs)})
		}
	}
	for _, o := range av.Overrides {
		d.Overrides = append(d.Overrides, overrideRow{Date: o.Date.String(), Label: dateLabel(l, o.Date), Closed: o.Closed, Hours: booking.FormatRanges(o.Windows)})
	}
	for _, t := range av.TimeOff {
		d.TimeOff = append(d.TimeOff, timeOffRow{ID: t.ID, First: t.First.String(), Last: t.Last.String(),
			Label: msg(l, "admin.hours.from_to", "First", dateLabel(l, t.First), "Last", dateLabel(l, t.Last))})
	}
	outside, err := h.admin.OutsideHours(ctx, nil)
	if err != nil {
		return nil, err
	}
	for _, b := range outside {
		d.Outside = append(d.Outside, rowOf(booking.AdminBooking{Booking: b}, loc, l))
	}
	return d, nil
}

// dateLabel reads "Thu 24 Dec 2026".
func dateLabel(l i18n.Lang, d booking.Date) string {
	return dateIn(l, time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC), "Mon 2 Jan 2006")
}

// Availability shows the weekly hours, special dates and time off.
func (h *Handler) Availability(c echo.Context) error {
	d, err := h.loadAvailabilityPage(c, nil)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "availability", "Hours and days off", d, nil)
}

// renderAvailability shows the page again with a preview or errors.
func (h *Handler) renderAvailability(c echo.Context, days []weekdayRow, form availabilityForm, p *previewData, of string, errs map[string]string) error {
	d, err := h.loadAvailabilityPage(c, days)
	if err != nil {
		return err
	}
	if form.Windows == nil {
		form.Windows = d.Form.Windows
	}
	d.Form, d.Preview, d.PreviewOf = form, p, of
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return h.render(c, status, "availability", "Hours and days off", d, errs)
}

// parseWeeklyForm reads the rows of the seven days (start_N, end_N).
func parseWeeklyForm(c echo.Context) ([]weekdayRow, []booking.WeeklyWindow, map[string]string) {
	l := lang(c)
	var rows []weekdayRow
	var ws []booking.WeeklyWindow
	errs := map[string]string{}
	form, _ := c.FormParams()
	for _, wd := range weekOrder {
		n := strconv.Itoa(int(wd))
		day := weekdayRow{Weekday: int(wd), Field: "hours_" + n, Name: i18n.Weekday(l, wd), Rows: formRows(form["start_"+n], form["end_"+n])}
		if len(day.Rows) == 0 {
			day.Rows = []timeRow{{}}
		}
		rows = append(rows, day)
		rs, problem := parseRows(day.Rows)
		if problem != "" {
			errs[day.Field] = msg(l, "admin.hours.check_day", "Day", day.Name, "Problem", tr(l, problem))
			continue
		}
		for _, r := range rs {
			ws = append(ws, booking.WeeklyWindow{Weekday: wd, TimeRange: r})
		}
	}
	return rows, ws, errs
}

// SaveWeekly saves the weekly hours, previews them, or adds, removes or
// copies rows of the form (saving nothing).
func (h *Handler) SaveWeekly(c echo.Context) error {
	rows, ws, errs := parseWeeklyForm(c)
	if note, ok := editWeek(lang(c), rows, c.FormValue("action")); ok {
		d, err := h.loadAvailabilityPage(c, rows)
		if err != nil {
			return err
		}
		d.WeekNote = note + " Nothing is saved until you press Save weekly hours."
		return h.render(c, http.StatusOK, "availability", "Hours and days off", d, nil)
	}
	if len(errs) > 0 {
		return h.renderAvailability(c, rows, availabilityForm{}, nil, "", errs)
	}
	if c.FormValue("action") == "preview" {
		p, err := h.preview(c, booking.ChangeWeekly(ws))
		if err != nil {
			return err
		}
		return h.renderAvailability(c, rows, availabilityForm{}, p, msg(lang(c), "admin.hours.preview_weekly"), nil)
	}
	if err := h.admin.SaveWeekly(c.Request().Context(), h.who(c), ws); err != nil {
		if fe := fieldErrors(err); fe != nil {
			return h.renderAvailability(c, rows, availabilityForm{}, nil, "", fe)
		}
		return err
	}
	return h.redirect(c, "/admin/availability", "Weekly hours saved.")
}

// parseOverrideForm reads the date-override form.
func parseOverrideForm(c echo.Context) (availabilityForm, booking.Override, map[string]string) {
	form, _ := c.FormParams()
	f := availabilityForm{Date: c.FormValue("date"), Windows: formRows(form["window_start"], form["window_end"]), Closed: c.FormValue("closed") != ""}
	for len(f.Windows) < 2 {
		f.Windows = append(f.Windows, timeRow{})
	}
	o := booking.Override{Closed: f.Closed}
	errs := map[string]string{}
	d, err := booking.ParseDate(f.Date)
	if err != nil {
		errs["date"] = "Choose a date."
	}
	o.Date = d
	if !f.Closed {
		rs, problem := parseRows(f.Windows)
		if problem != "" {
			errs["windows"] = msg(lang(c), "admin.hours.check_hours", "Problem", tr(lang(c), problem))
		}
		o.Windows = rs
	}
	if len(errs) == 0 {
		if fe := fieldErrors(booking.ValidateOverride(o)); fe != nil {
			errs = fe
		}
	}
	return f, o, errs
}

// SaveOverride saves the hours of one date, or previews them.
func (h *Handler) SaveOverride(c echo.Context) error {
	f, o, errs := parseOverrideForm(c)
	if len(errs) == 0 {
		if err := h.admin.NotPast(c.Request().Context(), "date", o.Date); err != nil {
			if errs = fieldErrors(err); errs == nil {
				return err
			}
		}
	}
	if len(errs) > 0 {
		return h.renderAvailability(c, nil, f, nil, "", errs)
	}
	if c.FormValue("action") == "preview" {
		av, err := h.admin.Availability(c.Request().Context())
		if err != nil {
			return err
		}
		p, err := h.preview(c, booking.ChangeOverride(o, av.TimeOff))
		if err != nil {
			return err
		}
		return h.renderAvailability(c, nil, f, p, msg(lang(c), "admin.hours.preview_date", "Date", dateLabel(lang(c), o.Date)), nil)
	}
	if err := h.admin.SetOverride(c.Request().Context(), h.who(c), o); err != nil {
		if fe := fieldErrors(err); fe != nil {
			return h.renderAvailability(c, nil, f, nil, "", fe)
		}
		return err
	}
	return h.redirect(c, "/admin/availability", msg(lang(c), "admin.hours.date_saved", "Date", dateLabel(lang(c), o.Date)))
}

// DeleteOverride returns a date to the weekly hours.
func (h *Handler) DeleteOverride(c echo.Context) error {
	d, err := booking.ParseDate(c.Param("date"))
	if err != nil {
		return booking.Errorf(booking.ENOTFOUND, "Not found.")
	}
	if err := h.admin.DeleteOverride(c.Request().Context(), h.who(c), d); err != nil {
		return err
	}
	return h.redirect(c, "/admin/availability", msg(lang(c), "admin.hours.date_removed", "Date", dateLabel(lang(c), d)))
}

// parseTimeOffForm reads the time-off form; an empty last day means one day.
func parseTimeOffForm(c echo.Context) (availabilityForm, booking.Date, booking.Date, map[string]string) {
	f := availabilityForm{First: c.FormValue("first"), Last: c.FormValue("last")}
	errs := map[string]string{}
	first, err := booking.ParseDate(f.First)
	if err != nil {
		errs["first"] = "Choose the first day off."
	}
	last := first
	if f.Last != "" {
		if last, err = booking.ParseDate(f.Last); err != nil {
			errs["last"] = "Choose the last day off."
		}
	}
	if len(errs) == 0 {
		if fe := fieldErrors(booking.ValidateTimeOff(first, last)); fe != nil {
			errs = fe
		}
	}
	return f, first, last, errs
}

// AddTimeOff closes a range of dates, or previews it.
func (h *Handler) AddTimeOff(c echo.Context) error {
	f, first, last, errs := parseTimeOffForm(c)
	if len(errs) == 0 {
		if err := h.admin.NotPast(c.Request().Context(), "first", first); err != nil {
			if errs = fieldErrors(err); errs == nil {
				return err
			}
		}
	}
	if len(errs) > 0 {
		return h.renderAvailability(c, nil, f, nil, "", errs)
	}
	if c.FormValue("action") == "preview" {
		p, err := h.preview(c, booking.ChangeTimeOff(first, last))
		if err != nil {
			return err
		}
		return h.renderAvailability(c, nil, f, p, msg(lang(c), "admin.hours.preview_time_off", "First", dateLabel(lang(c), first), "Last", dateLabel(lang(c), last)), nil)
	}
	if _, err := h.admin.AddTimeOff(c.Request().Context(), h.who(c), first, last); err != nil {
		if fe := fieldErrors(err); fe != nil {
			return h.renderAvailability(c, nil, f, nil, "", fe)
		}
		return err
	}
	return h.redirect(c, "/admin/availability", "Time off saved.")
}

// DeleteTimeOff removes a range of time off.
func (h *Handler) DeleteTimeOff(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.admin.DeleteTimeOff(c.Request().Context(), h.who(c), id); err != nil {
		return err
	}
	return h.redirect(c, "/admin/availability", "Time off removed.")
}
