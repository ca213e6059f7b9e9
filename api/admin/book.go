package admin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
	"consult/web/i18n"
	"consult/web/timefmt"
)

// timeFormData is the form that books a client or moves a booking: a
// date and a time in the practice's zone, with that day's open times.
type timeFormData struct {
	// Move is the booking being moved, and Own its time; nil when
	// booking a client.
	Move *bookingRow
	Own  *booking.Interval
	// Action is where the form posts; Base the page the open times link to.
	Action, Base string
	Zone         string // "Los Angeles time"
	Date, Time   string // the chosen date (YYYY-MM-DD) and time (HH:MM)
	DayLabel     string // "Wed 2 Dec 2026"
	Open         []openTime
	Min, Max     string // the date input's bounds
	// Name, Email and Phone are the client's, when booking one.
	Name, Email, Phone string
	// Client is the id of the booking whose client is booked again, "" for a new one.
	Client string
	// AskOverride shows the "outside your usual rules" confirmation.
	AskOverride bool
}

// openTime is one free start on the day shown.
type openTime struct {
	Label, URL string
	Chosen     bool
}

// openTimesDays is how far ahead the form looks for the first day with
// an open time, when no day is chosen.
const openTimesDays = 21

// timeForm fills the date, time and open times of a form for base.
func (h *Handler) timeForm(c echo.Context, d *timeFormData, date, clock string) error {
	ctx := c.Request().Context()
	loc, st, err := h.zone(c)
	if err != nil {
		return err
	}
	today := booking.DateOf(h.now().In(loc))
	d.Zone = timefmt.PlaceTime(lang(c), st.TimeZone)
	d.Min, d.Max = today.String(), today.AddDays(730).String()
	day, err := booking.ParseDate(date)
	if err != nil || day.Before(today) || today.AddDays(730).Before(day) {
		day = today
		if date == "" {
			// The first day with an open time, so the list is worth reading.
			slots, _, err := h.svc.Slots(ctx, today.In(0, loc), today.AddDays(openTimesDays).In(0, loc))
			if err != nil {
				return err
			}
			if len(slots) > 0 {
				day = booking.DateOf(slots[0].Start.In(loc))
			}
		}
	}
	d.Date, d.Time = day.String(), clock
	d.DayLabel = dateIn(lang(c), day.In(12*60, loc), "Mon 2 Jan 2006")
	var slots []booking.Slot
	if d.Own != nil {
		slots, err = h.svc.SlotsAround(ctx, day.In(0, loc), day.AddDays(1).In(0, loc), *d.Own)
	} else {
		slots, _, err = h.svc.Slots(ctx, day.In(0, loc), day.AddDays(1).In(0, loc))
	}
	if err != nil {
		return err
	}
	for _, s := range slots {
		label := timefmt.Clock(s.Start.In(loc), timefmt.H24)
		q := url.Values{"date": {d.Date}, "time": {label}}
		if d.Client != "" {
			q.Set("client", d.Client)
		}
		d.Open = append(d.Open, openTime{Label: label, URL: d.Base + "?" + q.Encode(), Chosen: label == clock})
	}
	return nil
}

// chosenStart reads the form's date and time as an instant in the
// practice's zone; a message at the field (date or start) when it cannot.
func (h *Handler) chosenStart(c echo.Context) (time.Time, map[string]string, error) {
	loc, _, err := h.zone(c)
	if err != nil {
		return time.Time{}, nil, err
	}
	day, err := booking.ParseDate(strings.TrimSpace(c.FormValue("date")))
	if err != nil {
		return time.Time{}, map[string]string{"date": "Choose a date."}, nil
	}
	t := strings.TrimSpace(c.FormValue("time"))
	if len(t) == len("15:04:05") && strings.HasSuffix(t, ":00") {
		t = t[:5] // a browser's time input may send seconds
	}
	clock, err := booking.ParseClock(t)
	if err != nil {
		return time.Time{}, map[string]string{"start": "Choose a time, such as 09:00."}, nil
	}
	start := day.In(clock, loc)
	if got := start.In(loc); booking.DateOf(got) != day || got.Hour()*60+got.Minute() != int(clock) {
		// In the hour the clocks skip, the time never shows.
		return time.Time{}, map[string]string{"start": "The clocks go forward then, so that time does not exist that day. Choose a later time."}, nil
	}
	return start, nil, nil
}

// timeErrors turns a refused time into messages at the form's fields,
// and says whether the override should be offered; any other error is
// returned as it is.
func timeErrors(l i18n.Lang, err error) (map[string]string, bool, error) {
	var de *booking.Error
	if !errors.As(err, &de) {
		return nil, false, err
	}
	switch {
	case de.Kind == booking.RefusedOutsideRules:
		return map[string]string{"start": tr(l, de.Message) + " " + msg(l, "admin.book.tick")}, true, nil
	case de.Kind == booking.RefusedTaken:
		return map[string]string{"start": "Another consultation is booked at that time. Choose one of the open times, or another time."}, false, nil
	case de.Code == booking.EINVALID:
		return fieldErrors(err), false, nil
	case de.Code == booking.ECONFLICT:
		return map[string]string{"form": de.Message}, false, nil
	}
	return nil, false, err
}

