package admin

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
	"consult/web/i18n"
	"consult/web/timefmt"
)

// waitingRow is one waitlist entry as listed.
type waitingRow struct {
	ID          int64
	Joined      string
	Name, Email string
	Wishes      string
	Status      string
	HeldUntil   string
	HeldFor     string
	Unconfirmed bool
}

type waitlistData struct {
	On      bool
	Entries []waitingRow
	Count   string
}

// Waitlist lists the people waiting and the switch that opens or closes
// the waitlist.
func (h *Handler) Waitlist(c echo.Context) error {
	ctx := c.Request().Context()
	loc, _, err := h.zone(c)
	if err != nil {
		return err
	}
	on, err := h.store.WaitlistEnabled(ctx)
	if err != nil {
		return err
	}
	es, err := h.admin.Waitlist(ctx, h.who(c))
	if err != nil {
		return err
	}
	d, l := waitlistData{On: on}, lang(c)
	for _, e := range es {
		r := waitingRow{ID: e.ID, Joined: dateIn(l, e.CreatedAt.In(loc), "Mon 2 Jan 15:04"), Name: e.Name, Email: e.Email,
			Wishes: wishes(l, e, timefmt.Place(e.TimeZone)), Status: msg(l, "admin.waitlist.waiting"), Unconfirmed: e.Status == booking.WaitlistUnconfirmed}
		if r.Unconfirmed {
			r.Status = msg(l, "admin.waitlist.unconfirmed")
		}
		if e.Offer != nil {
			r.Status = msg(l, "admin.waitlist.held")
			r.HeldFor = dateIn(l, e.Offer.Start.In(loc), "Mon 2 Jan 15:04")
			r.HeldUntil = e.Offer.Expires.In(loc).Format("15:04")
		}
		d.Entries = append(d.Entries, r)
	}
	if len(es) == 0 {
		d.Count = msg(l, "admin.waitlist.nobody")
	} else {
		d.Count = i18n.MustN(l, "admin.waitlist.count", len(es))
	}
	return h.render(c, http.StatusOK, "waitlist", "Waitlist", d, nil)
}

// SetWaitlist opens or closes the waitlist.
func (h *Handler) SetWaitlist(c echo.Context) error {
	on := c.FormValue("on") == "true"
	if err := h.admin.SetWaitlist(c.Request().Context(), h.who(c), on); err != nil {
		return err
	}
	if on {
		return h.redirect(c, "/admin/waitlist", "The waitlist is open: clients who find no suitable time can join it.")
	}
	return h.redirect(c, "/admin/waitlist", "The waitlist is closed: nobody can join, and no times are offered.")
}

// RemoveWaitlistEntry takes someone off the waitlist.
func (h *Handler) RemoveWaitlistEntry(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.admin.RemoveWaitlistEntry(c.Request().Context(), h.who(c), id); err != nil {
		return err
	}
	return h.redirect(c, "/admin/waitlist", "Removed from the waitlist; any time held for them is free again.")
}
