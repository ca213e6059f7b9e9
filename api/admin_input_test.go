package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"consult/api"
)

// adminBadText are inputs PostgreSQL cannot store as text: a NUL byte and
// a byte that is not UTF-8.
var adminBadText = []string{"a\x00b", "a\xffb"}

// TestAdminTextInputsRefuseBytesTheDatabaseCannotStore sends a NUL byte and
// invalid UTF-8 to every text input of the admin pages and API: each is
// refused at the field (or, for signing in, counted as a failed attempt),
// never a 500, and nothing is changed.
func TestAdminTextInputsRefuseBytesTheDatabaseCannotStore(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	bk := a.bookAs(time.Date(2026, 12, 8, 9, 0, 0, 0, adminLA), "Jo Client", "jo@example.org", "")
	auth := map[string]string{"Authorization": "Bearer " + a.apiToken()}
	b := a.mustSignIn()
	b.get("/admin/bookings")

	pageForms := []struct {
		path, field string
		form        url.Values
	}{
		{"/admin/bookings", "q", url.Values{"when": {"upcoming"}}},
		{fmt.Sprintf("/admin/bookings/%d/note", bk.ID), "practitioner_note", nil},
		{fmt.Sprintf("/admin/bookings/%d/cancel", bk.ID), "message", nil},
		{"/admin/tokens", "name", nil},
		{"/admin/settings/practice", "practice_name", nil},
		{"/admin/settings/password", "new_password", url.Values{"current_password": {adminPassword}}},
		{"/admin/clients/export", "email", nil},
		{"/admin/clients/erase", "email", url.Values{"confirm": {"1"}}},
		{"/admin/calendar/settings", "event_title", nil},
		{"/admin/availability/weekly", "start_2", adminWeekForm(nil)},
		{"/admin/availability/overrides", "window_start", url.Values{"date": {"2026-12-09"}, "window_end": {"11:00"}}},
		{"/admin/availability/overrides", "date", url.Values{"window_start": {"10:00"}, "window_end": {"11:00"}}},
		{"/admin/availability/time-off", "first", url.Values{"last": {"2026-12-20"}}},
		{"/admin/rules", "timezone", adminRulesForm()},
	}
	before := a.state()
	for _, bad := range adminBadText {
		for _, f := range pageForms {
			form := url.Values{}
			for k, v := range f.form {
				form[k] = append([]string(nil), v...)
			}
			form.Set(f.field, bad)
			if f.field == "new_password" {
				form.Set("new_password", "long enough "+bad+" passphrase")
				form.Set("confirm_password", form.Get("new_password"))
			}
			p := b.post(f.path, form)
			if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `class="field-error"`) {
				t.Errorf("%s %s=%q: %d, want 422 with the error at the field\n%s", f.path, f.field, bad, p.Status, p.Body)
			}
		}
		// A search in the URL is not read at all (searches are posted).
		for _, path := range []string{"/admin/bookings?q=" + url.QueryEscape(bad), "/admin/email?status=" + url.QueryEscape(bad)} {
			if p := b.get(path); p.Status >= 500 {
				t.Errorf("%s: %d", path, p.Status)
			}
		}

		api := []struct {
			method, path string
			body         any
			field        string
		}{
			{"GET", "/api/v1/admin/bookings?q=" + url.QueryEscape(bad), nil, "q"},
			{"POST", fmt.Sprintf("/api/v1/admin/bookings/%d/cancel", bk.ID), map[string]string{"message": bad}, "message"},
			// Sent raw, a NUL is not JSON (400); a stray byte decodes as U+FFFD (422).
			{"POST", fmt.Sprintf("/api/v1/admin/bookings/%d/cancel", bk.ID), `{"message": "a` + bad + `b"}`, ""},
			{"PUT", "/api/v1/admin/settings", map[string]any{"practice_name": bad, "timezone": "America/Los_Angeles",
				"buffer_minutes": 10, "min_notice_hours": 12, "horizon_days": 60, "daily_cap": 6}, "practice_name"},
			{"PUT", "/api/v1/admin/availability/weekly", map[string]any{"weekly": []map[string]string{
				{"weekday": bad, "start": "09:00", "end": "10:00"}}}, ""},
			{"PUT", "/api/v1/admin/availability/overrides/2026-12-09", map[string]any{"windows": []map[string]string{
				{"start": bad, "end": "10:00"}}}, ""},
			{"POST", "/api/v1/admin/availability/time-off", map[string]string{"first": bad, "last": "2026-12-20"}, ""},
		}
		for _, c := range api {
			r := a.do(c.method, c.path, c.body, auth)
			if r.Status != http.StatusUnprocessableEntity && (c.field != "" || r.Status != http.StatusBadRequest) {
				t.Errorf("%s %s with %q: %d\n%s", c.method, c.path, bad, r.Status, r.Body)
				continue
			}
			if p := r.problem(t); c.field != "" && r.Status == http.StatusUnprocessableEntity && p.Errors[c.field] == "" {
				t.Errorf("%s %s with %q: no error for %s: %+v", c.method, c.path, bad, c.field, p)
			}
		}
		if r := a.do("PUT", "/api/v1/admin/availability/overrides/"+url.PathEscape(bad), map[string]any{"closed": true}, auth); r.Status >= 500 {
			t.Errorf("override for date %q: %d", bad, r.Status)
		}
	}
	if after := a.state(); after != before {
		t.Fatalf("refused inputs changed the data:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestAdminSignInWithMalformedInput: an email no account can have is
// answered like any unknown email, and counted against the throttle; a
// malformed next page is not followed.
func TestAdminSignInWithMalformedInput(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	for _, bad := range adminBadText {
		failures := a.count(`SELECT count(*) FROM login_failures`)
		p := a.newBrowser().signIn("practitioner"+bad+"@example.org", adminPassword, "")
		if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "Email, password or code is not right.") {
			t.Fatalf("email with %q: %d\n%s", bad, p.Status, p.Body)
		}
		if n := a.count(`SELECT count(*) FROM login_failures`); n != failures+2 {
			t.Fatalf("email with %q: %d failures recorded, want 2 (account and address)", bad, n-failures)
		}
		b := a.newBrowser()
		b.get("/admin/sign-in")
		p = b.post("/admin/sign-in", url.Values{"email": {adminEmail}, "password": {adminPassword}, "next": {"/admin/rules" + bad}})
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/admin" {
			t.Fatalf("next with %q: %d to %q", bad, p.Status, p.Header.Get("Location"))
		}
	}
	if p := a.newBrowser().get("/admin/sign-in?next=" + url.QueryEscape("/admin/rules\x00")); p.Status != 200 || strings.Contains(p.Body, "rules") {
		t.Fatalf("form with a malformed next: %d\n%s", p.Status, p.Body)
	}
}
