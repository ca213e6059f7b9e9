package admin

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
	"consult/web/i18n"
)

// The linked calendars page: the practitioner's own calendars whose busy
// time blocks consultation times, how each was last read, and what they
// block over the next two weeks beside the hours.

// CalendarSyncer reads one linked calendar now and clears the bookings
// written into one being unlinked (calsync.Calendars).
type CalendarSyncer interface {
	Sync(ctx context.Context, id int64) (*booking.CalendarSource, error)
	RemoveWritten(ctx context.Context, id int64) (int, error)
}

// sourceRow is a linked calendar as listed.
type sourceRow struct {
	ID            int64
	Kind, Host    string
	Username      string
	State         string // ok, error, pending
	StateLabel    string
	LastSuccess   string
	Error         string
	Blocking      bool
	BusyIntervals int
	WriteBookings bool
}

// busyDay is one day of the two weeks shown.
type busyDay struct {
	Label string
	Hours []string // empty: closed
	Busy  []busyTime
}

// busyTime is one busy time of a day, and the calendar it is from when
// several are linked.
type busyTime struct {
	Time, Calendar string
}

// sourceForm is what was typed into the add form, shown again beside an
// error; the password never is.
type sourceForm struct {
	Kind, URL, Username, OwnerEmail string
	IgnoreDeclined, WriteBookings   bool
}

type calendarsData struct {
	Sources  []sourceRow
	Days     []busyDay
	TimeZone string
	Form     sourceForm
	CanSync  bool
}

// busyDays is how many days of busy time the page shows.
const busyDays = 14

func (h *Handler) renderCalendars(c echo.Context, status int, form sourceForm, errs map[string]string) error {
	ctx := c.Request().Context()
	loc, _, err := h.zone(c)
	if err != nil {
		return err
	}
	srcs, err := h.admin.CalendarSources(ctx)
	if err != nil {
		return err
	}
	l := lang(c)
	d := calendarsData{TimeZone: loc.String(), Form: form, CanSync: h.calendars != nil}
	hosts := map[int64]string{}
	for _, s := range srcs {
		hosts[s.ID] = s.Host
		row := sourceRow{ID: s.ID, Kind: kindLabel(l, s.Kind), Host: s.Host, Username: s.Username, State: s.Status,
			Error: s.LastError, Blocking: s.Stale, BusyIntervals: s.BusyIntervals, WriteBookings: s.WriteBookings}
		switch s.Status {
		case booking.SourceOK:
			row.StateLabel = msg(l, "admin.calendars.read")
		case booking.SourceError:
			row.StateLabel = msg(l, "admin.calendars.unreadable")
		default:
			row.StateLabel = msg(l, "admin.calendars.not_yet")
		}
		if s.LastSuccess != nil {
			row.LastSuccess = dateIn(l, s.LastSuccess.In(loc), "Mon 2 Jan 15:04 MST")
		}
		d.Sources = append(d.Sources, row)
	}

	today := booking.DateOf(h.clock().In(loc))
	last := today.AddDays(busyDays - 1)
	sched, err := h.svc.Store.Schedule(ctx, today, last)
	if err != nil {
		return err
	}
	from, to := booking.StartOfDay(today, loc), booking.StartOfDay(last.AddDays(1), loc)
	busy, err := h.admin.CalendarBusy(ctx, from, to)
	if err != nil {
		return err
	}
	for day := today; !last.Before(day); day = day.AddDays(1) {
		start, end := booking.StartOfDay(day, loc), booking.StartOfDay(day.AddDays(1), loc)
		bd := busyDay{Label: dateIn(l, start.In(loc), "Mon 2 Jan")}
		for _, r := range sched.HoursOn(day) {
			bd.Hours = append(bd.Hours, r.Start.String()+"–"+r.End.String())
		}
		for _, s := range srcs {
			for _, iv := range busy[s.ID] {
				if !iv.Start.Before(end) || !start.Before(iv.End) {
					continue
				}
				label := msg(l, "admin.calendars.all_day")
				if iv.Start.After(start) || iv.End.Before(end) {
					a, b := iv.Start, iv.End
					if a.Before(start) {
						a = start
					}
					if b.After(end) {
						b = end
					}
					label = a.In(loc).Format("15:04") + "–" + b.In(loc).Format("15:04")
					if !b.Before(end) {
						label = a.In(loc).Format("15:04") + "–24:00"
					}
				}
				bt := busyTime{Time: label}
				if len(srcs) > 1 {
					bt.Calendar = hosts[s.ID]
				}
				bd.Busy = append(bd.Busy, bt)
			}
		}
		d.Days = append(d.Days, bd)
	}
	return h.render(c, status, "calendars", "Linked calendars", d, errs)
}

