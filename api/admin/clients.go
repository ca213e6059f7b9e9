package admin

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
	"consult/web/i18n"
)

// clientsData is the client data requests page.
type clientsData struct {
	Email  string
	Result string
}

// Clients shows the forms for a client's data requests.
func (h *Handler) Clients(c echo.Context) error {
	return h.render(c, http.StatusOK, "clients", "Client data requests", clientsData{}, nil)
}

// clientEmail reads the email a data request is about, from the form body
// (never from the URL, which might be logged or kept in history).
func clientEmail(c echo.Context) string { return strings.TrimSpace(c.FormValue("email")) }

// renderClientsErrors shows the page again with a request's errors.
func (h *Handler) renderClientsErrors(c echo.Context, email string, errs map[string]string) error {
	return h.render(c, http.StatusUnprocessableEntity, "clients", "Client data requests", clientsData{Email: email}, errs)
}

// ExportClient downloads everything stored about a client, as JSON.
func (h *Handler) ExportClient(c echo.Context) error {
	email := clientEmail(c)
	out, err := h.admin.ExportClient(c.Request().Context(), h.who(c), email)
	if err != nil {
		if fe := fieldErrors(err); fe != nil {
			return h.renderClientsErrors(c, email, fe)
		}
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="client-data.json"`)
	return httpx.WriteJSON(c, http.StatusOK, out)
}

// EraseClient erases a client's data, once the practitioner confirms.
func (h *Handler) EraseClient(c echo.Context) error {
	email := clientEmail(c)
	if c.FormValue("confirm") == "" {
		errs := fieldErrors(booking.CheckClientEmail(email))
		if errs == nil {
			errs = map[string]string{"confirm": "Tick the box to confirm: erasing cannot be undone."}
		}
		return h.renderClientsErrors(c, email, errs)
	}
	ids, err := h.admin.EraseClient(c.Request().Context(), h.who(c), email)
	if err != nil {
		if fe := fieldErrors(err); fe != nil {
			return h.renderClientsErrors(c, email, fe)
		}
		return err
	}
	note := msg(lang(c), "admin.clients.nothing")
	if len(ids) > 0 {
		note = msg(lang(c), "admin.clients.erased", "Bookings", i18n.MustN(lang(c), "admin.bookings.count", len(ids)))
	}
	return h.redirect(c, "/admin/clients", note)
}

// csvSafe neutralises cells a spreadsheet would run as a formula.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// ExportBookings exports the bookings starting on the practice-local
// dates from..to as CSV.
func (h *Handler) ExportBookings(c echo.Context) error {
	loc, _, err := h.zone(c)
	if err != nil {
		return err
	}
	bs, err := h.admin.ExportBookings(c.Request().Context(), h.who(c), c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	hd.Set(echo.HeaderContentDisposition, `attachment; filename="bookings.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"id", "start", "end", "status", "name", "email", "phone", "client_note", "practitioner_note", "client_timezone", "booked_at"})
	for _, b := range bs {
		_ = w.Write([]string{strconv.FormatInt(b.ID, 10), b.Start.In(loc).Format(time.RFC3339), b.End.In(loc).Format(time.RFC3339),
			string(b.Status), csvSafe(b.Name), csvSafe(b.Email), csvSafe(b.Phone), csvSafe(b.Note), csvSafe(b.PractitionerNote),
			csvSafe(b.TimeZone), b.CreatedAt.In(loc).Format(time.RFC3339)})
	}
	w.Flush()
	return w.Error()
}
