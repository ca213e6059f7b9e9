package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"consult/api"
	"consult/booking"
)

var adminLA = func() *time.Location {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		panic(err)
	}
	return loc
}()

// localSlots returns the free slots of day as practice-local "15:04" times.
func (a *adminTest) localSlots(day string) []string {
	a.t.Helper()
	var out []string
	for _, s := range a.slots(day) {
		out = append(out, s.In(adminLA).Format("15:04"))
	}
	return out
}

// adminWeekForm is the weekly-hours form with the demo hours, changed by edits
// (weekday number to hours written "09:00-12:00, 13:00-17:00"), sent as
// the form's rows of start and end times.
func adminWeekForm(edits map[int]string) url.Values {
	v := url.Values{}
	for wd := 0; wd < 7; wd++ {
		h := ""
		if wd >= 1 && wd <= 5 {
			h = "09:00-12:00, 13:00-17:00"
		}
		if e, ok := edits[wd]; ok {
			h = e
		}
		v[fmt.Sprintf("start_%d", wd)], v[fmt.Sprintf("end_%d", wd)] = timeRows(h)
	}
	return v
}

// timeRows splits "09:00-12:00, 13:00-17:00" into the form's start and
// end fields, with the empty row the form always ends with.
func timeRows(h string) (starts, ends []string) {
	for _, part := range strings.Split(h, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		s, e, _ := strings.Cut(part, "-")
		starts, ends = append(starts, strings.TrimSpace(s)), append(ends, strings.TrimSpace(e))
	}
	return append(starts, ""), append(ends, "")
}

// overrideForm is the special-hours form for date with hours h.
func overrideForm(date, h string) url.Values {
	v := url.Values{"date": {date}, "action": {"save"}}
	v["window_start"], v["window_end"] = timeRows(h)
	return v
}

