package api_test

import (
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"consult/booking"
)

// firstDay is the first day with free times under testNow's clock and the
// demo hours: Wednesday 2 December 2026 (Tuesday is within minimum notice).
const firstDay = "2026-12-02"

func TestBookPageShowsTheDaysTimesInTheVisitorsZone(t *testing.T) {
	site := newTestSite(t)
	la := site.get("/book")
	if !strings.Contains(la.Body, "Free times on Wednesday 2 December") {
		t.Fatalf("the page does not open on the first day with free times")
	}
	if !strings.Contains(la.Body, `<option value="America/Los_Angeles" selected>`) || !strings.Contains(la.Body, "data-detect-zone") {
		t.Error("without tz the practice's zone is not selected, or the script may not detect the visitor's")
	}
	// The accessible name of a slot reads in full: day, then time.
	if !strings.Contains(la.Body, `<span class="visually-hidden">Wednesday 2 December, </span>9:00 AM</label>`) {
		t.Error("the 9:00 AM slot is not labelled with its day")
	}
	for _, want := range []string{`aria-current="date"`, "Wed</span>", `<span class="week-count">`, `role="status" aria-live="polite"`} {
		if !strings.Contains(la.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}

	berlin := site.get("/book?date=2026-12-02&tz=Europe/Berlin")
	if !strings.Contains(berlin.Body, `<option value="Europe/Berlin" selected>`) || strings.Contains(berlin.Body, "data-detect-zone") {
		t.Error("the chosen zone is not selected, or would be overridden by detection")
	}
	// 9:00 AM in Los Angeles is 6:00 PM in Berlin.
	if !strings.Contains(berlin.Body, `<span class="visually-hidden">Wednesday 2 December, </span>6:00 PM</label>`) {
		t.Error("times are not shown in the visitor's zone")
	}
	if !strings.Contains(berlin.Body, `name="tz" value="Europe/Berlin"`) {
		t.Error("the booking form does not carry the chosen zone")
	}
}

func TestBookPageExplainsBadDayAndZone(t *testing.T) {
	site := newTestSite(t)
	for _, tc := range []struct{ query, want string }{
		{"date=2026-13-45", "Enter a date like 2026-12-01."},
		{"date=2025-01-01", "Choose a day between Tuesday 1 December and "},
		{"tz=Mars/Olympus", "We did not recognise that time zone"},
	} {
		p := site.get("/book?" + tc.query)
		if p.Status != http.StatusOK {
			t.Errorf("%s: status %d", tc.query, p.Status)
		}
		if !strings.Contains(p.Body, tc.want) || !strings.Contains(p.Body, `aria-invalid="true"`) {
			t.Errorf("%s: no message %q at the field", tc.query, tc.want)
		}
		if !strings.Contains(p.Body, `name="start"`) {
			t.Errorf("%s: no times offered after the message", tc.query)
		}
	}
}

func TestBookPageWithoutFreeTimes(t *testing.T) {
	site := newTestSiteWith(t, siteOptions{noHours: true})
	p := site.get("/book")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "There are no free times at the moment") {
		t.Errorf("status %d, no explanation that nothing is free", p.Status)
	}
	if strings.Contains(p.Body, `name="start"`) {
		t.Error("times offered without weekly hours")
	}
}

