package api_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"consult/api"
)

var newFeedURLRE = regexp.MustCompile(`id="new-feed-url">(http://consult\.test/calendar/bookings/([A-Za-z0-9_-]+)\.ics)<`)

// rotateFeed presses the rotate button and returns the feed's path (on
// the test server) and its secret, failing unless the page shows the URL
// with its subscribe links and warnings.
func rotateFeed(t *testing.T, b *adminBrowser) (path, secret string) {
	t.Helper()
	p := b.post("/admin/calendar/rotate", nil)
	m := newFeedURLRE.FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || m == nil {
		t.Fatalf("rotate: %d, no new feed URL\n%s", p.Status, p.Body)
	}
	webcal := "webcal://consult.test/calendar/bookings/" + m[2] + ".ics"
	for _, want := range []string{
		`href="` + webcal + `"`,
		`href="https://calendar.google.com/calendar/r?cid=` + url.QueryEscape(webcal) + `"`,
		"shown only once", "Keep it private", "has stopped working",
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("rotate page lacks %q", want)
		}
	}
	if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("page with the secret: Cache-Control %q", cc)
	}
	return strings.TrimPrefix(m[1], "http://consult.test"), m[2]
}

func TestAdminCalendarRotatesPrivateFeed(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	a.bookAs(time.Date(2026, 12, 7, 9, 0, 0, 0, adminLA), "Ana López", "ana@example.net", "")
	b := a.mustSignIn()

	p := b.get("/admin/calendar")
	for _, want := range []string{"There is no private feed yet", "Create the private feed link",
		"<code>http://consult.test/calendar/availability.ics</code>", `href="webcal://consult.test/calendar/availability.ics"`,
		`href="https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Fconsult.test%2Fcalendar%2Favailability.ics"`,
		`href="/calendar/availability.ics" download`, `placeholder="Consultation with Consult"`,
		`<a href="/admin/calendar" aria-current="page">Calendar feeds</a>`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("calendar page lacks %q", want)
		}
	}
	if p.Status != http.StatusOK || strings.Contains(p.Body, `name="full_details" value="on" checked`) {
		t.Fatalf("calendar page: %d, full details on by default\n%s", p.Status, p.Body)
	}

	first, secret1 := rotateFeed(t, b)
	if r := a.do("GET", first, nil, nil); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "Consultation: A. L.") {
		t.Fatalf("new feed: %d\n%s", r.Status, r.Body)
	}
	p = b.get("/admin/calendar")
	if strings.Contains(p.Body, secret1) || !strings.Contains(p.Body, "A private feed link exists since 1 December 2026, 08:00 PST") ||
		!strings.Contains(p.Body, "Rotate the private feed link") || !strings.Contains(p.Body, "stops the current one at once") {
		t.Fatalf("page after rotating shows the secret again or not its age:\n%s", p.Body)
	}

	second, secret2 := rotateFeed(t, b)
	if secret2 == secret1 {
		t.Fatal("rotating kept the secret")
	}
	if r := a.do("GET", first, nil, nil); r.Status != http.StatusNotFound {
		t.Errorf("old feed URL right after rotating: %d, want 404", r.Status)
	}
	if r := a.do("GET", second, nil, nil); r.Status != http.StatusOK {
		t.Errorf("new feed URL: %d, want 200", r.Status)
	}

	// Without the form's token nothing rotates.
	if p := b.post("/admin/calendar/rotate", url.Values{"csrf": {"forged"}}); p.Status != http.StatusForbidden || newFeedURLRE.MatchString(p.Body) {
		t.Fatalf("rotate without CSRF token: %d", p.Status)
	}
	if r := a.do("GET", second, nil, nil); r.Status != http.StatusOK {
		t.Errorf("a refused rotation changed the feed: %d", r.Status)
	}

	audit := a.auditActions()
	if n := slices.Index(audit, "feed.rotate feed:bookings"); n < 0 || slices.Index(audit[n+1:], "feed.rotate feed:bookings") < 0 ||
		strings.Contains(strings.Join(audit, " "), secret1) || strings.Contains(strings.Join(audit, " "), secret2) {
		t.Errorf("audit log %q, want two rotations without secrets", audit)
	}
}

// downloadSummary fetches the client's .ics download and returns its SUMMARY.
func downloadSummary(t *testing.T, a *adminTest, token string) string {
	t.Helper()
	r := a.do("GET", "/manage/"+token+"/consultation.ics", nil, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("download: %d %s", r.Status, r.Body)
	}
	evs := feedEvents(t, r.Body)
	if len(evs) != 1 {
		t.Fatalf("download has %d events", len(evs))
	}
	return feedProp(t, evs[0], ical.PropSummary)
}

