package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"consult/api"
)

// TestAdminChangesAreNotSavedUnaudited: while the audit log refuses
// entries, a change from the admin pages or the admin API answers with a
// server error and changes nothing, and signing in fails; once it accepts
// them again, the same requests succeed.
func TestAdminChangesAreNotSavedUnaudited(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	bk := a.bookAs(time.Date(2026, 12, 8, 9, 0, 0, 0, adminLA), "Jo Client", "jo@example.org", "")
	token := a.apiToken()
	b := a.mustSignIn()
	b.get(fmt.Sprintf("/admin/bookings/%d", bk.ID))

	refuse := func(on bool) {
		t.Helper()
		q := `DROP TRIGGER refuse_audit ON audit_log`
		if on {
			q = `CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()`
		}
		if _, err := a.pool.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.pool.Exec(context.Background(), `CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'test: the audit log refuses every entry'; END $$`); err != nil {
		t.Fatal(err)
	}
	page := func() int {
		return b.post("/admin/availability/weekly", adminWeekForm(map[int]string{2: "10:00-11:00"})).Status
	}
	// Sent by hand: openapi.yaml, which a.do checks answers against,
	// lists no server errors.
	api := func() int {
		t.Helper()
		req, err := http.NewRequest("POST", a.url+fmt.Sprintf("/api/v1/admin/bookings/%d/cancel", bk.ID), strings.NewReader(`{"message": "Sorry."}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := a.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	refuse(true)
	before := a.state()
	if got := page(); got != http.StatusInternalServerError {
		t.Errorf("weekly hours saved from the page with the audit log refusing: %d, want 500", got)
	}
	if got := api(); got != http.StatusInternalServerError {
		t.Errorf("booking cancelled through the API with the audit log refusing: %d, want 500", got)
	}
	if after := a.state(); after != before {
		t.Fatalf("unaudited changes were saved:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// Nor does anyone sign in unrecorded.
	other := a.newBrowser()
	if p := other.signIn(adminEmail, adminPassword, ""); p.Status != http.StatusInternalServerError {
		t.Errorf("signing in with the audit log refusing: %d, want 500", p.Status)
	}
	wantAdminRedirect(t, other.get("/admin"), "/admin/sign-in")

	refuse(false)
	if got := page(); got != http.StatusSeeOther {
		t.Errorf("weekly hours saved from the page: %d, want 303", got)
	}
	if got := api(); got != http.StatusOK {
		t.Errorf("booking cancelled through the API: %d, want 200", got)
	}
	if a.state() == before {
		t.Error("neither change was saved")
	}
}