func TestBookingThroughTheForm(t *testing.T) {
	site := newTestSite(t)
	// 10:00 AM in Los Angeles, 7:00 PM in Berlin.
	const start = "2026-12-02T18:00:00Z"
	if !slices.Contains(site.slotsOn(firstDay, "America/Los_Angeles"), start) {
		t.Fatalf("%s is not free", start)
	}
	form := site.bookingForm(start)
	form.Set("tz", "Europe/Berlin")
	form.Set("phone", "+44 20 7946 0000")
	form.Set("note", "I would like to ask about the process.")
	p := site.post("/book", form)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("POST /book: %d\n%s", p.Status, p.Body)
	}
	if site.count("confirmed") != 1 {
		t.Fatalf("%d confirmed bookings, want 1", site.count("confirmed"))
	}
	token := strings.TrimSuffix(strings.TrimPrefix(p.Header.Get("Location"), "/manage/"), "/confirmation")

	c := site.get("/manage/" + token + "/confirmation")
	text := html.UnescapeString(c.Body)
	if c.Status != http.StatusOK {
		t.Fatalf("confirmation: %d", c.Status)
	}
	checkPageBasics(t, c)
	for _, want := range []string{
		"Your consultation is booked",
		"Wednesday 2 December 2026", "7:00\u00a0PM to 7:20\u00a0PM", "Berlin time (UTC+1)", // the client's zone
		"10:00\u00a0AM to 10:20\u00a0AM", "Los Angeles time (UTC−8)", // and the practice's
		`href="/manage/` + token + `/consultation.ics"`,
		"https://calendar.google.com/calendar/render?action=TEMPLATE",
		"dates=20261202T180000Z%2F20261202T182000Z",
		"https://outlook.live.com/calendar/0/deeplink/compose?",
		"text=Consultation%20with%20Harbour%20Therapy", "subject=Consultation%20with%20Harbour%20Therapy",
		site.url + "/manage/" + token, "Keep this link private", "ada@example.org",
		`name="robots" content="noindex`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("confirmation lacks %q", want)
		}
	}
	// The calendar links go to third parties: no treatment name, no secret.
	for _, m := range regexpAll(`href="(https://(?:calendar\.google|outlook\.live)[^"]+)"`, c.Body) {
		if strings.Contains(strings.ToLower(m), "ketamine") || strings.Contains(m, token) {
			t.Errorf("calendar link carries the treatment or the token: %s", m)
		}
	}
	if strings.Contains(c.Body, `rel="canonical"`) || strings.Contains(c.Body, `og:url`) {
		t.Error("a private page names a canonical URL")
	}
	for k, want := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"} {
		if got := c.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}

	ics := site.get("/manage/" + token + "/consultation.ics")
	if ics.Status != http.StatusOK || !strings.HasPrefix(ics.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("ics: %d %q", ics.Status, ics.Header.Get("Content-Type"))
	}
	if !strings.Contains(ics.Header.Get("Content-Disposition"), `filename="consultation.ics"`) {
		t.Errorf("Content-Disposition = %q", ics.Header.Get("Content-Disposition"))
	}
	for _, want := range []string{"METHOD:PUBLISH", "SUMMARY:Consultation with Harbour Therapy", "DTSTART:20261202T180000Z", "mailto:hello@harbour.example"} {
		if !strings.Contains(ics.Body, want) {
			t.Errorf("ics lacks %q:\n%s", want, ics.Body)
		}
	}
	if strings.Contains(strings.ToLower(ics.Body), "ketamine") {
		t.Error("the calendar file names the treatment")
	}
	// The booked slot is gone from the booking page.
	for _, s := range site.slotsOn(firstDay, "America/Los_Angeles") {
		if s == start {
			t.Error("the booked slot is still offered")
		}
	}
}

func TestBookFormErrorsKeepValuesAndNameFields(t *testing.T) {
	site := newTestSite(t)
	form := site.bookingForm("")
	form.Set("name", "Ada <Lovelace>")
	form.Set("email", "not-an-email")
	form.Set("note", "A question about timing")
	form.Del("consent")
	p := site.post("/book", form)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", p.Status)
	}
	checkPageBasics(t, p)
	for _, want := range []string{
		"<title>Error: Book a free consultation – Harbour Therapy</title>",
		`class="error-summary" role="alert"`, "There is a problem",
		`<a href="#slot-0">Choose a time for your consultation.</a>`,
		`<a href="#email">Enter an email address like name@example.com.</a>`,
		`<a href="#consent">Confirm that you have read the privacy notice.</a>`,
		`id="email-error"`, `aria-describedby="email-hint email-error" aria-invalid="true"`,
		`value="Ada &lt;Lovelace&gt;"`, `value="not-an-email"`, ">A question about timing</textarea>",
		// The address that shows the form again by GET, for the script
		// to put in the history in place of this POST.
		`data-slot-form data-again="/book?date=2026-12-02&amp;tz=America%2FLos_Angeles"`,
		// Neither the time nor the consent is put back by the browser.
		`<input type="radio" autocomplete="off" name="start" id="slot-0" value="2026-12-02T17:00:00Z">`,
		`name="consent" value="yes" autocomplete="off"`,
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// The summary lists the fields in page order.
	if strings.Index(p.Body, `href="#slot-0"`) > strings.Index(p.Body, `href="#email"`) ||
		strings.Index(p.Body, `href="#email"`) > strings.Index(p.Body, `href="#consent"`) {
		t.Error("error summary is not in page order")
	}
	if strings.Contains(p.Body, `<a href="#name">`) {
		t.Error("a valid name is reported as an error")
	}
	if site.count("") != 0 {
		t.Error("an invalid form booked")
	}
}