func with(v url.Values, kv ...string) url.Values {
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func wantAdminSlots(t *testing.T, a *adminTest, day string, want []string) {
	t.Helper()
	if got := a.localSlots(day); !slices.Equal(got, want) {
		t.Fatalf("slots on %s = %v, want %v", day, got, want)
	}
}

func TestAdminAvailabilityEditsReachSlots(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	b := a.mustSignIn()
	b.get("/admin/availability")
	full := len(a.localSlots("2026-12-08"))
	if full != 21 {
		t.Fatalf("demo Tuesday has %d slots, want 21", full)
	}

	// Weekly hours: a preview shows the change without saving it.
	p := b.post("/admin/availability/weekly", with(adminWeekForm(map[int]string{2: "10:00-11:00", 6: "09:00-10:00"}), "action", "preview"))
	if p.Status != 200 || !strings.Contains(p.Body, "Preview: free slots for the next 14 days") ||
		!strings.Contains(p.Body, "<strong>Tue 8 Dec</strong>: 10:00, 10:20, 10:40</li>") {
		t.Fatalf("preview: %d\n%s", p.Status, p.Body)
	}
	if n := len(a.localSlots("2026-12-08")); n != full {
		t.Fatalf("a preview changed the slots: %d", n)
	}
	wantAdminRedirect(t, b.post("/admin/availability/weekly", with(adminWeekForm(map[int]string{2: "10:00-11:00", 6: "09:00-10:00"}), "action", "save")), "/admin/availability")
	wantAdminSlots(t, a, "2026-12-08", []string{"10:00", "10:20", "10:40"})
	wantAdminSlots(t, a, "2026-12-05", []string{"09:00", "09:20", "09:40"})

	// Bad hours are refused at the field and change nothing.
	for _, bad := range []string{"25:00-26:00", "12:00-09:00", "09:00-11:00, 10:00-12:00", "nine to five", "09:00-"} {
		p := b.post("/admin/availability/weekly", with(adminWeekForm(map[int]string{2: bad}), "action", "save"))
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `class="field-error" id="hours_2-error">Check Tuesday: `) ||
			!strings.Contains(p.Body, `<fieldset class="day-hours" id="day-2" aria-describedby="hours_2-error">`) ||
			!strings.Contains(p.Body, `id="start_2_0" name="start_2"`) || strings.Count(p.Body, `aria-invalid="true"`) < 2 {
			t.Fatalf("%q: %d\n%s", bad, p.Status, p.Body)
		}
	}
	wantAdminSlots(t, a, "2026-12-08", []string{"10:00", "10:20", "10:40"})

	// A date override: closed, or other hours.
	wantAdminRedirect(t, b.post("/admin/availability/overrides", url.Values{"date": {"2026-12-09"}, "closed": {"1"}, "action": {"save"}}), "/admin/availability")
	wantAdminSlots(t, a, "2026-12-09", nil)
	wantAdminRedirect(t, b.post("/admin/availability/overrides", overrideForm("2026-12-10", "14:00-15:00")), "/admin/availability")
	wantAdminSlots(t, a, "2026-12-10", []string{"14:00", "14:20", "14:40"})
	if p := b.post("/admin/availability/overrides", url.Values{"date": {"2026-12-11"}, "action": {"save"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("an open override without hours: %d", p.Status)
	}
	wantAdminRedirect(t, b.post("/admin/availability/overrides/2026-12-09/delete", nil), "/admin/availability")
	if n := len(a.localSlots("2026-12-09")); n != full {
		t.Fatalf("after removing the override: %d slots", n)
	}

	// Time off closes a range; removing it opens it again.
	wantAdminRedirect(t, b.post("/admin/availability/time-off", url.Values{"first": {"2026-12-14"}, "last": {"2026-12-15"}, "action": {"save"}}), "/admin/availability")
	wantAdminSlots(t, a, "2026-12-14", nil)
	wantAdminSlots(t, a, "2026-12-15", nil)
	if n := len(a.localSlots("2026-12-16")); n != full {
		t.Fatalf("the day after the time off: %d slots", n)
	}
	if p := b.post("/admin/availability/time-off", url.Values{"first": {"2026-12-20"}, "last": {"2026-12-18"}, "action": {"save"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("time off ending before it starts: %d", p.Status)
	}
	var id int64
	if err := a.pool.QueryRow(context.Background(), `SELECT id FROM time_off`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	page := b.get("/admin/availability")
	if !strings.Contains(page.Body, "Mon 14 Dec 2026 to Tue 15 Dec 2026") || !strings.Contains(page.Body, "Thu 10 Dec 2026") {
		t.Fatalf("availability page does not list the override and time off:\n%s", page.Body)
	}
	wantAdminRedirect(t, b.post(fmt.Sprintf("/admin/availability/time-off/%d/delete", id), nil), "/admin/availability")
	if n := len(a.localSlots("2026-12-14")); n != full {
		t.Fatalf("after removing the time off: %d slots", n)
	}
}

func adminRulesForm(kv ...string) url.Values {
	v := url.Values{"timezone": {"America/Los_Angeles"}, "buffer_minutes": {"10"}, "min_notice_hours": {"12"},
		"horizon_days": {"60"}, "daily_cap": {"6"}, "action": {"save"}}
	return with(v, kv...)
}

func TestAdminRulesReachSlotsAndBookings(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	b := a.mustSignIn()
	b.get("/admin/rules")

	// Minimum notice and "not on the same day".
	wantAdminRedirect(t, b.post("/admin/rules", adminRulesForm("min_notice_hours", "0")), "/admin/rules")
	if n := len(a.localSlots("2026-12-01")); n != 21 {
		t.Fatalf("today without notice: %d slots", n)
	}
	wantAdminRedirect(t, b.post("/admin/rules", adminRulesForm("min_notice_hours", "0", "not_same_day", "1")), "/admin/rules")
	wantAdminSlots(t, a, "2026-12-01", nil)
	if r := a.do("POST", "/api/v1/bookings", map[string]string{"start": "2026-12-01T18:00:00Z", "name": "A", "email": "a@example.org"}, nil); r.Status != http.StatusUnprocessableEntity || r.problem(t).Type != "/problems/too-soon" {
		t.Fatalf("booking today despite not-same-day: %d %s", r.Status, r.Body)
	}
	wantAdminRedirect(t, b.post("/admin/rules", adminRulesForm("min_notice_hours", "48")), "/admin/rules")
	wantAdminSlots(t, a, "2026-12-02", nil)

	// Horizon.
	wantAdminRedirect(t, b.post("/admin/rules", adminRulesForm("horizon_days", "10")), "/admin/rules")
	wantAdminSlots(t, a, "2026-12-14", nil)
	if n := len(a.localSlots("2026-12-11")); n == 0 {
		t.Fatal("the last day of the horizon has no slots")
	}

	// Daily cap and buffer.
	wantAdminRedirect(t, b.post("/admin/rules", adminRulesForm("daily_cap", "2", "buffer_minutes", "20")), "/admin/rules")
	a.book(time.Date(2026, 12, 8, 10, 0, 0, 0, adminLA), "Client One")
	got := a.localSlots("2026-12-08")
	if slices.Contains(got, "09:40") || slices.Contains(got, "10:20") || !slices.Contains(got, "09:20") || !slices.Contains(got, "10:40") {
		t.Fatalf("20-minute buffer around 10:00: %v", got)
	}
	a.book(time.Date(2026, 12, 8, 14, 0, 0, 0, adminLA), "Client Two")
	wantAdminSlots(t, a, "2026-12-08", nil)
	if r := a.do("POST", "/api/v1/bookings", map[string]string{"start": time.Date(2026, 12, 8, 16, 0, 0, 0, adminLA).UTC().Format(time.RFC3339),
		"name": "Three", "email": "three@example.org"}, nil); r.Status != http.StatusConflict {
		t.Fatalf("a third booking past the cap of 2: %d", r.Status)
	}

	// A preview shows, saving nothing; bad values are refused at their field.
	p := b.post("/admin/rules", adminRulesForm("daily_cap", "0", "action", "preview"))
	if p.Status != 200 || !strings.Contains(p.Body, "Preview: free slots") {
		t.Fatalf("rules preview: %d", p.Status)
	}
	wantAdminSlots(t, a, "2026-12-08", nil)
	for field, bad := range map[string]string{"timezone": "Mars/Olympus", "buffer_minutes": "-5", "horizon_days": "0",
		"daily_cap": "1000", "min_notice_hours": "soon"} {
		p := b.post("/admin/rules", adminRulesForm(field, bad))
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `class="field-error"`) {
			t.Fatalf("%s=%q: %d", field, bad, p.Status)
		}
	}
	wantAdminSlots(t, a, "2026-12-08", nil)
}

func TestAdminBookingsOutsideNewHoursAreListedNotCancelled(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	morning := a.book(time.Date(2026, 12, 8, 9, 0, 0, 0, adminLA), "Morning Client")
	afternoon := a.book(time.Date(2026, 12, 8, 14, 0, 0, 0, adminLA), "Afternoon Client")
	b := a.mustSignIn()
	b.get("/admin/availability")
	tuesdayAfternoons := adminWeekForm(map[int]string{2: "13:00-17:00"})

	p := b.post("/admin/availability/weekly", with(tuesdayAfternoons, "action", "preview"))
	link := fmt.Sprintf(`<a href="/admin/bookings/%d">Consultation with M. C., Tue 8 Dec 09:00</a>`, morning.ID)
	if !strings.Contains(p.Body, "would fall outside the new hours") || !strings.Contains(p.Body, link) ||
		strings.Contains(p.Body, fmt.Sprintf(`<a href="/admin/bookings/%d">`, afternoon.ID)) {
		t.Fatalf("preview does not list exactly the morning booking:\n%s", p.Body)
	}
	wantAdminRedirect(t, b.post("/admin/availability/weekly", with(tuesdayAfternoons, "action", "save")), "/admin/availability")
	page := b.get("/admin/availability")
	if !strings.Contains(page.Body, `id="outside"`) || !strings.Contains(page.Body, link) {
		t.Fatalf("availability page does not list the booking outside the hours:\n%s", page.Body)
	}
	if n := a.bookingCount("confirmed"); n != 2 {
		t.Fatalf("%d confirmed bookings after the change, want both kept", n)
	}
	if home := b.get("/admin"); !strings.Contains(home.Body, "1 upcoming booking falls outside your hours") {
		t.Fatalf("overview does not warn:\n%s", home.Body)
	}

	// The practitioner cancels it from the list, with a message.
	wantAdminRedirect(t, b.post(fmt.Sprintf("/admin/bookings/%d/cancel", morning.ID),
		url.Values{"message": {"Sorry, my hours changed."}, "back": {"/admin/availability"}}), "/admin/availability")
	if n := a.bookingCount("confirmed"); n != 1 {
		t.Fatalf("%d confirmed bookings, want 1", n)
	}
	var msg string
	if err := a.pool.QueryRow(context.Background(),
		`SELECT message FROM outbox WHERE booking_id = $1 AND kind = 'cancelled'`, morning.ID).Scan(&msg); err != nil || msg != "Sorry, my hours changed." {
		t.Fatalf("cancellation mail message = %q, %v", msg, err)
	}
	if page := b.get("/admin/availability"); strings.Contains(page.Body, link) {
		t.Fatal("a cancelled booking is still listed outside the hours")
	}
}

// TestAdminPastDaysAreRefused: special hours or time off for a day already
// gone are refused at the field, on the page (saved or previewed) and in
// the API, and change nothing; today is still accepted.
func TestAdminPastDaysAreRefused(t *testing.T) {
	a := newAdminTest(t, api.Config{}) // today is Tuesday 1 December 2026 in Los Angeles
	b := a.mustSignIn()
	b.get("/admin/availability")
	auth := map[string]string{"Authorization": "Bearer " + a.apiToken()}
	before := a.state()
	for _, c := range []struct {
		path  string
		form  url.Values
		field string
	}{
		{"/admin/availability/overrides", url.Values{"date": {"2026-11-01"}, "closed": {"1"}, "action": {"save"}}, "date"},
		{"/admin/availability/overrides", with(overrideForm("2026-11-30", "10:00-11:00"), "action", "preview"), "date"},
		{"/admin/availability/time-off", url.Values{"first": {"2026-11-01"}, "last": {"2026-11-01"}, "action": {"save"}}, "first"},
		{"/admin/availability/time-off", url.Values{"first": {"2026-11-30"}, "last": {"2026-12-03"}, "action": {"preview"}}, "first"},
	} {
		p := b.post(c.path, c.form)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `">That day has passed. Choose today or a later day.</`) ||
			strings.Contains(p.Body, "Preview: free slots") {
			t.Fatalf("%s %v: %d\n%s", c.path, c.form, p.Status, p.Body)
		}
	}
	if r := a.do("PUT", "/api/v1/admin/availability/overrides/2026-11-01", map[string]any{"closed": true}, auth); r.Status != 422 ||
		r.problem(t).Errors["date"] != booking.PastDay {
		t.Fatalf("API override in the past: %d %s", r.Status, r.Body)
	}
	if r := a.do("POST", "/api/v1/admin/availability/time-off", map[string]string{"first": "2026-11-29", "last": "2026-12-02"}, auth); r.Status != 422 ||
		r.problem(t).Errors["first"] != booking.PastDay {
		t.Fatalf("API time off from the past: %d %s", r.Status, r.Body)
	}
	if after := a.state(); after != before {
		t.Fatalf("refused changes changed the state:\n%s\n---\n%s", before, after)
	}
	wantAdminRedirect(t, b.post("/admin/availability/overrides", url.Values{"date": {"2026-12-01"}, "closed": {"1"}, "action": {"save"}}), "/admin/availability")
	wantAdminRedirect(t, b.post("/admin/availability/time-off", url.Values{"first": {"2026-12-01"}, "action": {"save"}}), "/admin/availability")
}
