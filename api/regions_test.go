package api_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"consult/api"
)

// serveRegions lists the places the test practice serves.
func serveRegions(t *testing.T, exec func(ctx context.Context, sql string, args ...any) error, codes ...string) {
	t.Helper()
	if err := exec(context.Background(), `UPDATE practice_settings SET regions = $1, profile_updated_at = $2`, codes, testNow); err != nil {
		t.Fatal(err)
	}
}

// TestRegionThroughTheAPI: a client must say where they will be, and
// only a place the practice serves (or a state of a country it serves
// whole) books; otherwise a 422 names the field and where the practice
// works, and nothing is stored.
func TestRegionThroughTheAPI(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	serveRegions(t, func(ctx context.Context, sql string, args ...any) error {
		_, err := a.pool.Exec(ctx, sql, args...)
		return err
	},
		"US-CA", "US-OR", "DE")
	slots := a.slots(wednesday)
	body := func(i int, region string) map[string]string {
		return map[string]string{"start": slots[i].Format(time.RFC3339), "name": "Region Client", "email": "region@example.org", "region": region}
	}
	for _, region := range []string{"", "US-WA", "US", "XX", "AT", "US-CA-X"} {
		p := a.do("POST", "/api/v1/bookings", body(0, region), nil).problem(t)
		if p.Status != 422 || p.Errors["region"] == "" {
			t.Errorf("region %q: %+v, want 422 naming region", region, p)
		}
		if region == "US-WA" && !strings.Contains(p.Errors["region"], "California or Oregon (United States) or Germany") {
			t.Errorf("the refusal does not say where the practice works: %q", p.Errors["region"])
		}
	}
	if n := a.bookingCount(""); n != 0 {
		t.Fatalf("%d bookings stored for places not served", n)
	}
	for i, region := range []string{"us-ca", "DE-BE"} {
		r := a.do("POST", "/api/v1/bookings", map[string]string{"start": slots[i*3].Format(time.RFC3339), "name": "Region Client",
			"email": region + "@example.org", "region": region}, nil)
		if r.Status != 201 {
			t.Fatalf("region %q: %d %s", region, r.Status, r.Body)
		}
		var b bookingBody
		r.decode(t, &b)
		var d struct {
			Region string `json:"region"`
		}
		a.do("GET", "/api/v1/bookings/"+b.token(), nil, nil).decode(t, &d)
		if d.Region != strings.ToUpper(region) {
			t.Errorf("stored region %q, want %q", d.Region, strings.ToUpper(region))
		}
	}
}

// TestRegionOnTheForm: the booking form asks where the client will be,
// choosing nothing for them; somewhere else gets a kind page naming where
// the practice works, and nothing is stored.
func TestRegionOnTheForm(t *testing.T) {
	site := newTestSite(t)
	serveRegions(t, func(ctx context.Context, sql string, args ...any) error {
		_, err := site.pool.Exec(ctx, sql, args...)
		return err
	},
		"US-CA", "US-OR", "US-WA")
	page := site.get("/book?date=2026-12-02&tz=America/Los_Angeles")
	if !strings.Contains(page.Body, "Where will you be during the consultation?") ||
		!strings.Contains(page.Body, `<option value="US-CA">California, United States</option>`) ||
		!strings.Contains(page.Body, `<option value="elsewhere">Somewhere else</option>`) ||
		strings.Contains(regexp.MustCompile(`(?s)<select id="region".*?</select>`).FindString(page.Body), "selected") {
		t.Fatalf("the booking form's question:\n%s", page.Body)
	}
	slots := site.slotsOn(firstDay, "America/Los_Angeles")

	form := site.bookingForm(slots[0])
	if p := site.post("/book", form); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Choose where you will be during the consultation.") {
		t.Errorf("no answer: %d", p.Status)
	}
	form.Set("region", "elsewhere")
	p := site.post("/book", form)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "We cannot offer you a consultation there") ||
		!strings.Contains(p.Body, "only in California, Oregon or Washington (United States)") || !strings.Contains(p.Body, "Nothing you entered has been kept.") {
		t.Errorf("somewhere else: %d\n%s", p.Status, p.Body)
	}
	form.Set("region", "DE-BE")
	if p := site.post("/book", form); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "We cannot offer you a consultation there") {
		t.Errorf("a place not listed: %d", p.Status)
	}
	if n := site.count(""); n != 0 {
		t.Fatalf("%d bookings stored for a client outside the places served", n)
	}
	form.Set("region", "US-WA")
	if p := site.post("/book", form); p.Status != http.StatusSeeOther {
		t.Fatalf("a place served: %d\n%s", p.Status, p.Body)
	}
	var region string
	if err := site.pool.QueryRow(context.Background(), `SELECT region FROM bookings`).Scan(&region); err != nil || region != "US-WA" {
		t.Errorf("stored region %q (%v)", region, err)
	}
}
