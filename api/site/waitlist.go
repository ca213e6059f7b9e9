package site

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/booking"
	"consult/web/i18n"
	"consult/web/timefmt"
)

// offeredUntil reads the one waitlist message the domain writes with a
// figure, the last day times are offered.
var offeredUntil = regexp.MustCompile(`^Times are offered up to (\d{4}-\d{2}-\d{2}); choose a day until then\.$`)

// waitlistText is a waitlist form's message in language l.
func waitlistText(l i18n.Lang, message string) string {
	if m := offeredUntil.FindStringSubmatch(message); m != nil && l != i18n.EN {
		if d, err := booking.ParseDate(m[1]); err == nil {
			return i18n.MustT(l, "site.waitlist.offered_until", "Date", i18n.Date(l, d.In(12*60, time.UTC), i18n.Long))
		}
	}
	return i18n.Translate(l, fieldErrors, message)
}

// describeWishes writes what an entry waits for in language l, as
// booking.WaitlistEntry.Describe does in English: "Weekdays, mornings or
// evenings, Mon 7 Dec 2026 to Mon 4 Jan 2027, Berlin time".
func describeWishes(l i18n.Lang, e booking.WaitlistEntry) string {
	t := func(id string, kv ...any) string { return i18n.MustT(l, id, kv...) }
	var days []string
	switch {
	case len(e.Days) == 7:
		days = []string{t("site.waitlist.wish.any_day")}
	case slices.Equal(e.Days, []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}):
		days = []string{t("site.waitlist.wish.weekdays")}
	case slices.Equal(e.Days, []time.Weekday{time.Sunday, time.Saturday}):
		days = []string{t("site.waitlist.wish.weekends")}
	default:
		for _, d := range e.Days {
			days = append(days, t("site.waitlist.wish."+strings.ToLower(d.String())))
		}
	}
	var parts []string
	for _, p := range e.Parts {
		parts = append(parts, t("site.waitlist.wish."+p))
	}
	if len(parts) == len(booking.DayParts) {
		parts = []string{t("site.waitlist.wish.any_time")}
	}
	date := func(d booking.Date) string {
		noon := d.In(12*60, time.UTC)
		return t("site.waitlist.wish.date", "Date", i18n.Date(l, noon, i18n.Short), "Year", noon.Year())
	}
	return t("site.waitlist.wish.text", "Days", booking.JoinWords(days, t("site.waitlist.wish.and")), "Parts", booking.JoinWords(parts, t("site.waitlist.wish.or")),
		"From", date(e.From), "To", date(e.To), "Zone", timefmt.PlaceTime(l, e.TimeZone))
}

// waitlistForm is what the visitor typed, kept when the form comes back.
type waitlistForm struct {
	Name, Email, TZ, From, To, Region string
	Days                              []time.Weekday
	Parts                             []string
	Consent                           bool
}

// dayChoice and partChoice are the form's checkboxes.
type dayChoice struct {
	Value, Label string
	Checked      bool
}

// waitlistPage is the page of the waitlist's form.
type waitlistPage struct {
	page
	Form  waitlistForm
	Zones []zoneGroup
	// Regions are the places the practice serves, for the question where
	// the client will be (none: not asked).
	Regions []regionOption
	Days    []dayChoice
	Parts   []dayChoice
	Min     string // the first and last days that may be asked for
	Max     string
	Errors  []fieldError
	Err     map[string]string
	Off     bool // the practitioner has switched the waitlist off
}

// waitlistFields are the form's fields in order, for the error summary.
var waitlistFields = []string{"name", "email", "timezone", "region", "days", "parts", "from", "to", "consent"}

func (h *Handler) renderWaitlistForm(c echo.Context, status int, f waitlistForm, errs map[string]string) error {
	ctx := c.Request().Context()
	st, err := h.svc.Settings(ctx)
	if err != nil {
		return err
	}
	on, err := h.svc.Store.WaitlistEnabled(ctx)
	if err != nil {
		return err
	}
	now := h.svc.Now()
	l := h.lang(c)
	loc, _ := visitorZone(f.TZ, st)
	f.TZ = loc.String()
	today := booking.DateOf(now.In(loc))
	translated := make(map[string]string, len(errs))
	for k, v := range errs {
		translated[k] = waitlistText(l, v)
	}
	if errs != nil {
		errs = translated
	}
	d := waitlistPage{page: h.pageFor(c, l, viewOf(st), i18n.MustT(l, "site.waitlist.title"), "", ""),
		Form: f, Zones: h.zones.get(l, f.TZ, now), Min: today.String(), Max: today.AddDays(st.HorizonDays).String(),
		Err: errs, Off: !on, Regions: regionOptions(l, st.Profile.Regions, f.Region)}
	if d.Form.From == "" {
		d.Form.From = d.Min
	}
	if d.Form.To == "" {
		d.Form.To = today.AddDays(min(st.HorizonDays, 28)).String()
	}
	for i := range booking.WeekdayCodes {
		day := time.Weekday((i + 1) % 7) // Monday first
		d.Days = append(d.Days, dayChoice{Value: booking.WeekdayCodes[day], Label: i18n.Weekday(l, day),
			Checked: slices.Contains(f.Days, day)})
	}
	for _, p := range booking.DayParts {
		d.Parts = append(d.Parts, dayChoice{Value: p, Label: i18n.MustT(l, "site.waitlist.part."+p), Checked: slices.Contains(f.Parts, p)})
	}
	for _, name := range waitlistFields {
		if msg, ok := errs[name]; ok {
			d.Errors = append(d.Errors, fieldError{ID: name, Message: msg})
		}
	}
	return h.render(c, status, "waitlist", d)
}

