package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"consult/api"
)

// previewCounts reads the preview's offered times and, with a daily cap,
// the consultations it says could be booked.
var previewCountsRE = regexp.MustCompile(`clients would be offered (\d+) times?(?:; with at most \d+ consultations? a day, they could book (\d+) consultations? in all)?\.`)

func previewCounts(t *testing.T, body string) (offered, bookable int) {
	t.Helper()
	m := previewCountsRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no preview counts in:\n%s", body)
	}
	offered, _ = strconv.Atoi(m[1])
	bookable = offered
	if m[2] != "" {
		bookable, _ = strconv.Atoi(m[2])
	}
	return offered, bookable
}

// slotsBetween counts what /api/v1/slots offers from first to last (inclusive).
func (a *adminTest) slotsBetween(first, last string) int {
	a.t.Helper()
	r := a.do("GET", "/api/v1/slots?from="+first+"&to="+last, nil, nil)
	if r.Status != 200 {
		a.t.Fatalf("slots: %d %s", r.Status, r.Body)
	}
	var l slotList
	r.decode(a.t, &l)
	return len(l.Slots)
}

// TestAdminPreviewHonoursEveryRule: the preview of new hours and of new
// rules offers exactly what /api/v1/slots then offers over the same 14
// days, a day at its cap included, and says how many consultations the
// daily cap lets clients book.
func TestAdminPreviewHonoursEveryRule(t *testing.T) {
	a := newAdminTest(t, api.Config{}) // today: Tuesday 1 December 2026; cap 6 a day
	for i, h := range []int{9, 10, 11, 13, 14, 15} {
		a.bookAs(time.Date(2026, 12, 8, h, 0, 0, 0, adminLA), "Full Day", fmt.Sprintf("full%d@example.org", i), "")
	}
	for i, h := range []int{9, 10} {
		a.bookAs(time.Date(2026, 12, 9, h, 0, 0, 0, adminLA), "Some Day", fmt.Sprintf("some%d@example.org", i), "")
	}
	b := a.mustSignIn()
	b.get("/admin/availability")
	week := adminWeekForm(map[int]string{6: "10:00-12:00"})
	p := b.post("/admin/availability/weekly", with(week, "action", "preview"))
	offered, bookable := previewCounts(t, p.Body)
	if !strings.Contains(p.Body, "<strong>Tue 8 Dec</strong>: <span class=\"muted\">none</span>") {
		t.Errorf("the day at its cap offers times in the preview:\n%s", p.Body)
	}
	if !strings.Contains(p.Body, "(at most 4 of them can be booked: the daily limit)") {
		t.Errorf("the day with two bookings does not say the cap allows four more:\n%s", p.Body)
	}
	if !(bookable < offered) {
		t.Errorf("preview: %d offered, %d bookable under a cap of 6", offered, bookable)
	}
	// Days are listed one under another.
	if strings.Count(p.Body, `<li><strong>`) != 14 {
		t.Errorf("want the 14 days listed:\n%s", p.Body)
	}
	wantAdminRedirect(t, b.post("/admin/availability/weekly", with(week, "action", "save")), "/admin/availability")
	if got := a.slotsBetween("2026-12-01", "2026-12-14"); got != offered {
		t.Fatalf("the preview offered %d times, /api/v1/slots then offers %d", offered, got)
	}

	// The rules: a cap of 1 closes the Wednesday that has bookings, and a
	// day's notice closes today and most of tomorrow.
	b.get("/admin/rules")
	rules := adminRulesForm("daily_cap", "1", "min_notice_hours", "30", "action", "preview")
	p = b.post("/admin/rules", rules)
	offered, bookable = previewCounts(t, p.Body)
	if !strings.Contains(p.Body, "<strong>Wed 9 Dec</strong>: <span class=\"muted\">none</span>") {
		t.Errorf("a cap of 1 still offers the Wednesday with bookings:\n%s", p.Body)
	}
	wantAdminRedirect(t, b.post("/admin/rules", with(rules, "action", "save")), "/admin/rules")
	if got := a.slotsBetween("2026-12-01", "2026-12-14"); got != offered {
		t.Fatalf("the rules preview offered %d times, /api/v1/slots then offers %d", offered, got)
	}
	if days := 14 - 4; bookable > days { // at most one a day; today, 2, 8 and 9 December offer none
		t.Fatalf("with a cap of 1 the preview says %d consultations could be booked", bookable)
	}
}

