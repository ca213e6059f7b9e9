package api

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
)

// clientsData is the client data requests page.
type clientsData struct {
	Email  string
	Result string
}

func (s *Server) handleClients(c echo.Context) error {
	return s.renderAdmin(c, http.StatusOK, "clients", "Client data requests", clientsData{}, nil)
}

// clientEmail reads the email a data request is about, from the form body
// (never from the URL, which might be logged or kept in history).
func clientEmail(c echo.Context) string { return strings.TrimSpace(c.FormValue("email")) }

// renderClientsErrors shows the page again with a request's errors.
func (s *Server) renderClientsErrors(c echo.Context, email string, errs map[string]string) error {
	return s.renderAdmin(c, http.StatusUnprocessableEntity, "clients", "Client data requests", clientsData{Email: email}, errs)
}

func (s *Server) handleClientExport(c echo.Context) error {
	email := clientEmail(c)
	out, err := s.adminOps.ExportClient(c.Request().Context(), who(c), email)
	if err != nil {
		if fe := adminFieldErrors(err); fe != nil {
			return s.renderClientsErrors(c, email, fe)
		}
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="client-data.json"`)
	return httpx.WriteJSON(c, http.StatusOK, out)
}

func (s *Server) handleClientErase(c echo.Context) error {
	email := clientEmail(c)
	if c.FormValue("confirm") == "" {
		errs := adminFieldErrors(booking.CheckClientEmail(email))
		if errs == nil {
			errs = map[string]string{"confirm": "Tick the box to confirm: erasing cannot be undone."}
		}
		return s.renderClientsErrors(c, email, errs)
	}
	ids, err := s.adminOps.EraseClient(c.Request().Context(), who(c), email)
	if err != nil {
		if fe := adminFieldErrors(err); fe != nil {
			return s.renderClientsErrors(c, email, fe)
		}
		return err
	}
	msg := "No booking uses that email address; nothing was stored about it."
	if len(ids) > 0 {
		msg = fmt.Sprintf("Erased the client's data from %d booking(s). Upcoming ones were cancelled without email.", len(ids))
	}
	return s.adminRedirect(c, "/admin/clients", msg)
}

// csvSafe neutralises cells a spreadsheet would run as a formula.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// handleBookingsCSV exports the bookings starting on the practice-local
// dates from..to as CSV.
func (s *Server) handleBookingsCSV(c echo.Context) error {
	loc, _, err := s.adminZone(c)
	if err != nil {
		return err
	}
	bs, err := s.adminOps.ExportBookings(c.Request().Context(), who(c), c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="bookings.csv"`)
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
