package api_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"consult/api"
)

// adminAvailabilityBody is the admin API's availability answer.
type adminAvailabilityBody struct {
	TimeZone string `json:"timezone"`
	Weekly   []struct {
		Weekday, Start, End string
	} `json:"weekly"`
	Overrides []struct {
		Date   string `json:"date"`
		Closed bool   `json:"closed"`
	} `json:"overrides"`
	TimeOff []struct {
		ID    int64  `json:"id"`
		First string `json:"first"`
		Last  string `json:"last"`
	} `json:"time_off"`
	OutsideHours []struct {
		ID int64 `json:"id"`
	} `json:"outside_hours"`
}

type adminBookingBody struct {
	ID               int64   `json:"id"`
	Status           string  `json:"status"`
	Name             string  `json:"name"`
	Email            string  `json:"email"`
	PractitionerNote string  `json:"practitioner_note"`
	CancelledAt      *string `json:"cancelled_at"`
}

// TestAdminAPI drives every admin API operation with a token; each answer
// is checked against openapi.yaml by a.do.
func TestAdminAPI(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	auth := map[string]string{"Authorization": "Bearer " + a.apiToken()}
	call := func(method, path string, body any, want int) response {
		t.Helper()
		r := a.do(method, path, body, auth)
		if r.Status != want {
			t.Fatalf("%s %s: %d, want %d\n%s", method, path, r.Status, want, r.Body)
		}
		return r
	}

	// Settings.
	var st map[string]any
	call("GET", "/api/v1/admin/settings", nil, 200).decode(t, &st)
	if st["timezone"] != "America/Los_Angeles" || st["daily_cap"] != float64(6) {
		t.Fatalf("settings = %v", st)
	}
	st["daily_cap"], st["min_notice_hours"] = 1, 0
	call("PUT", "/api/v1/admin/settings", st, 200)
	st["timezone"], st["horizon_days"] = "Nowhere/Special", 0
	p := call("PUT", "/api/v1/admin/settings", st, 422).problem(t)
	if p.Errors["timezone"] == "" || p.Errors["horizon_days"] == "" {
		t.Fatalf("problem = %+v", p)
	}
	call("PUT", "/api/v1/admin/settings", `{"practice_name": "x", "surprise": 1}`, 400)

	// Availability: weekly hours, overrides, time off, each visible in the slots.
	b1 := a.book(time.Date(2026, 12, 8, 9, 0, 0, 0, adminLA), "Morning Client")
	var av adminAvailabilityBody
	call("PUT", "/api/v1/admin/availability/weekly", map[string]any{"weekly": []map[string]string{
		{"weekday": "tuesday", "start": "13:00", "end": "14:00"},
		{"weekday": "wednesday", "start": "09:00", "end": "10:00"},
	}}, 200).decode(t, &av)
	if len(av.Weekly) != 2 || len(av.OutsideHours) != 1 || av.OutsideHours[0].ID != b1.ID {
		t.Fatalf("after weekly change: %+v", av)
	}
	wantAdminSlots(t, a, "2026-12-09", []string{"09:00", "09:20", "09:40"})
	wantAdminSlots(t, a, "2026-12-10", nil)
	call("PUT", "/api/v1/admin/availability/weekly", map[string]any{"weekly": []map[string]string{
		{"weekday": "funday", "start": "13:00", "end": "14:00"}}}, 422)
	call("PUT", "/api/v1/admin/availability/weekly", map[string]any{"weekly": []map[string]string{
		{"weekday": "monday", "start": "13:00", "end": "14:00"}, {"weekday": "monday", "start": "13:30", "end": "15:00"}}}, 422)

	call("PUT", "/api/v1/admin/availability/overrides/2026-12-09", map[string]any{"closed": true}, 200)
	wantAdminSlots(t, a, "2026-12-09", nil)
	call("PUT", "/api/v1/admin/availability/overrides/2026-12-10", map[string]any{"closed": false,
		"windows": []map[string]string{{"start": "15:00", "end": "15:40"}}}, 200)
	wantAdminSlots(t, a, "2026-12-10", []string{"15:00", "15:20"})
	call("PUT", "/api/v1/admin/availability/overrides/12-10-2026", map[string]any{"closed": true}, 422)
	call("PUT", "/api/v1/admin/availability/overrides/2026-12-11", map[string]any{"closed": false}, 422)
	call("DELETE", "/api/v1/admin/availability/overrides/2026-12-09", nil, 200)
	wantAdminSlots(t, a, "2026-12-09", []string{"09:00", "09:20", "09:40"})
	call("DELETE", "/api/v1/admin/availability/overrides/2026-12-09", nil, 404)

	call("POST", "/api/v1/admin/availability/time-off", map[string]string{"first": "2026-12-16"}, 201).decode(t, &av)
	if len(av.TimeOff) != 1 || av.TimeOff[0].Last != "2026-12-16" {
		t.Fatalf("time off = %+v", av.TimeOff)
	}
	wantAdminSlots(t, a, "2026-12-16", nil)
	call("POST", "/api/v1/admin/availability/time-off", map[string]string{"first": "2026-12-20", "last": "2026-12-19"}, 422)
	call("DELETE", fmt.Sprintf("/api/v1/admin/availability/time-off/%d", av.TimeOff[0].ID), nil, 200)
	wantAdminSlots(t, a, "2026-12-16", []string{"09:00", "09:20", "09:40"})
	call("DELETE", "/api/v1/admin/availability/time-off/999999", nil, 404)
	call("GET", "/api/v1/admin/availability", nil, 200)

	// Bookings: list, search, detail, cancel, status.
	b2 := a.book(time.Date(2026, 12, 9, 9, 0, 0, 0, adminLA), "Second Client")
	var list struct {
		Bookings []adminBookingBody `json:"bookings"`
		Total    int                `json:"total"`
	}
	call("GET", "/api/v1/admin/bookings?q=second&per_page=5", nil, 200).decode(t, &list)
	if list.Total != 1 || list.Bookings[0].ID != b2.ID || list.Bookings[0].Email != "client@example.org" {
		t.Fatalf("search = %+v", list)
	}
	call("GET", "/api/v1/admin/bookings?when=someday", nil, 422)
	call("GET", "/api/v1/admin/bookings?per_page=1000", nil, 422)
	var got adminBookingBody
	call("GET", fmt.Sprintf("/api/v1/admin/bookings/%d", b1.ID), nil, 200).decode(t, &got)
	if got.Name != "Morning Client" || got.Status != "confirmed" || got.CancelledAt != nil {
		t.Fatalf("booking = %+v", got)
	}
	call("GET", "/api/v1/admin/bookings/999999", nil, 404)
	call("PUT", fmt.Sprintf("/api/v1/admin/bookings/%d/status", b1.ID), map[string]string{"status": "completed"}, 409)
	call("POST", fmt.Sprintf("/api/v1/admin/bookings/%d/cancel", b1.ID), map[string]string{"message": "Hours changed."}, 200).decode(t, &got)
	if got.Status != "cancelled" || got.CancelledAt == nil {
		t.Fatalf("cancelled booking = %+v", got)
	}
	call("POST", fmt.Sprintf("/api/v1/admin/bookings/%d/cancel", b1.ID), nil, 409)
	call("POST", fmt.Sprintf("/api/v1/admin/bookings/%d/cancel", b2.ID), map[string]string{"message": strings.Repeat("x", 1001)}, 422)
	a.clock.Add(9 * 24 * time.Hour)
	call("PUT", fmt.Sprintf("/api/v1/admin/bookings/%d/status", b2.ID), map[string]string{"status": "no_show"}, 200).decode(t, &got)
	if got.Status != "no_show" {
		t.Fatalf("status = %s", got.Status)
	}
	call("PUT", fmt.Sprintf("/api/v1/admin/bookings/%d/status", b2.ID), map[string]string{"status": "confirmed"}, 422)
	call("GET", "/api/v1/admin/bookings?when=past", nil, 200).decode(t, &list)
	if list.Total != 2 {
		t.Fatalf("past bookings = %d", list.Total)
	}

	// Every call was audited as the token, with its id.
	var viaToken, total int
	if err := a.pool.QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE via = 'token' AND token_id IS NOT NULL), count(*) FROM audit_log`).Scan(&viaToken, &total); err != nil {
		t.Fatal(err)
	}
	if viaToken < 20 || viaToken != total-countSignIns(a) {
		t.Fatalf("%d of %d audit entries via the token", viaToken, total)
	}
}

func countSignIns(a *adminTest) int {
	n := 0
	for _, s := range a.auditActions() {
		if strings.HasPrefix(s, "signin") {
			n++
		}
	}
	return n
}

// TestAdminTokensAreShownOnceAndRevocable makes a token in the admin area,
// uses it, and revokes it.
func TestAdminTokensAreShownOnceAndRevocable(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	b := a.mustSignIn()
	b.get("/admin/tokens")
	p := b.post("/admin/tokens", map[string][]string{"name": {"calendar sync"}})
	m := adminTokenRE.FindStringSubmatch(p.Body)
	if p.Status != 200 || m == nil {
		t.Fatalf("create: %d\n%s", p.Status, p.Body)
	}
	token := m[1]
	if len(token) < 22 {
		t.Fatalf("token %q is shorter than 128 bits", token)
	}
	var stored int
	if err := a.pool.QueryRow(t.Context(), `SELECT count(*) FROM api_tokens WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, token).Scan(&stored); err != nil || stored != 1 {
		t.Fatalf("token not stored hashed: %d %v", stored, err)
	}
	if strings.Contains(b.get("/admin/tokens").Body, token) {
		t.Fatal("the token is shown again")
	}
	auth := map[string]string{"Authorization": "Bearer " + token}
	if r := a.do("GET", "/api/v1/admin/settings", nil, auth); r.Status != 200 {
		t.Fatalf("with the new token: %d", r.Status)
	}
	var id int64
	if err := a.pool.QueryRow(t.Context(), `SELECT id FROM api_tokens`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	wantAdminRedirect(t, b.post(fmt.Sprintf("/admin/tokens/%d/revoke", id), nil), "/admin/tokens")
	if r := a.do("GET", "/api/v1/admin/settings", nil, auth); r.Status != http.StatusUnauthorized {
		t.Fatalf("with a revoked token: %d", r.Status)
	}
}

var adminTokenRE = regexp.MustCompile(`<code class="secret" id="new-token">([A-Za-z0-9_-]+)</code>`)
