package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"consult/api"
)

// TestWaitlistAPIAndAdminPage: POST /api/v1/waitlist answers the same 202
// for a new address and a repeated one (checked against openapi.yaml),
// refuses bad input field by field, and the practitioner sees the entry,
// removes it and closes the waitlist, after which joining is refused.
func TestWaitlistAPIAndAdminPage(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	join := map[string]any{"name": "Wren Waiting", "email": "wren@example.org", "timezone": "Europe/Berlin",
		"days": []string{"wed", "thu"}, "parts": []string{"evening"}, "from": "2026-12-02", "to": "2026-12-20"}
	first := a.do("POST", "/api/v1/waitlist", join, nil)
	again := a.do("POST", "/api/v1/waitlist", join, nil)
	if first.Status != 202 || again.Status != 202 || string(first.Body) != string(again.Body) {
		t.Fatalf("join: %d %s, again: %d %s", first.Status, first.Body, again.Status, again.Body)
	}
	var n int
	if err := a.pool.QueryRow(t.Context(), `SELECT count(*) FROM waitlist_entries`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("entries: %d, %v", n, err)
	}
	bad := map[string]any{"name": "", "email": "nope", "timezone": "Mars/Base", "days": []string{"wed"},
		"parts": []string{"night"}, "from": "2026-11-01", "to": "2027-06-01"}
	p := a.do("POST", "/api/v1/waitlist", bad, nil).problem(t)
	for _, field := range []string{"name", "email", "timezone", "parts", "from", "to"} {
		if p.Errors[field] == "" {
			t.Errorf("no errors.%s in %+v", field, p)
		}
	}
	if p := a.do("POST", "/api/v1/waitlist", map[string]any{"name": "A", "email": "a@example.org", "timezone": "UTC",
		"days": []string{"someday"}, "parts": []string{"morning"}, "from": "2026-12-02", "to": "2026-12-03"}, nil).problem(t); p.Errors["days"] == "" {
		t.Errorf("unknown day: %+v", p)
	}

	b := a.mustSignIn()
	page := b.get("/admin/waitlist")
	if page.Status != 200 || !strings.Contains(page.Body, "1 person is waiting.") || !strings.Contains(page.Body, "Wren Waiting") ||
		!strings.Contains(page.Body, "Wednesdays and Thursdays, evenings, Wed 2 Dec 2026 to Sun 20 Dec 2026, Berlin time") ||
		!strings.Contains(page.Body, "Has not confirmed yet") {
		t.Fatalf("waitlist page: %d\n%s", page.Status, page.Body)
	}
	var id string
	if err := a.pool.QueryRow(t.Context(), `SELECT id::text FROM waitlist_entries`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if week := b.get("/admin"); strings.Contains(week.Body, "waiting for a time") {
		t.Fatal("the week calendar counts an unconfirmed entry")
	}
	if _, err := a.pool.Exec(t.Context(), `UPDATE waitlist_entries SET status = 'active', confirmed_at = created_at`); err != nil {
		t.Fatal(err)
	}
	if week := b.get("/admin"); !strings.Contains(week.Body, `<a href="/admin/waitlist">1 person is waiting for a time</a>`) {
		t.Fatalf("the week calendar lacks the waitlist count:\n%s", week.Body)
	}
	if r := b.post("/admin/waitlist/"+id+"/remove", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("remove: %d", r.Status)
	}
	if page := b.get("/admin/waitlist"); !strings.Contains(page.Body, "Nobody is waiting.") {
		t.Fatalf("after removing:\n%s", page.Body)
	}
	if r := b.post("/admin/waitlist/setting", map[string][]string{"on": {"false"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("close: %d", r.Status)
	}
	join["email"] = "other@example.org"
	if r := a.do("POST", "/api/v1/waitlist", join, nil); r.Status != http.StatusConflict {
		t.Fatalf("joining a closed waitlist: %d %s", r.Status, r.Body)
	}
	if page := b.get("/waitlist"); page.Status != 200 || !strings.Contains(page.Body, "not open at the moment") {
		t.Fatalf("/waitlist when closed: %d", page.Status)
	}
	var audited int
	if err := a.pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE action IN ('waitlist.view', 'waitlist.remove', 'waitlist.off')`).Scan(&audited); err != nil || audited < 3 {
		t.Fatalf("audit entries: %d, %v", audited, err)
	}
}

// TestAdminWaitlistPageInBrowser: the waitlist page, with someone
// waiting, passes axe-core and fits a phone's width.
func TestAdminWaitlistPageInBrowser(t *testing.T) {
	b := needBrowser(t)
	a := newAdminTest(t, api.Config{})
	if r := a.do("POST", "/api/v1/waitlist", map[string]any{"name": "Wren Waiting", "email": "wren@example.org",
		"timezone": "Europe/Berlin", "days": []string{"wed"}, "parts": []string{"evening"}, "from": "2026-12-02", "to": "2026-12-20"}, nil); r.Status != 202 {
		t.Fatalf("join: %d", r.Status)
	}
	tb := signedInTab(t, b, a, 1280)
	if code := tb.open(a.url + "/admin/waitlist"); code != 200 || !strings.Contains(tb.text("main"), "Wren Waiting") {
		t.Fatalf("/admin/waitlist: %d", code)
	}
	tb.auditWidths(b, "admin-waitlist")
}

// TestWaitlistAsksWhereTheClientWillBe: where the practice lists the
// places it serves, the waitlist asks as the booking form does; a place
// outside them is refused (422 naming region from the API, a kind page
// from the form) and nothing is stored.
func TestWaitlistAsksWhereTheClientWillBe(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	if err := a.store.UpdateProfile(context.Background(), testProfile, testNow); err != nil {
		t.Fatal(err)
	}
	join := map[string]any{"name": "Wren Waiting", "email": "wren@example.org", "timezone": "Europe/Berlin",
		"days": []string{"wed"}, "parts": []string{"evening"}, "from": "2026-12-02", "to": "2026-12-20"}
	if p := a.do("POST", "/api/v1/waitlist", join, nil).problem(t); !strings.Contains(p.Errors["region"], "Choose where you will be") {
		t.Fatalf("no region: %+v", p)
	}
	join["region"] = "FR"
	if p := a.do("POST", "/api/v1/waitlist", join, nil).problem(t); !strings.Contains(p.Errors["region"], "only in") {
		t.Fatalf("a place not served: %+v", p)
	}
	b := a.newBrowser()
	form := b.get("/waitlist")
	if !strings.Contains(form.Body, `<select id="region" name="region" required`) {
		t.Fatalf("the form does not ask where:\n%s", form.Body)
	}
	page := b.post("/waitlist", url.Values{"name": {"Wren"}, "email": {"wren@example.org"}, "timezone": {"Europe/Berlin"},
		"region": {"FR"}, "days": {"wed"}, "parts": {"evening"}, "from": {"2026-12-02"}, "to": {"2026-12-20"}, "consent": {"yes"}})
	if page.Status != 422 || !strings.Contains(page.Body, "We cannot offer you a consultation there") {
		t.Fatalf("form with a place not served: %d", page.Status)
	}
	var n int
	if err := a.pool.QueryRow(t.Context(), `SELECT count(*) FROM waitlist_entries`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("stored %d entries, %v", n, err)
	}
	join["region"] = "DE"
	if r := a.do("POST", "/api/v1/waitlist", join, nil); r.Status != 202 {
		t.Fatalf("a place served: %d %s", r.Status, r.Body)
	}
}

// TestWeekCalendarSaysHowEachConsultationHappens: a booking shows its way
// of meeting beside the initials, in words for hover, focus and screen
// readers, and in the day list.
func TestWeekCalendarSaysHowEachConsultationHappens(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	if err := a.store.UpdateProfile(context.Background(), testProfile, testNow); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 10, 14, 0, 0, 0, adminLA)
	r := a.do("POST", "/api/v1/bookings", map[string]string{"start": start.UTC().Format(time.RFC3339), "name": "Ada Byron",
		"email": "ada@example.org", "mode": "phone", "phone": "+1 555 0100", "region": "US-CA"}, nil)
	if r.Status != 201 {
		t.Fatalf("book: %d %s", r.Status, r.Body)
	}
	page := a.mustSignIn().get("/admin?week=2026-12-10")
	for _, want := range []string{`title="Ada Byron, 14:00–14:20, phone call"`, `AB<span class="ev-mode">P</span>`,
		`<a href="/admin/bookings/`, `Ada Byron</a> <span class="muted">phone call</span>`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the week lacks %q", want)
		}
	}
}