// TestAdminCountsArePlural: counts read "1 booking", "4 bookings".
func TestAdminCountsArePlural(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	a.bookAs(time.Date(2026, 12, 8, 9, 0, 0, 0, adminLA), "Ada Lovelace", "ada@example.org", "")
	b := a.mustSignIn()
	if p := b.get("/admin/bookings"); !strings.Contains(p.Body, "1 booking. Page 1.") {
		t.Fatalf("one booking:\n%s", p.Body)
	}
	for i, h := range []int{10, 11, 13} {
		a.bookAs(time.Date(2026, 12, 8, h, 0, 0, 0, adminLA), "Client", fmt.Sprintf("c%d@example.org", i), "")
	}
	if p := b.get("/admin/bookings"); !strings.Contains(p.Body, "4 bookings. Page 1.") {
		t.Fatalf("four bookings:\n%s", p.Body)
	}
	b.get("/admin/availability")
	p := b.post("/admin/availability/weekly", with(adminWeekForm(map[int]string{1: "", 2: "14:00-14:20", 3: "", 4: "", 5: ""}), "action", "preview"))
	if !strings.Contains(p.Body, "clients would be offered 1 time;") || !strings.Contains(p.Body, "they could book 1 consultation in all") {
		t.Fatalf("one time:\n%s", p.Body)
	}
	wantAdminRedirect(t, b.post("/admin/clients/erase", url.Values{"email": {"ada@example.org"}, "confirm": {"1"}}), "/admin/clients")
	if p := b.get("/admin/clients"); !strings.Contains(p.Body, "Erased the client&#39;s data from 1 booking.") {
		t.Fatalf("erasing one booking:\n%s", p.Body)
	}
}

// TestAdminPagesAreTitledByWhatTheyShow: a booking's page is titled by
// the client's initials and its time, not by an id.
func TestAdminPagesAreTitledByWhatTheyShow(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	bk := a.bookAs(time.Date(2026, 12, 10, 14, 0, 0, 0, adminLA), "Ada Byron", "ada@example.org", "")
	b := a.mustSignIn()
	p := b.get(fmt.Sprintf("/admin/bookings/%d", bk.ID))
	const want = "Consultation with A. B., Thu 10 Dec 14:00"
	if !strings.Contains(p.Body, "<title>"+want+" · Admin</title>") || !strings.Contains(p.Body, "<h1>"+want+"</h1>") {
		t.Fatalf("booking page title:\n%s", p.Body)
	}
	if strings.Contains(p.Body, fmt.Sprintf("Booking %d", bk.ID)) {
		t.Fatalf("the page still names the booking by id:\n%s", p.Body)
	}
	for path, want := range map[string]string{"move": "Move: " + want, "cancel": "Cancel: " + want} {
		if p := b.get(fmt.Sprintf("/admin/bookings/%d/%s", bk.ID, path)); !strings.Contains(p.Body, "<h1>"+want+"</h1>") {
			t.Errorf("%s page title:\n%s", path, p.Body)
		}
	}
	var id int64
	a.pool.QueryRow(t.Context(), `SELECT id FROM outbox WHERE booking_id = $1 AND kind = 'confirmation'`, bk.ID).Scan(&id)
	p = b.get(fmt.Sprintf("/admin/email/%d", id))
	if !strings.Contains(p.Body, "<h1>Confirmation to client, Tue 1 Dec 08:00</h1>") {
		t.Fatalf("email page title:\n%s", p.Body)
	}
}