// feedText fetches the private feed and returns its events' summaries and
// descriptions, unfolded by a parser.
func feedText(t *testing.T, a *adminTest, path string) string {
	t.Helper()
	r := a.do("GET", path, nil, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("feed: %d", r.Status)
	}
	var out []string
	for _, ev := range feedEvents(t, r.Body) {
		out = append(out, feedProp(t, ev, ical.PropSummary), feedProp(t, ev, ical.PropDescription))
	}
	return strings.Join(out, "\n")
}

func TestAdminCalendarWordingAndDetails(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	bk := a.bookAs(time.Date(2026, 12, 7, 9, 0, 0, 0, adminLA), "Ana López", "ana@example.net", "")
	b := a.mustSignIn()
	feed, _ := rotateFeed(t, b)
	if got := downloadSummary(t, a, bk.token()); got != "Consultation with Consult" {
		t.Fatalf("default SUMMARY %q", got)
	}

	wantAdminRedirect(t, b.post("/admin/calendar/settings", url.Values{"event_title": {"  Meeting with Dr. Lee "}}), "/admin/calendar")
	if p := b.get("/admin/calendar"); !strings.Contains(p.Body, "The calendar settings are saved.") ||
		!strings.Contains(p.Body, `value="Meeting with Dr. Lee"`) {
		t.Fatalf("page after saving:\n%s", p.Body)
	}
	if got := downloadSummary(t, a, bk.token()); got != "Meeting with Dr. Lee" {
		t.Errorf("SUMMARY after saving %q", got)
	}
	if c := a.do("GET", "/manage/"+bk.token()+"/confirmation", nil, nil); !strings.Contains(string(c.Body), "text=Meeting%20with%20Dr.%20Lee") {
		t.Errorf("confirmation page's Google link does not use the title")
	}

	// Refused titles: a message at the field, what was typed kept, nothing saved.
	for title, msg := range map[string]string{
		"Ketamine session":          "must not name a treatment",
		"Line one\nline two":        "on one line",
		strings.Repeat("a", 201):    "at most 200 characters",
		"Tab\there":                 "on one line",
		"Your psilocybin follow-up": "must not name a treatment",
	} {
		p := b.post("/admin/calendar/settings", url.Values{"event_title": {title}, "full_details": {"on"}})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `<span class="field-error">`) || !strings.Contains(p.Body, msg) {
			t.Errorf("title %q: %d, want 422 with %q at the field\n%s", title, p.Status, msg, p.Body)
		}
		if got := downloadSummary(t, a, bk.token()); got != "Meeting with Dr. Lee" {
			t.Errorf("refused title %q changed the SUMMARY to %q", title, got)
		}
		if got := feedText(t, a, feed); strings.Contains(got, "López") {
			t.Errorf("refused title %q still turned full details on", title)
		}
	}

	// Full details: the private feed names the client, then stops again.
	if got := feedText(t, a, feed); !strings.Contains(got, "Consultation: A. L.") || strings.Contains(got, "ana@example.net") {
		t.Fatalf("initials-only feed: %q", got)
	}
	wantAdminRedirect(t, b.post("/admin/calendar/settings", url.Values{"event_title": {"Meeting with Dr. Lee"}, "full_details": {"on"}}), "/admin/calendar")
	if p := b.get("/admin/calendar"); !strings.Contains(p.Body, `name="full_details" value="on" checked`) {
		t.Error("the checkbox does not show the saved setting")
	}
	if got := feedText(t, a, feed); !strings.Contains(got, "Consultation: Ana López") || !strings.Contains(got, "ana@example.net") {
		t.Errorf("full-details feed lacks the name or email: %q", got)
	}
	wantAdminRedirect(t, b.post("/admin/calendar/settings", url.Values{"event_title": {""}}), "/admin/calendar")
	if got := feedText(t, a, feed); strings.Contains(got, "López") {
		t.Error("unticking full details kept the name in the feed")
	}
	if got := downloadSummary(t, a, bk.token()); got != "Consultation with Consult" {
		t.Errorf("emptied title: SUMMARY %q, want the default", got)
	}

	audit := strings.Join(a.auditActions(), "\n")
	for _, want := range []string{"feed.settings feed:settings full_details=off", "feed.settings feed:settings full_details=on"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit log lacks %q:\n%s", want, audit)
		}
	}
	if strings.Contains(audit, "Meeting") || strings.Contains(audit, "Ana") {
		t.Errorf("audit log holds more than ids:\n%s", audit)
	}
}