func kindLabel(l i18n.Lang, kind string) string {
	if kind == booking.SourceCalDAV {
		return msg(l, "admin.calendars.caldav")
	}
	return msg(l, "admin.calendars.ics")
}

// Calendars shows the linked calendars.
func (h *Handler) Calendars(c echo.Context) error {
	return h.renderCalendars(c, http.StatusOK, sourceForm{Kind: booking.SourceICS, IgnoreDeclined: true}, nil)
}

// AddCalendar links a calendar and reads it at once when it can.
func (h *Handler) AddCalendar(c echo.Context) error {
	n := booking.NewCalendarSource{Kind: c.FormValue("kind"), URL: c.FormValue("url"), Username: c.FormValue("username"),
		Password: c.FormValue("password"), OwnerEmail: c.FormValue("owner_email"),
		IgnoreDeclined: c.FormValue("ignore_declined") == "on", WriteBookings: c.FormValue("write_bookings") == "on"}
	ctx := c.Request().Context()
	src, err := h.admin.AddCalendarSource(ctx, h.who(c), n)
	if err != nil {
		if fe := fieldErrors(err); fe != nil {
			form := sourceForm{Kind: n.Kind, Username: n.Username, OwnerEmail: n.OwnerEmail, IgnoreDeclined: n.IgnoreDeclined, WriteBookings: n.WriteBookings}
			if booking.PlainText(n.URL, false) {
				form.URL = strings.TrimSpace(n.URL)
			}
			return h.renderCalendars(c, http.StatusUnprocessableEntity, form, fe)
		}
		return err
	}
	note := msg(lang(c), "admin.calendars.linked")
	if h.calendars != nil {
		if got, err := h.calendars.Sync(ctx, src.ID); err == nil {
			note = syncMessage(lang(c), got)
		}
	}
	return h.redirect(c, "/admin/calendars", note)
}

// SyncCalendar reads a linked calendar now.
func (h *Handler) SyncCalendar(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	if h.calendars == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "Calendars cannot be read by this server.")
	}
	ctx := c.Request().Context()
	if _, err := h.admin.CalendarSource(ctx, id); err != nil {
		return err
	}
	if err := h.admin.Record(ctx, h.who(c), "calendar_source.sync", "calendar_source:"+strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	got, err := h.calendars.Sync(ctx, id)
	if booking.ErrorCode(err) == booking.ECONFLICT {
		return h.redirect(c, "/admin/calendars", booking.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	return h.redirect(c, "/admin/calendars", syncMessage(lang(c), got))
}

func syncMessage(l i18n.Lang, src *booking.CalendarSource) string {
	if src.Status == booking.SourceError {
		return msg(l, "admin.calendars.sync_failed", "Host", src.Host, "Error", tr(l, src.LastError))
	}
	return msg(l, "admin.calendars.sync_done", "Host", src.Host, "Busy", strconv.Itoa(src.BusyIntervals))
}

// RemoveCalendar unlinks a calendar; its busy time stops blocking at once.
func (h *Handler) RemoveCalendar(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	l := lang(c)
	note := msg(l, "admin.calendars.unlinked")
	if h.calendars != nil {
		if _, err := h.admin.CalendarSource(ctx, id); err != nil {
			return err
		}
		// The consultations written into it go with it.
		if n, err := h.calendars.RemoveWritten(ctx, id); err != nil {
			note += " " + msg(l, "admin.calendars.not_removed", "Error", strings.TrimSuffix(tr(l, booking.ErrorMessage(err)), "."))
		} else if n > 0 {
			note += " " + msg(l, "admin.calendars.removed", "Count", strconv.Itoa(n))
		}
	}
	if err := h.admin.DeleteCalendarSource(ctx, h.who(c), id); err != nil {
		return err
	}
	return h.redirect(c, "/admin/calendars", note)
}
