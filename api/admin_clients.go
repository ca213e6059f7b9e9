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
func clientEmail(c echo.Context) (string, map[string]string) {
	email := strings.TrimSpace(c.FormValue("email"))
	if !booking.ValidEmail(email) {
		return email, map[string]string{"email": "Enter the client's email address, like name@example.com."}
	}
	return email, nil
}

func auditIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return "bookings:" + strings.Join(parts, ",")
}

// clientExport is the JSON a client data export holds.
type clientExport struct {
	Email      string              `json:"email"`
	ExportedAt time.Time           `json:"exported_at"`
	Bookings   []clientExportEntry `json:"bookings"`
	Emails     []clientExportMail  `json:"emails"`
}

// clientExportEntry is a booking as the admin API shows it, with when it
// last changed.
type clientExportEntry struct {
	adminBookingJSON
	UpdatedAt time.Time `json:"updated_at"`
}

type clientExportMail struct {
	BookingID int64      `json:"booking_id"`
	Kind      string     `json:"kind"`
	Status    string     `json:"status"`
	Message   string     `json:"message"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

func (s *Server) handleClientExport(c echo.Context) error {
	email, errs := clientEmail(c)
	if errs != nil {
		return s.renderAdmin(c, http.StatusUnprocessableEntity, "clients", "Client data requests", clientsData{Email: email}, errs)
	}
	cd, err := s.admin.ClientData(c.Request().Context(), email)
	if err != nil {
		return err
	}
	ids := make([]int64, len(cd.Bookings))
	out := clientExport{Email: email, ExportedAt: s.now(), Bookings: []clientExportEntry{}, Emails: []clientExportMail{}}
	for i, b := range cd.Bookings {
		ids[i] = b.ID
		out.Bookings = append(out.Bookings, clientExportEntry{adminBookingOut(b), b.UpdatedAt.UTC()})
	}
	for _, m := range cd.Mail {
		out.Emails = append(out.Emails, clientExportMail{BookingID: m.BookingID, Kind: m.Kind, Status: m.Status,
			Message: m.Message, CreatedAt: m.CreatedAt, SentAt: m.SentAt})
	}
	if err := s.audit(c, "client.export", auditIDs(ids)); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="client-data.json"`)
	return httpx.WriteJSON(c, http.StatusOK, out)
}

func (s *Server) handleClientErase(c echo.Context) error {
	email, errs := clientEmail(c)
	if errs == nil && c.FormValue("confirm") == "" {
		errs = map[string]string{"confirm": "Tick the box to confirm: erasing cannot be undone."}
	}
	if errs != nil {
		return s.renderAdmin(c, http.StatusUnprocessableEntity, "clients", "Client data requests", clientsData{Email: email}, errs)
	}
	ids, err := s.admin.EraseClient(c.Request().Context(), email, s.now())
	if err != nil {
		return err
	}
	if err := s.audit(c, "client.erase", auditIDs(ids)); err != nil {
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
	from, err1 := booking.ParseDate(c.QueryParam("from"))
	to, err2 := booking.ParseDate(c.QueryParam("to"))
	if err1 != nil || err2 != nil || to.Before(from) || from.AddDays(366).Before(to) {
		return booking.Errorf(booking.EINVALID, "Give the first and last day as YYYY-MM-DD, the last not before the first and at most a year later.")
	}
	bs, err := s.admin.BookingsBetween(c.Request().Context(), from.In(0, loc), to.AddDays(1).In(0, loc))
	if err != nil {
		return err
	}
	ids := make([]int64, len(bs))
	for i, b := range bs {
		ids[i] = b.ID
	}
	if err := s.audit(c, "bookings.export_csv", fmt.Sprintf("%s range:%s..%s", auditIDs(ids), from, to)); err != nil {
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
