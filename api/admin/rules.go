package admin

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/booking"
)

// rulesForm is the rules form as typed.
type rulesForm struct {
	TimeZone       string
	BufferMinutes  string
	MinNoticeHours string
	NotSameDay     bool
	HorizonDays    string
	DailyCap       string
	SlotMinutes    int
}

// rulesData is the rules page.
type rulesData struct {
	Form    rulesForm
	Preview *previewData
	Zones   []zoneOption
	// ZoneLabel names the zone chosen, by place and offset now.
	ZoneLabel string
	// ConfirmsByEmail says how a booking is made (CONFIRM_BY_EMAIL).
	ConfirmsByEmail bool
}

func rulesFormOf(st booking.Settings) rulesForm {
	return rulesForm{
		TimeZone:       st.TimeZone,
		BufferMinutes:  strconv.Itoa(int(st.Buffer / time.Minute)),
		MinNoticeHours: strconv.FormatFloat(st.MinNotice.Hours(), 'f', -1, 64),
		NotSameDay:     st.NotSameDay,
		HorizonDays:    strconv.Itoa(st.HorizonDays),
		DailyCap:       strconv.Itoa(st.DailyCap),
		SlotMinutes:    int(st.SlotLength / time.Minute),
	}
}

// parseRules reads the form onto the current settings.
func parseRules(f rulesForm, st booking.Settings) (booking.Settings, map[string]string) {
	errs := booking.FieldErrors{}
	num := func(field, v string) int {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			errs.Add(field, "Enter a whole number.")
		}
		return n
	}
	st.TimeZone = strings.TrimSpace(f.TimeZone)
	st.Buffer = time.Duration(num("buffer_minutes", f.BufferMinutes)) * time.Minute
	st.MinNotice = time.Duration(num("min_notice_hours", f.MinNoticeHours)) * time.Hour
	st.NotSameDay = f.NotSameDay
	st.HorizonDays = num("horizon_days", f.HorizonDays)
	st.DailyCap = num("daily_cap", f.DailyCap)
	if fe := fieldErrors(booking.ValidateSettings(st)); fe != nil {
		for k, v := range fe {
			errs.Add(k, v)
		}
	}
	if len(errs) > 0 {
		return st, errs
	}
	return st, nil
}

// rulesData is the rules page for form f.
func (h *Handler) rulesData(f rulesForm) rulesData {
	d := rulesData{Form: f, Zones: zoneOptions(h.now()), ConfirmsByEmail: h.svc.ConfirmsByEmail()}
	if loc, err := booking.CheckZone(strings.TrimSpace(f.TimeZone)); err == nil {
		d.ZoneLabel = zoneLabel(loc, h.now())
	}
	return d
}

// Rules shows the booking rules.
func (h *Handler) Rules(c echo.Context) error {
	st, err := h.svc.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "rules", "Booking rules", h.rulesData(rulesFormOf(st)), nil)
}

// SaveRules saves the booking rules, or previews them.
func (h *Handler) SaveRules(c echo.Context) error {
	ctx := c.Request().Context()
	cur, err := h.svc.Settings(ctx)
	if err != nil {
		return err
	}
	f := rulesForm{
		TimeZone: c.FormValue("timezone"), BufferMinutes: c.FormValue("buffer_minutes"),
		MinNoticeHours: c.FormValue("min_notice_hours"), NotSameDay: c.FormValue("not_same_day") != "",
		HorizonDays: c.FormValue("horizon_days"), DailyCap: c.FormValue("daily_cap"),
		SlotMinutes: int(cur.SlotLength / time.Minute),
	}
	st, errs := parseRules(f, cur)
	d := h.rulesData(f)
	if errs != nil {
		return h.render(c, http.StatusUnprocessableEntity, "rules", "Booking rules", d, errs)
	}
	if c.FormValue("action") == "preview" {
		if d.Preview, err = h.preview(c, booking.ChangeSettings(st)); err != nil {
			return err
		}
		return h.render(c, http.StatusOK, "rules", "Booking rules", d, nil)
	}
	if err := h.admin.SaveRules(ctx, h.who(c), st); err != nil {
		if fe := fieldErrors(err); fe != nil {
			return h.render(c, http.StatusUnprocessableEntity, "rules", "Booking rules", d, fe)
		}
		return err
	}
	return h.redirect(c, "/admin/rules", "Rules saved.")
}
