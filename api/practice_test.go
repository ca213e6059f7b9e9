package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"consult/api"
)

type publicPracticeBody struct {
	Name             string   `json:"name"`
	PractitionerName string   `json:"practitioner_name"`
	Credentials      []string `json:"credentials"`
	Bio              string   `json:"bio"`
	ContactEmail     string   `json:"contact_email"`
	Regions          []struct {
		Code, Name string
	} `json:"regions"`
}

// TestPracticeProfile edits the profile through the admin API and the
// admin page and finds it, escaped, on every public page that shows it
// and in the public API; bad input is refused naming the field and
// changes nothing.
func TestPracticeProfile(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	auth := map[string]string{"Authorization": "Bearer " + a.apiToken()}

	// Neutral until set.
	var pub publicPracticeBody
	a.do("GET", "/api/v1/practice", nil, nil).decode(t, &pub)
	if pub.PractitionerName != "" || len(pub.Credentials) != 0 || len(pub.Regions) != 0 || pub.Name == "" {
		t.Fatalf("a new practice's profile = %+v", pub)
	}
	if body := string(a.do("GET", "/about", nil, nil).Body); strings.Contains(body, "You’ll talk with") || !strings.Contains(body, "About the practice") {
		t.Errorf("the About page of a new practice is not neutral:\n%s", body)
	}

	profile := map[string]any{
		"practitioner_name": `Dr. Ana <b>Ruiz</b>`,
		"credentials":       []string{"PsyD", "  ", "Licensed psychologist, CA PSY 00000"},
		"bio":               "First paragraph <script>alert(1)</script>.\n\nSecond paragraph.",
		"contact_email":     "office@example.org",
		"contact_phone":     "+1 555 0100",
		"regions":           []string{"us-ca", "US-OR", "US-CA"},
	}
	r := a.do("PUT", "/api/v1/admin/practice", profile, auth)
	if r.Status != 200 {
		t.Fatalf("PUT practice: %d %s", r.Status, r.Body)
	}
	var saved struct {
		Credentials []string `json:"credentials"`
		Regions     []string `json:"regions"`
	}
	r.decode(t, &saved)
	if !slices.Equal(saved.Credentials, []string{"PsyD", "Licensed psychologist, CA PSY 00000"}) || !slices.Equal(saved.Regions, []string{"US-CA", "US-OR"}) {
		t.Errorf("saved = %+v", saved)
	}
	if got := a.auditActions(); !slices.Contains(got, "profile.update profile") {
		t.Errorf("audit log %v has no profile.update", got)
	}

	a.do("GET", "/api/v1/practice", nil, nil).decode(t, &pub)
	if pub.PractitionerName != `Dr. Ana <b>Ruiz</b>` || pub.Name != pub.PractitionerName || len(pub.Regions) != 2 ||
		pub.Regions[0].Code != "US-CA" || pub.Regions[0].Name != "California, United States" {
		t.Errorf("public profile = %+v", pub)
	}

	// Every page that shows the practitioner, escaped.
	escaped := "Dr. Ana &lt;b&gt;Ruiz&lt;/b&gt;"
	for path, want := range map[string][]string{
		"/":        {"You’ll talk with " + escaped, "First paragraph &lt;script&gt;", "<title>"},
		"/about":   {"About " + escaped, "Licensed psychologist, CA PSY 00000", "Second paragraph.", "California, Oregon", "mailto:office@example.org", "tel:&#43;15550100"},
		"/book":    {"You’ll talk with <a href=\"/about\">" + escaped + "</a>"},
		"/privacy": {escaped + ", is responsible for your details", "mailto:office@example.org"},
	} {
		body := string(a.do("GET", path, nil, nil).Body)
		if strings.Contains(body, "<b>Ruiz") || strings.Contains(body, "<script>alert") {
			t.Errorf("%s holds the profile unescaped", path)
		}
		if !strings.Contains(body, "<title>") || !strings.Contains(body, "– "+escaped+"</title>") {
			t.Errorf("%s: the title does not carry the practitioner's name", path)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s does not show %q", path, w)
			}
		}
	}

	// Bad input: a 422 naming each field, and nothing changed.
	before := a.state()
	p := a.do("PUT", "/api/v1/admin/practice", map[string]any{
		"practitioner_name": strings.Repeat("x", 101), "contact_email": "nope", "regions": []string{"US-ZZ"},
		"bio": strings.Repeat("b", 1501), "credentials": []string{"a\x00b"},
	}, auth).problem(t)
	for _, f := range []string{"practitioner_name", "contact_email", "regions", "bio", "credentials"} {
		if p.Errors[f] == "" {
			t.Errorf("errors.%s missing: %+v", f, p.Errors)
		}
	}
	if a.do("PUT", "/api/v1/admin/practice", `{"practitioner_name": "x", "photo": 1}`, auth).Status != 400 {
		t.Error("an unknown field was accepted")
	}
	if after := a.state(); after != before {
		t.Error("a refused profile changed the database")
	}

	// The admin page edits the same profile.
	b := a.mustSignIn()
	page := b.get("/admin/practice")
	if page.Status != 200 || !strings.Contains(page.Body, `value="Dr. Ana &lt;b&gt;Ruiz&lt;/b&gt;"`) || !strings.Contains(page.Body, `value="US-OR" checked`) {
		t.Fatalf("admin practice page: %d\n%s", page.Status, page.Body)
	}
	bad := b.post("/admin/practice", url.Values{"practitioner_name": {"Ana"}, "contact_phone": {"call me maybe"}})
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "Enter a phone number") {
		t.Errorf("a bad phone: %d", bad.Status)
	}
	wantAdminRedirect(t, b.post("/admin/practice", url.Values{
		"practitioner_name": {"Ana Ruiz"}, "credentials": {"LMFT\r\nLicensed in Germany"}, "regions": {"DE", "US-WA"},
	}), "/admin/practice")
	a.do("GET", "/api/v1/practice", nil, nil).decode(t, &pub)
	if pub.PractitionerName != "Ana Ruiz" || len(pub.Credentials) != 2 || len(pub.Regions) != 2 || pub.ContactEmail != "" {
		t.Errorf("after the admin page: %+v", pub)
	}
	if body := string(a.do("GET", "/about", nil, nil).Body); !strings.Contains(body, "<li>Germany</li>") || !strings.Contains(body, "United States: Washington") {
		t.Errorf("the About page does not list the places served:\n%s", body)
	}

	// The wording of clients' emails: a treatment word needs confirming.
	refused := b.post("/admin/practice/email", url.Values{"mail_sender_name": {"Ketamine Care"}})
	if refused.Status != http.StatusUnprocessableEntity || !strings.Contains(refused.Body, `name="mail_wording_anyway"`) {
		t.Fatalf("a treatment in the sender name: %d", refused.Status)
	}
	wantAdminRedirect(t, b.post("/admin/practice/email", url.Values{"mail_sender_name": {"Ketamine Care"}, "mail_wording_anyway": {"on"}}), "/admin/practice")
	var got map[string]any
	a.do("GET", "/api/v1/admin/practice", nil, auth).decode(t, &got)
	if got["mail_sender_name"] != "Ketamine Care" || got["practitioner_name"] != "Ana Ruiz" {
		t.Errorf("after saving the wording: %v", got)
	}
	got["mail_subject"] = "Your psilocybin session"
	if p := a.do("PUT", "/api/v1/admin/practice", got, auth).problem(t); p.Errors["mail_subject"] == "" || p.Errors["mail_sender_name"] != "" {
		t.Errorf("a new treatment word through the API: %+v", p)
	}
	got["mail_wording_anyway"] = true
	if r := a.do("PUT", "/api/v1/admin/practice", got, auth); r.Status != 200 {
		t.Errorf("the wording chosen knowingly: %d %s", r.Status, r.Body)
	}
}