// TestAdminWeekCalendar: the admin home is the week calendar, in the
// practice's zone: a booking made through the API shows as the client's
// initials with the full name beside them for hover, focus and screen
// readers, time off and a day at its cap are marked, and the weeks link
// to each other.
func TestAdminWeekCalendar(t *testing.T) {
	a := newAdminTest(t, api.Config{}) // today: Tuesday 1 December 2026; cap 6 a day
	bk := a.bookAs(time.Date(2026, 12, 10, 14, 0, 0, 0, adminLA), "Ada Byron", "ada@example.org", "")
	for i, h := range []int{9, 10, 11, 13, 14, 15} {
		a.bookAs(time.Date(2026, 12, 8, h, 0, 0, 0, adminLA), "Full Day", fmt.Sprintf("full%d@example.org", i), "")
	}
	b := a.mustSignIn()
	b.get("/admin/availability")
	wantAdminRedirect(t, b.post("/admin/availability/time-off", url.Values{"first": {"2026-12-09"}, "action": {"save"}}), "/admin/availability")

	// This week has none of them; the next has all three.
	this := b.get("/admin")
	if this.Status != 200 || !strings.Contains(this.Body, "<h1>30 November – 6 December 2026</h1>") ||
		!strings.Contains(this.Body, `<a href="/admin" class="button secondary" aria-current="date">Today</a>`) ||
		!strings.Contains(this.Body, `<a href="/admin?week=2026-12-07" rel="next"`) || strings.Contains(this.Body, "Ada Byron") {
		t.Fatalf("this week:\n%s", this.Body)
	}
	p := b.get("/admin?week=2026-12-10") // any day of the week shows its Monday's week
	if p.Status != 200 || !strings.Contains(p.Body, "<h1>7 – 13 December 2026</h1>") || !strings.Contains(p.Body, `<a href="/admin?week=2026-11-30" rel="prev"`) {
		t.Fatalf("next week:\n%s", p.Body)
	}
	link := fmt.Sprintf(`<a class="ev ev-booking" href="/admin/bookings/%d" title="Ada Byron, 14:00–14:20" data-name="Ada Byron, 14:00–14:20"><span aria-hidden="true">AB</span><span class="visually-hidden">Ada Byron, 14:00–14:20</span></a>`, bk.ID)
	if strings.Count(p.Body, link) != 1 {
		t.Errorf("the grid lacks the booking as initials with its name:\n%s", p.Body)
	}
	if !strings.Contains(p.Body, fmt.Sprintf(`<span class="cal-list-time">14:00–14:20</span> <a href="/admin/bookings/%d">Ada Byron</a>`, bk.ID)) {
		t.Errorf("the day list lacks the booking:\n%s", p.Body)
	}
	// The booking sits in the 14:00 row, under Thursday.
	row := regexp.MustCompile(`(?s)<tr class="hour"><th scope="row" class="cal-time">14:00</th>(.*?)</tr>`).FindStringSubmatch(p.Body)
	if row == nil || strings.Count(row[1], "<td") != 7 || !strings.Contains(strings.Split(row[1], "<td")[4], "Ada Byron") {
		t.Errorf("the 14:00 row does not hold the booking on Thursday: %q", row)
	}
	for _, want := range []string{
		`<span class="tag tag-off">Time off</span>`,                     // Wednesday
		`<span class="tag tag-cap">Daily limit reached (6 of 6)</span>`, // Tuesday
		`<span class="ev ev-open">open</span>`,
		`<h2 id="day-2026-12-09">Wednesday 9 December</h2>`,
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("next week lacks %s", want)
		}
	}
	// Tuesday at its cap offers nothing, in the grid as in the slots API.
	if got := a.localSlots("2026-12-08"); len(got) != 0 {
		t.Errorf("the day at its cap offers %v", got)
	}
	tuesday := regexp.MustCompile(`(?s)<section class="cal-list-day" aria-labelledby="day-2026-12-08">(.*?)</section>`).FindStringSubmatch(p.Body)
	if tuesday == nil || strings.Contains(tuesday[1], "Open:") || strings.Count(tuesday[1], "<li>") != 6 {
		t.Errorf("Tuesday in the list: %q", tuesday)
	}
	// Each open slot of the week is drawn once in the grid and listed once.
	want := a.slotsBetween("2026-12-07", "2026-12-13")
	if got := strings.Count(p.Body, `<span class="ev ev-open">open</span>`); got != want {
		t.Errorf("the grid draws %d open slots, the slots API offers %d", got, want)
	}
	// Each day to come offers to book a client on it.
	if !strings.Contains(p.Body, `<a href="/admin/bookings/new?date=2026-12-10" class="day-book">Book<span class="visually-hidden"> a client on Thursday 10 December</span></a>`) {
		t.Error("Thursday's heading does not offer to book a client")
	}
	if p := b.get("/admin/bookings/new?date=2026-12-10"); p.Status != 200 {
		t.Errorf("booking a client from the calendar: %d", p.Status)
	}
	if p := b.get("/admin?week=someday"); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("a week that is no date: %d", p.Status)
	}
}

