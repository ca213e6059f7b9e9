package site

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"consult/booking"
	"consult/calendar"
	"consult/web/i18n"
)

// managePage is the data of the confirmation, manage and cancel pages.
type managePage struct {
	page
	Token   string
	Booking bookingView
	// Picker offers new times, for an upcoming booking only.
	Picker *picker
	// Done names the change just made ("rescheduled", "cancelled"), for a
	// success message.
	Done   string
	Errors []fieldError
	// Again, on a page answering a POST, is the address that shows it
	// again by GET (see bookPage).
	Again string
	clock pageClock
}

// bookingByToken returns the booking of the request's manage token. Any
// unknown or malformed token is the site's plain 404, the same page as any
// other missing URL, so it tells nothing about bookings.
func (h *Handler) bookingByToken(c echo.Context) (*booking.Booking, string, error) {
	token := c.Param("token")
	b, err := h.svc.ByToken(c.Request().Context(), token)
	if booking.ErrorCode(err) == booking.ENOTFOUND {
		return nil, "", echo.ErrNotFound
	}
	return b, token, err
}

// managePageFor loads the settings and builds the page for b, titled
// by the message titleID, in b's language unless the visitor chose
// another.
func (h *Handler) managePageFor(c echo.Context, b *booking.Booking, token, titleID string) (managePage, booking.Settings, error) {
	st, err := h.svc.Settings(c.Request().Context())
	if err != nil {
		return managePage{}, st, err
	}
	l := h.langFor(c, b.Language)
	clock := clockOf(c, b.HourCycle, l)
	return managePage{
		page:    h.pageFor(c, l, viewOf(st), i18n.MustT(l, titleID), i18n.MustT(l, "site.manage.meta_description", "Name", st.Brand()), ""),
		Token:   token,
		Booking: h.bookingView(l, b, token, st, clock.Hours, h.svc.Now()),
		clock:   clock,
	}, st, nil
}

// Confirmation is the page shown right after booking; for a booking no
// longer confirmed it sends the visitor to the manage page.
func (h *Handler) Confirmation(c echo.Context) error {
	b, token, err := h.bookingByToken(c)
	if err != nil {
		return err
	}
	if b.Status != booking.StatusConfirmed {
		return c.Redirect(http.StatusSeeOther, "/manage/"+token)
	}
	data, _, err := h.managePageFor(c, b, token, "site.confirmation.title")
	if err != nil {
		return err
	}
	data.Embed = embedOf(c)
	return h.render(c, http.StatusOK, "confirmation", data)
}

// Manage shows a booking and, while it is upcoming, the forms to
// cancel or move it. Like every GET here it changes nothing: email link
// scanners open these URLs.
func (h *Handler) Manage(c echo.Context) error {
	b, token, err := h.bookingByToken(c)
	if err != nil {
		return err
	}
	if awaitsConfirmation(b) {
		return h.showHold(c, http.StatusOK, b, token, "")
	}
	data, st, err := h.managePageFor(c, b, token, "site.manage.title")
	if err != nil {
		return err
	}
	// The message of a change just made, when the booking still shows it
	// (a link kept from then may be opened later).
	switch done := c.QueryParam("done"); {
	case (done == "rescheduled" || done == "changed") && !data.Booking.Cancelled, done == "cancelled" && data.Booking.Cancelled:
		data.Done = done
	}
	return h.renderManage(c, http.StatusOK, data, b, st, pickerInput{tz: c.QueryParam("tz"), date: c.QueryParam("date")})
}

// pickerInput is what the reschedule picker shows: the zone and day asked
// for, the time chosen, and an error about it.
type pickerInput struct {
	tz, date, selected string
	err                string
	// refusal is the kind of refusal err is about, if any; a taken time
	// is replaced by the free times nearest to it.
	refusal string
}

// renderManage adds the reschedule picker (in the client's zone unless the
// visitor chose another) when the booking can still be moved, and renders.
func (h *Handler) renderManage(c echo.Context, status int, data managePage, b *booking.Booking, st booking.Settings, in pickerInput) error {
	if data.Booking.Upcoming {
		if in.tz == "" {
			in.tz = b.TimeZone
		}
		loc, _ := visitorZone(in.tz, st)
		a, err := h.loadAvailability(c.Request().Context(), loc, st)
		if err != nil {
			return err
		}
		if in.date == "" {
			// Moving a booking starts from where it is, not from today.
			if d, ok := a.dayAround(booking.DateOf(b.Start.In(loc))); ok {
				in.date = d.String()
			}
		}
		p := newPicker(data.Lang, false, a, "/manage/"+data.Token, in.date, in.selected, data.clock, h.zones.get(data.Lang, a.loc.String(), h.svc.Now()))
		if in.refusal != "" {
			refused, _ := time.Parse(time.RFC3339, in.selected)
			in.err = refusalText(data.Lang, in.refusal, in.err, len(a.nearest(refused, 1)) > 0, st)
			if in.refusal == booking.RefusedTaken {
				p.withAlternatives(a, refused)
			}
		}
		if in.err != "" {
			in.err = domainText(data.Lang, in.err, st)
			p.SlotError = in.err
			data.Errors = []fieldError{{ID: p.FirstID(), Message: in.err}}
			data.Meta.Title = i18n.MustT(data.Lang, "site.errors.title", "Title", data.Meta.Title)
			data.Again = p.againURL()
		}
		data.Picker = &p
	}
	return h.render(c, status, "manage", data)
}