// BookForm shows the form that books a client at a chosen time; with
// ?client= a booking's id, for that booking's client again, their details
// filled in (the link names only the id, never the client).
func (h *Handler) BookForm(c echo.Context) error {
	d := &timeFormData{Action: "/admin/bookings/new", Base: "/admin/bookings/new"}
	if v := c.QueryParam("client"); v != "" {
		var id int64
		if _, err := fmt.Sscan(v, &id); err != nil || id <= 0 {
			return booking.Errorf(booking.ENOTFOUND, "We could not find that booking.")
		}
		b, err := h.admin.Booking(c.Request().Context(), h.who(c), id)
		if err != nil {
			return err
		}
		if !strings.HasSuffix(b.Email, "@invalid") { // erased
			d.Name, d.Email, d.Phone = b.Name, b.Email, b.Phone
		}
		d.Client = v
	}
	if err := h.timeForm(c, d, c.QueryParam("date"), c.QueryParam("time")); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "book", "Book a client", d, nil)
}

// BookClient books the posted client at the posted time; a time outside
// the rules needs the form's confirmation.
func (h *Handler) BookClient(c echo.Context) error {
	d := &timeFormData{Action: "/admin/bookings/new", Base: "/admin/bookings/new",
		Name: c.FormValue("name"), Email: c.FormValue("email"), Phone: c.FormValue("phone")}
	again := func(errs map[string]string) error {
		if err := h.timeForm(c, d, c.FormValue("date"), c.FormValue("time")); err != nil {
			return err
		}
		return h.render(c, http.StatusUnprocessableEntity, "book", "Book a client", d, errs)
	}
	start, errs, err := h.chosenStart(c)
	if err != nil {
		return err
	}
	cb := booking.ClientBooking{Start: start, Name: d.Name, Email: d.Email, Phone: d.Phone,
		OverrideRules: c.FormValue("override_rules") != ""}
	if errs != nil {
		// Name every field that needs fixing at once.
		if fe := fieldErrors(cb.Validate()); fe != nil {
			delete(fe, "start")
			for k, v := range fe {
				errs[k] = v
			}
		}
		return again(errs)
	}
	b, err := h.admin.BookForClient(c.Request().Context(), h.who(c), cb)
	if err != nil {
		errs, ask, err := timeErrors(lang(c), err)
		if err != nil {
			return err
		}
		d.AskOverride = ask
		return again(errs)
	}
	return h.redirect(c, fmt.Sprintf("/admin/bookings/%d", b.ID), "Booked. The client will get the confirmation and calendar invitation by email.")
}

// moveForm loads the booking of the path for its move form.
func (h *Handler) moveForm(c echo.Context) (*timeFormData, *booking.AdminBooking, error) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return nil, nil, err
	}
	b, err := h.store.AdminBooking(c.Request().Context(), id)
	if err != nil {
		return nil, nil, err
	}
	loc, _, err := h.zone(c)
	if err != nil {
		return nil, nil, err
	}
	row := rowOf(*b, loc, lang(c))
	base := fmt.Sprintf("/admin/bookings/%d/move", id)
	own := b.Interval()
	return &timeFormData{Move: &row, Own: &own, Action: base, Base: base}, b, nil
}

// MoveForm shows the form that moves a booking to another time.
func (h *Handler) MoveForm(c echo.Context) error {
	d, b, err := h.moveForm(c)
	if err != nil {
		return err
	}
	if b.Status != booking.StatusConfirmed || !b.Start.After(h.now()) {
		return h.redirect(c, fmt.Sprintf("/admin/bookings/%d", b.ID), "Only an upcoming, confirmed booking can be moved.")
	}
	if err := h.record(c, "booking.view", fmt.Sprintf("booking:%d", b.ID)); err != nil {
		return err
	}
	date := c.QueryParam("date")
	if date == "" {
		loc, _, err := h.zone(c)
		if err != nil {
			return err
		}
		date = booking.DateOf(b.Start.In(loc)).String()
	}
	if err := h.timeForm(c, d, date, c.QueryParam("time")); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "book", msg(lang(c), "admin.book.move_title", "Booking", d.Move.Title), d, nil)
}

// MoveBooking moves a booking to the posted time; a time outside the
// rules needs the form's confirmation.
func (h *Handler) MoveBooking(c echo.Context) error {
	d, b, err := h.moveForm(c)
	if err != nil {
		return err
	}
	again := func(errs map[string]string) error {
		if err := h.timeForm(c, d, c.FormValue("date"), c.FormValue("time")); err != nil {
			return err
		}
		return h.render(c, http.StatusUnprocessableEntity, "book", msg(lang(c), "admin.book.move_title", "Booking", d.Move.Title), d, errs)
	}
	start, errs, err := h.chosenStart(c)
	if err != nil {
		return err
	}
	if errs != nil {
		return again(errs)
	}
	if _, err := h.admin.MoveBooking(c.Request().Context(), h.who(c), b.ID, start, c.FormValue("override_rules") != ""); err != nil {
		errs, ask, err := timeErrors(lang(c), err)
		if err != nil {
			return err
		}
		d.AskOverride = ask
		return again(errs)
	}
	return h.redirect(c, fmt.Sprintf("/admin/bookings/%d", b.ID), "Moved. The client will get the new time and an updated calendar invitation by email.")
}