// dashboardMain is the dashboard page's main content, without the form
// tokens that change from page to page.
func dashboardMain(t *testing.T, b *adminBrowser) string {
	t.Helper()
	p := b.get("/admin/dashboard")
	if p.Status != 200 {
		t.Fatalf("dashboard: %d\n%s", p.Status, p.Body)
	}
	i, j := strings.Index(p.Body, "<h1>Dashboard</h1>"), strings.Index(p.Body, "</main>")
	if i < 0 || j < i {
		t.Fatalf("dashboard page:\n%s", p.Body)
	}
	return p.Body[i:j]
}

// TestAdminDashboardCountsSurviveRetention: the dashboard counts bookings
// made through the API, cancellations and no-shows, shows no personal
// data, and reads the same after retention erases the clients' details.
func TestAdminDashboardCountsSurviveRetention(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	var ids []int64
	for i, h := range []int{9, 10, 11} {
		ids = append(ids, a.bookAs(time.Date(2026, 12, 8, h, 0, 0, 0, adminLA), "Ada Byron", fmt.Sprintf("ada%d@example.org", i), "").ID)
	}
	auth := map[string]string{"Authorization": "Bearer " + a.apiToken()}
	if r := a.do("POST", fmt.Sprintf("/api/v1/admin/bookings/%d/cancel", ids[2]), map[string]string{}, auth); r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	a.clock.Add(8 * 24 * time.Hour) // Wednesday 9 December
	b := a.mustSignIn()
	b.get(fmt.Sprintf("/admin/bookings/%d", ids[1]))
	wantAdminRedirect(t, b.post(fmt.Sprintf("/admin/bookings/%d/status", ids[1]), url.Values{"status": {"no_show"}}), "/admin/bookings/")

	before := dashboardMain(t, b)
	for _, want := range []string{
		`<tr class="future"><th scope="row">7 Dec</th><td>2</td><td>1</td></tr>`, // this week: two took place, one cancelled
		`<tr><th scope="row">Dec 2026</th><td>1</td><td>0</td><td>1</td><td>1</td></tr>`,
		`<tr><th scope="row">3–7 days</th><td>0</td></tr>`,
		`<tr><th scope="row">1–2 weeks</th><td>2</td></tr>`, // made 08:00 Tuesday 1 December for Tuesday 8 from 09:00
		`Half of the bookings are made 7 days or less ahead.`,
		`<th scope="row">Tuesday</th>`,
		`<svg viewBox="0 0 680 230" role="img" aria-labelledby="weeks-title weeks-desc"`,
		`<desc id="months-desc">Consultations per month from Jan 2026 to Dec 2026, with 1 cancellation and 1 no-show in all.</desc>`,
	} {
		if !strings.Contains(before, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
	if strings.Contains(before, "Ada") || strings.Contains(before, "example.org") {
		t.Error("the dashboard shows personal data")
	}
	n, err := a.store.EraseExpired(t.Context(), a.clock.Now(), a.clock.Now())
	if err != nil || n != 3 {
		t.Fatalf("retention erased %d bookings, %v", n, err)
	}
	if after := dashboardMain(t, b); after != before {
		t.Errorf("the dashboard changed after retention:\n%s\n---\n%s", before, after)
	}
}