// WaitlistForm shows the form to join the waitlist, every weekday and part
// of the day ticked to begin with.
func (h *Handler) WaitlistForm(c echo.Context) error {
	f := waitlistForm{TZ: c.QueryParam("tz"), Parts: booking.DayParts,
		Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}}
	return h.renderWaitlistForm(c, http.StatusOK, f, nil)
}

// JoinWaitlist takes the form. Whatever the address, the answer is the
// page saying to check the email: it must not tell who waits already.
func (h *Handler) JoinWaitlist(c echo.Context) error {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	form := r.PostForm
	f := waitlistForm{Name: form.Get("name"), Email: form.Get("email"), TZ: form.Get("timezone"),
		From: form.Get("from"), To: form.Get("to"), Parts: form["parts"], Consent: form.Get("consent") == "yes",
		Region: form.Get("region")}
	errs := map[string]string{}
	l := h.lang(c)
	days, err := booking.ParseWeekdays(form["days"])
	if err != nil {
		errs["days"] = i18n.MustT(l, "site.waitlist.days_missing")
	}
	f.Days = days
	if form.Get("website") != "" {
		return c.Redirect(http.StatusSeeOther, "/waitlist/check-email") // the honeypot: a robot
	}
	req := booking.WaitlistRequest{Name: f.Name, Email: f.Email, TimeZone: f.TZ, HourCycle: clockOf(c, 0, l).Hours.Cycle(),
		Days: days, Parts: f.Parts, Region: f.Region, Language: string(l)}
	st, err := h.svc.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	// Somewhere the practice does not work: told kindly where it does,
	// and nothing stored, as on the booking form.
	if len(st.Profile.Regions) > 0 && f.Region != "" && !booking.Serves(st.Profile.Regions, f.Region) {
		return h.render(c, http.StatusUnprocessableEntity, "not-served", notServedPage{
			page:   h.pageFor(c, l, viewOf(st), i18n.MustT(l, "site.not_served.title"), "", ""),
			Places: servedIn(l, st.Profile.Regions),
		})
	}
	var perr error
	if req.From, perr = booking.ParseDate(f.From); perr != nil {
		errs["from"] = i18n.MustT(l, "site.waitlist.from_unreadable")
	}
	if req.To, perr = booking.ParseDate(f.To); perr != nil {
		errs["to"] = i18n.MustT(l, "site.waitlist.to_unreadable")
	}
	if !f.Consent {
		errs["consent"] = i18n.MustT(l, "site.waitlist.consent_missing")
	}
	if len(errs) == 0 {
		err = h.svc.JoinWaitlist(c.Request().Context(), req)
	} else {
		// Nothing is stored while anything is amiss; the rest of the
		// form's mistakes are said at once all the same.
		loc, _ := visitorZone(f.TZ, st)
		err = booking.ValidateWaitlist(&req, booking.DateOf(h.svc.Now().In(loc)), st.HorizonDays, st.Profile.Regions)
	}
	if fe := fieldErrorsOf(err); fe != nil {
		for k, v := range fe {
			if _, set := errs[k]; !set {
				errs[k] = v
			}
		}
	} else if err != nil && len(errs) == 0 {
		if errors.Is(err, booking.ErrWaitlistOff) {
			return h.renderWaitlistForm(c, http.StatusConflict, f, nil)
		}
		return err
	}
	if len(errs) > 0 {
		return h.renderWaitlistForm(c, http.StatusUnprocessableEntity, f, errs)
	}
	return c.Redirect(http.StatusSeeOther, "/waitlist/check-email")
}

// fieldErrorsOf returns the field messages of a validation error, or nil.
func fieldErrorsOf(err error) map[string]string {
	var de *booking.Error
	if booking.ErrorCode(err) == booking.EINVALID && errors.As(err, &de) && len(de.Fields) > 0 {
		return de.Fields
	}
	return nil
}