func TestTakenSlotOffersTheNearestFreeTimes(t *testing.T) {
	site := newTestSite(t)
	slots := site.slotsOn(firstDay, "America/Los_Angeles")
	form := site.bookingForm(slots[2])
	site.bookDirect(slots[2]) // someone else is quicker
	p := site.post("/book", form)
	if p.Status != http.StatusConflict {
		t.Fatalf("status %d", p.Status)
	}
	// The buffer around the other booking also takes its neighbours.
	free := site.slotsOn(firstDay, "America/Los_Angeles")
	for _, want := range []string{"That time has just been booked by someone else", "The nearest free times",
		`value="` + free[0] + `"`, `value="` + free[1] + `"`, `value="Ada Lovelace"`, `class="error-summary"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(p.Body, `value="`+slots[2]+`"`) {
		t.Error("the taken slot is still offered")
	}
	if site.count("") != 1 {
		t.Errorf("%d bookings, want only the other client's", site.count(""))
	}
}

func TestPerEmailLimitIsShownAtTheEmailField(t *testing.T) {
	site := newTestSiteWith(t, siteOptions{limits: booking.DefaultClientLimits()})
	slots := site.slotsOn(firstDay, "America/Los_Angeles")
	site.book(slots[0])
	p := site.post("/book", site.bookingForm(slots[4]))
	if p.Status != http.StatusConflict {
		t.Fatalf("status %d", p.Status)
	}
	for _, want := range []string{`<a href="#email">We cannot book another free consultation with this email address.`,
		`id="email-error"`, `value="` + slots[4] + `" checked`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(p.Body, "just been booked by someone else") {
		t.Error("the limit is reported as a taken time")
	}
	if site.count("") != 1 {
		t.Errorf("%d bookings, want 1", site.count(""))
	}
}

func TestDoubleSubmitBooksOnce(t *testing.T) {
	// With production's per-email limit, the repeat must still be
	// recognised as the same booking, not as a second one.
	site := newTestSiteWith(t, siteOptions{limits: booking.DefaultClientLimits()})
	slots := site.slotsOn(firstDay, "America/Los_Angeles")
	form := site.bookingForm(slots[0])
	first, second := site.post("/book", form), site.post("/book", form)
	if first.Status != http.StatusSeeOther || second.Status != http.StatusSeeOther {
		t.Fatalf("statuses %d, %d\n%s", first.Status, second.Status, second.Body)
	}
	if first.Header.Get("Location") != second.Header.Get("Location") {
		t.Error("the second submission led to another booking")
	}
	if site.count("") != 1 {
		t.Errorf("%d bookings, want 1", site.count(""))
	}
	// The same form sent again with other details (back button, edit,
	// send) does not book silently on the old key.
	form.Set("name", "Grace Hopper")
	third := site.post("/book", form)
	if third.Status != http.StatusUnprocessableEntity || !strings.Contains(third.Body, "already used to book") {
		t.Errorf("reused form: %d", third.Status)
	}
	if keyRE.FindStringSubmatch(third.Body)[1] == form.Get("key") {
		t.Error("the form came back with the used key")
	}
}

func TestHoneypotFilledBooksNothing(t *testing.T) {
	site := newTestSite(t)
	slots := site.slotsOn(firstDay, "America/Los_Angeles")
	form := site.bookingForm(slots[0])
	form.Set("website", "http://spam.example")
	p := site.post("/book", form)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "could not be sent") {
		t.Errorf("status %d", p.Status)
	}
	if strings.Contains(p.Body, "spam.example") {
		t.Error("the honeypot value is echoed")
	}
	if site.count("") != 0 {
		t.Error("a bot's form booked")
	}
}

func TestCrossSiteFormPostIsRefused(t *testing.T) {
	site := newTestSite(t)
	slots := site.slotsOn(firstDay, "America/Los_Angeles")
	req, _ := http.NewRequest(http.MethodPost, site.url+"/book", strings.NewReader(site.bookingForm(slots[0]).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Accept", "text/html")
	if p := site.do(req); p.Status != http.StatusForbidden {
		t.Errorf("status %d, want 403", p.Status)
	}
	if site.count("") != 0 {
		t.Error("a cross-site form booked")
	}
}

func TestOversizedFormIsRefused(t *testing.T) {
	site := newTestSite(t)
	form := url.Values{"note": {strings.Repeat("x", 20<<10)}}
	if p := site.post("/book", form); p.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", p.Status)
	}
}

// refusedTimes are times the demo hours refuse under testNow, one for each
// reason, with the sentence the pages show beside the picker. A taken time
// is booked by someone else first.
var refusedTimes = []struct {
	kind, start, message string
	status               int
}{
	{booking.RefusedTaken, "2026-12-02T19:00:00Z", "That time has just been booked by someone else. Choose one of the nearest free times below, or another day.", http.StatusConflict},
	{booking.RefusedPast, "2026-12-01T15:00:00Z", "That time has already passed. Please choose a later time.", http.StatusUnprocessableEntity},
	{booking.RefusedTooSoon, "2026-12-01T17:00:00Z", "Bookings need at least 12 hours’ notice. Please choose a later time.", http.StatusUnprocessableEntity},
	{booking.RefusedClosed, "2026-12-05T18:00:00Z", "The practice is closed that day. Please choose another day.", http.StatusUnprocessableEntity},
	{booking.RefusedClosed, "2026-12-02T15:00:00Z", "That time is outside the practice’s hours. Please choose a listed time.", http.StatusUnprocessableEntity},
	{booking.RefusedBeyondHorizon, "2027-02-01T17:00:00Z", "Bookings can be made up to 60 days ahead. Please choose an earlier day.", http.StatusUnprocessableEntity},
	{booking.RefusedNotStartTime, "2026-12-02T17:10:00Z", "That is not one of the start times offered. Please choose a listed time.", http.StatusUnprocessableEntity},
}

// checkRefusalShown expects page to give message as the error at the
// time picker and in the error summary, and the nearest free times
// instead of a day's exactly when the time was taken.
func checkRefusalShown(t *testing.T, p fetched, kind, message string) {
	t.Helper()
	body := html.UnescapeString(p.Body)
	if !strings.Contains(body, `<p class="field-error" id="start-error"><span class="visually-hidden">Error:</span> `+message+"</p>") {
		t.Errorf("%s: the picker does not say %q:\n%s", kind, message, regexpAll(`(?s)<p class="field-error"[^>]*>(.*?)</p>`, body))
	}
	if summary := regexpAll(`(?s)<div class="error-summary"(.*?)</div>`, body); len(summary) != 1 || !strings.Contains(summary[0], message) {
		t.Errorf("%s: the error summary does not say %q: %q", kind, message, summary)
	}
	if got, want := strings.Contains(body, "The nearest free times"), kind == booking.RefusedTaken; got != want {
		t.Errorf("%s: nearest free times offered: %v, want %v", kind, got, want)
	}
	if kind != booking.RefusedTaken && strings.Contains(body, "booked by someone else") {
		t.Errorf("%s: the time is said to be taken", kind)
	}
}

func TestRefusedTimesAreExplainedOnTheBookPage(t *testing.T) {
	site := newTestSite(t)
	for _, tc := range refusedTimes {
		form := site.bookingForm(tc.start)
		if tc.kind == booking.RefusedTaken {
			site.bookDirect(tc.start)
		}
		before := site.count("")
		p := site.post("/book", form)
		if p.Status != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.kind, tc.start, p.Status, tc.status)
		}
		checkRefusalShown(t, p, tc.kind, tc.message)
		if !strings.Contains(p.Body, `value="Ada Lovelace"`) {
			t.Errorf("%s: the details typed are lost", tc.kind)
		}
		if site.count("") != before {
			t.Errorf("%s: a refused time was booked", tc.kind)
		}
	}
}

// TestBookPageSaysWhoseZoneTheTimesAreIn: without a zone chosen, the page
// (as a browser without JavaScript shows it) says the times are the
// practice's and points at the zone picker; with one chosen, it names it.
func TestBookPageSaysWhoseZoneTheTimesAreIn(t *testing.T) {
	site := newTestSite(t)
	note := func(path string) string {
		t.Helper()
		got := regexpAll(`(?s)<p class="hint" data-tz-note>(.*?)</p>`, site.get(path).Body)
		if len(got) != 1 {
			t.Fatalf("%s: %d zone notes", path, len(got))
		}
		return html.UnescapeString(got[0])
	}
	if got, want := note("/book"), `Times are shown in the practice’s time zone, <span data-tz-label>Los Angeles time (UTC−8)</span>. If you are elsewhere, <a href="#tz">choose your time zone</a>.`; got != want {
		t.Errorf("without a zone the note reads\n%s\nwant\n%s", got, want)
	}
	if got, want := note("/book?tz=Europe/Berlin"), `Times are shown in <span data-tz-label>Berlin time (UTC+1)</span>.`; got != want {
		t.Errorf("with a zone chosen the note reads %q, want %q", got, want)
	}
	if body := site.get("/book").Body; strings.Contains(body, "your time zone,") || strings.Contains(body, "shown in your time zone") {
		t.Error("the page claims the practice's zone is the visitor's")
	}
	token := site.book(site.slotsOn(firstDay, "America/Los_Angeles")[0])
	if got := note("/manage/" + token + "?tz=Asia/Tokyo"); got != `Times are shown in <span data-tz-label>Tokyo time (UTC+9)</span>.` {
		t.Errorf("the manage page's note reads %q", got)
	}
}