// CancelForm asks "are you sure?"; only its button cancels.
func (h *Handler) CancelForm(c echo.Context) error {
	b, token, err := h.bookingByToken(c)
	if err != nil {
		return err
	}
	if awaitsConfirmation(b) {
		return c.Redirect(http.StatusSeeOther, "/manage/"+token)
	}
	data, _, err := h.managePageFor(c, b, token, "site.cancel.title")
	if err != nil {
		return err
	}
	if !data.Booking.Upcoming {
		return c.Redirect(http.StatusSeeOther, "/manage/"+token)
	}
	return h.render(c, http.StatusOK, "cancel", data)
}

// Cancel cancels the booking and returns to its manage page, which says
// so; a booking already cancelled or past goes there unchanged.
func (h *Handler) Cancel(c echo.Context) error {
	b, token, err := h.bookingByToken(c)
	if err != nil {
		return err
	}
	if awaitsConfirmation(b) {
		return c.Redirect(http.StatusSeeOther, "/manage/"+token)
	}
	_, err = h.svc.Cancel(h.versions.Watch(c), token)
	switch booking.ErrorCode(err) {
	case "":
		return c.Redirect(http.StatusSeeOther, "/manage/"+token+"?done=cancelled")
	case booking.ECONFLICT:
		// Already cancelled (the same form sent twice: the first one
		// cancelled it) or past: the manage page says which.
		if b.Status == booking.StatusCancelled {
			return c.Redirect(http.StatusSeeOther, "/manage/"+token+"?done=cancelled")
		}
		return c.Redirect(http.StatusSeeOther, "/manage/"+token)
	case booking.ENOTFOUND:
		return echo.ErrNotFound
	default:
		return err
	}
}

// Reschedule moves the booking to the time chosen in the manage page's
// picker, or shows the page again with why it could not.
func (h *Handler) Reschedule(c echo.Context) error {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	b, token, err := h.bookingByToken(c)
	if err != nil {
		return err
	}
	if awaitsConfirmation(b) {
		return c.Redirect(http.StatusSeeOther, "/manage/"+token)
	}
	data, st, err := h.managePageFor(c, b, token, "site.manage.title")
	if err != nil {
		return err
	}
	if !data.Booking.Upcoming {
		return c.Redirect(http.StatusSeeOther, "/manage/"+token)
	}
	in := pickerInput{tz: r.PostFormValue("tz"), date: r.PostFormValue("date"), selected: r.PostFormValue("start")}
	if mode := booking.Mode(r.PostFormValue("mode")); in.selected == "" && mode != "" {
		return h.changeMode(c, data, b, st, token, mode)
	}
	start, err := time.Parse(time.RFC3339, in.selected)
	if err != nil {
		in.err = i18n.MustT(data.Lang, "site.manage.choose_new_time")
		return h.renderManage(c, http.StatusUnprocessableEntity, data, b, st, in)
	}
	done := func() error {
		q := data.clock.addTo(url.Values{"done": {"rescheduled"}})
		return c.Redirect(http.StatusSeeOther, "/manage/"+token+"?"+q.Encode())
	}
	if start.Equal(b.Start) {
		// The current time is never offered, so this is the same form
		// sent twice: the first one moved the booking here.
		return done()
	}
	_, err = h.svc.Reschedule(r.Context(), token, start)
	if err == nil {
		return done()
	}
	if kind, msg, ok := refusalOf(err); ok {
		// The new time was refused: say why beside the picker, and offer
		// the nearest free times in place of one taken.
		in.err, in.refusal = msg, kind
		return h.renderManage(c, refusalStatus(kind), data, b, st, in)
	}
	switch booking.ErrorCode(err) {
	case booking.ECONFLICT:
		// Cancelled or started meanwhile: the manage page says which.
		return c.Redirect(http.StatusSeeOther, "/manage/"+token)
	case booking.EINVALID:
		in.err = booking.ErrorMessage(err)
		return h.renderManage(c, http.StatusUnprocessableEntity, data, b, st, in)
	default:
		return err
	}
}

// changeMode changes how the booking happens, from the manage page's
// form: part of rescheduling.
func (h *Handler) changeMode(c echo.Context, data managePage, b *booking.Booking, st booking.Settings, token string, mode booking.Mode) error {
	if mode == b.Mode {
		// The same form sent twice, or nothing changed.
		return c.Redirect(http.StatusSeeOther, "/manage/"+token)
	}
	_, err := h.svc.ChangeMode(c.Request().Context(), token, mode)
	switch booking.ErrorCode(err) {
	case "":
		q := data.clock.addTo(url.Values{"done": {"changed"}})
		return c.Redirect(http.StatusSeeOther, "/manage/"+token+"?"+q.Encode())
	case booking.EINVALID:
		data.Errors = []fieldError{{ID: "mode-heading", Message: i18n.Translate(data.Lang, fieldErrors, booking.FieldsOf(err)["mode"])}}
		data.Meta.Title = i18n.MustT(data.Lang, "site.errors.title", "Title", data.Meta.Title)
		return h.renderManage(c, http.StatusUnprocessableEntity, data, b, st, pickerInput{})
	case booking.ECONFLICT:
		return c.Redirect(http.StatusSeeOther, "/manage/"+token)
	default:
		return err
	}
}

// CalendarFile downloads the booking as a calendar file the client can
// import; PUBLISH, because there is nobody to reply to.
func (h *Handler) CalendarFile(c echo.Context) error {
	b, token, err := h.bookingByToken(c)
	if err != nil {
		return err
	}
	if awaitsConfirmation(b) {
		return c.Redirect(http.StatusSeeOther, "/manage/"+token)
	}
	st, err := h.svc.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	ics, err := calendar.Invitation(h.practice(st), *b, h.url("/manage/"+token), calendar.MethodPublish, h.svc.Now())
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="consultation.ics"`)
	return c.Blob(http.StatusOK, calendar.MethodPublish.ContentType(), ics)
}