// WaitlistCheckEmail is the page after the form, the same for everyone.
func (h *Handler) WaitlistCheckEmail(c echo.Context) error {
	st, err := h.svc.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	l := h.lang(c)
	return h.render(c, http.StatusOK, "waitlist-check-email", h.pageFor(c, l, viewOf(st), i18n.MustT(l, "site.check_email.title"), "", ""))
}

// waitlistEntryPage is the page of one entry's private link.
type waitlistEntryPage struct {
	page
	Token  string
	Entry  *booking.WaitlistEntry
	Wishes string
	// Offer is the time held for the entry, in its zone, and OfferURL
	// the page that books it.
	Offer, OfferUntil string
	Leave             bool // the page that asks to confirm leaving
	Just              string
}

func (h *Handler) entryByToken(c echo.Context) (*booking.WaitlistEntry, string, error) {
	token := c.Param("token")
	e, err := h.svc.Waitlist(c.Request().Context(), token)
	if booking.ErrorCode(err) == booking.ENOTFOUND {
		return nil, "", echo.ErrNotFound
	}
	return e, token, err
}

func (h *Handler) renderEntry(c echo.Context, status int, e *booking.WaitlistEntry, token string, leave bool, just string) error {
	st, err := h.svc.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	l := h.langFor(c, e.Language)
	d := waitlistEntryPage{page: h.pageFor(c, l, viewOf(st), i18n.MustT(l, "site.waitlist_entry.title"), "", ""), Token: token, Entry: e,
		Wishes: describeWishes(l, *e), Leave: leave, Just: just}
	if e.Offer != nil {
		hours := clockOf(c, e.HourCycle, l).Hours
		d.Offer = timefmt.SpanIn(e.Offer.Start, e.Offer.Start.Add(st.SlotLength), e.TimeZone, hours, l, i18n.Long).String()
		if loc, err := booking.CheckZone(e.TimeZone); err == nil {
			d.OfferUntil = timefmt.Clock(e.Offer.Expires.In(loc), hours)
		}
	}
	return h.render(c, status, "waitlist-entry", d)
}

// WaitlistEntry shows an entry: the button that confirms it, its wishes
// and the time held for it, or that it ended. A GET changes nothing.
func (h *Handler) WaitlistEntry(c echo.Context) error {
	e, token, err := h.entryByToken(c)
	if err != nil {
		return err
	}
	return h.renderEntry(c, http.StatusOK, e, token, false, "")
}

// ConfirmWaitlist confirms an entry, the step its emailed link leads to.
func (h *Handler) ConfirmWaitlist(c echo.Context) error {
	if _, _, err := h.entryByToken(c); err != nil {
		return err
	}
	e, err := h.svc.ConfirmWaitlist(c.Request().Context(), c.Param("token"))
	if err != nil && booking.ErrorCode(err) != booking.ECONFLICT {
		return err
	}
	return h.renderEntry(c, http.StatusOK, e, c.Param("token"), false, "confirmed")
}

// LeaveWaitlistForm asks to confirm leaving: the link in every waitlist
// email opens it, and a GET changes nothing.
func (h *Handler) LeaveWaitlistForm(c echo.Context) error {
	e, token, err := h.entryByToken(c)
	if err != nil {
		return err
	}
	return h.renderEntry(c, http.StatusOK, e, token, e.Status != booking.WaitlistEnded, "")
}

// LeaveWaitlist ends an entry.
func (h *Handler) LeaveWaitlist(c echo.Context) error {
	if _, _, err := h.entryByToken(c); err != nil {
		return err
	}
	e, err := h.svc.LeaveWaitlist(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return h.renderEntry(c, http.StatusOK, e, c.Param("token"), false, "left")
}

// LeaveWaitlistFromOffer is the "leave the waitlist" link of an offer
// email: GET asks, POST leaves and releases the held time.
func (h *Handler) LeaveWaitlistFromOffer(c echo.Context) error {
	b, token, err := h.bookingByToken(c)
	if err != nil {
		return err
	}
	offered, err := h.svc.IsWaitlistOffer(c.Request().Context(), b)
	if err != nil {
		return err
	}
	if !offered {
		return echo.ErrNotFound
	}
	st, err := h.svc.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	l := h.langFor(c, b.Language)
	d := waitlistEntryPage{page: h.pageFor(c, l, viewOf(st), i18n.MustT(l, "site.waitlist_leave.title"), "", ""), Token: token, Leave: true}
	if c.Request().Method == http.MethodPost {
		if err := h.svc.LeaveWaitlistByOffer(c.Request().Context(), token); err != nil {
			return err
		}
		d.Leave, d.Just = false, "left"
	}
	return h.render(c, http.StatusOK, "waitlist-offer-leave", d)
}
