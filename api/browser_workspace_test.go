package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"consult/api"
)

// signedInTab opens a tab of width px and signs in as the test practitioner.
func signedInTab(t *testing.T, b *browser, a *adminTest, width int64) *tab {
	t.Helper()
	return signedInTabWith(t, b, a, tabOptions{width: width})
}

// signedInTabWith opens a tab with options o and signs in.
func signedInTabWith(t *testing.T, b *browser, a *adminTest, o tabOptions) *tab {
	t.Helper()
	tb := b.tab(t, o)
	tb.open(a.url + "/admin/sign-in")
	tb.must(
		chromedp.SendKeys(chromedp.ID("email"), adminEmail),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
	)
	tb.follow(chromedp.Click(chromedp.CSS(`form[action="/admin/sign-in"] button`)))
	tb.waitFor(`document.querySelector("nav.admin-nav") !== null`)
	return tb
}

// TestAdminFormFieldsLookAlike: the sign-in password box is the size of
// the email box, and the username field kept for password managers on
// the password forms is not shown.
func TestAdminFormFieldsLookAlike(t *testing.T) {
	b := needBrowser(t)
	a := newAdminTest(t, api.Config{})
	tb := b.tab(t, tabOptions{width: 390})
	box := func(id string) []float64 {
		return evalIn[[]float64](tb, `(function () { var r = document.getElementById("`+id+`").getBoundingClientRect(); return [r.width, r.height]; })()`)
	}
	for _, width := range []int64{390, 1280} {
		tb.must(tb.viewport(width))
		tb.open(a.url + "/admin/sign-in")
		if e, p := box("email"), box("password"); e[0] != p[0] || e[1] != p[1] {
			t.Errorf("at %d px the email box is %v and the password box %v", width, e, p)
		}
	}
	// The browser's tabs share their cookies: this one signs them all in.
	st := signedInTab(t, b, a, 390)
	for _, width := range []int64{390, 1280} {
		st.must(st.viewport(width))
		for _, path := range []string{"/admin/settings", "/admin/confirm?next=/admin/tokens"} {
			st.open(a.url + path)
			if shown := evalIn[int](st, `Array.from(document.querySelectorAll('input[name="username"]')).filter(function (i) { return i.getClientRects().length > 0; }).length`); shown != 0 {
				t.Errorf("at %d px %s shows the hidden username field", width, path)
			}
		}
	}
}

// adminPageSamples fills the path parameters of the admin pages.
type adminPageSamples map[string]string

// adminPages lists every GET page of the admin area from the router, with
// its parameters filled from samples, so a page added later is checked
// too; downloads are left out. A parameter without a sample fails.
func adminPages(t *testing.T, a *adminTest, samples adminPageSamples) []string {
	t.Helper()
	var out []string
	for _, r := range a.srv.Routes() {
		if r.Method != http.MethodGet || (r.Path != "/admin" && !strings.HasPrefix(r.Path, "/admin/")) ||
			strings.HasPrefix(r.Path, "/admin/export/") {
			continue
		}
		path := adminRouteParam.ReplaceAllStringFunc(r.Path, func(p string) string {
			v, ok := samples[r.Path]
			if !ok {
				t.Fatalf("no sample value for %s in %s", p, r.Path)
			}
			return v
		})
		out = append(out, path)
	}
	slices.Sort(out)
	return out
}

// TestAdminPagesFitPhonesAndPassAxe signs in with a real browser and opens
// every admin page, and the forms' previews, at 390 and 1280 px: none is
// wider than the window, and axe-core finds nothing wrong.
func TestAdminPagesFitPhonesAndPassAxe(t *testing.T) {
	b := needBrowser(t)
	a, pages := adminPagesFixture(t)
	auditAdminPages(t, b, a, pages, "")
}

// adminPagesFixture is an admin test with a booking, a few more and an
// email queued, so that every page has something to show, and the admin
// GET pages with sample ids.
func adminPagesFixture(t *testing.T) (*adminTest, []string) {
	t.Helper()
	a := newAdminTest(t, api.Config{})
	bk := a.bookAs(time.Date(2026, 12, 8, 9, 0, 0, 0, adminLA), "Ana María López-Fernández", "ana.maria.lopez-fernandez@example.org", "Could we talk about sleep?")
	for i, h := range []int{10, 11, 13} {
		a.bookAs(time.Date(2026, 12, 9, h, 0, 0, 0, adminLA), "Client Name", fmt.Sprintf("client%d@example.org", i), "")
	}
	if err := a.mailWorker(nil).RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	var msg int64
	if err := a.pool.QueryRow(t.Context(), `SELECT min(id) FROM outbox`).Scan(&msg); err != nil {
		t.Fatal(err)
	}
	a.apiToken()
	pages := adminPages(t, a, adminPageSamples{
		"/admin/bookings/:id":        strconv.FormatInt(bk.ID, 10),
		"/admin/bookings/:id/move":   strconv.FormatInt(bk.ID, 10),
		"/admin/bookings/:id/cancel": strconv.FormatInt(bk.ID, 10),
		"/admin/email/:id":           strconv.FormatInt(msg, 10),
	})
	pages = append(pages, "/admin?week=2026-12-07", "/admin/bookings?when=past", "/admin/email?status=logged", "/admin/confirm?next=/admin/tokens")
	return a, pages
}

// auditAdminPages opens the sign-in page, every page of pages signed in,
// and the forms' previews, at 390 and 1280 px: none may be wider than
// the window, and axe-core must find nothing wrong. Screenshots are
// named with prefix.
func auditAdminPages(t *testing.T, b *browser, a *adminTest, pages []string, prefix string) {
	t.Helper()
	// Each page gets a tab of its own (a tab has a time limit); the
	// browser's tabs share their cookies, so one sign-in serves them all.
	check := func(tb *tab, path string) {
		t.Helper()
		for _, width := range []int64{390, 1280} {
			tb.must(tb.viewport(width))
			if w := evalIn[int64](tb, `document.documentElement.scrollWidth`); w > width {
				t.Errorf("%s at %d px is %d px wide", path, width, w)
			}
			for _, v := range tb.axe(b) {
				t.Errorf("%s at %d px: axe %s (%s): %s %v", path, width, v.ID, v.Impact, v.Help, v.Nodes)
			}
			adminShot(t, tb.ctx, prefix+fmt.Sprintf("%s-%d", strings.NewReplacer("/", "_", "?", "_", "=", "_", " ", "").Replace(path), width))
		}
	}
	tb := b.tab(t, tabOptions{width: 390})
	tb.open(a.url + "/admin/sign-in")
	check(tb, "/admin/sign-in")

	signedInTab(t, b, a, 390)
	for _, path := range pages {
		tb := b.tab(t, tabOptions{width: 390})
		if st := tb.open(a.url + path); st != http.StatusOK {
			t.Errorf("%s: %d", path, st)
			continue
		}
		check(tb, path)
	}
	// The previews of the forms.
	for _, form := range []struct{ page, button string }{
		{"/admin/availability", `#weekly-form button[value="preview"]:not([hidden])`},
		{"/admin/rules", `#rules-form button[value="preview"]`},
	} {
		tb := b.tab(t, tabOptions{width: 390})
		tb.open(a.url + form.page)
		tb.follow(chromedp.Click(chromedp.CSS(form.button)))
		tb.waitFor(`document.getElementById("preview") !== null`)
		check(tb, form.page+" (preview)")
	}
}

// weekFixture fills the week of 7 December 2026 as a practitioner's week
// looks: bookings, a day off and a day at its cap.
func weekFixture(t *testing.T, a *adminTest) {
	t.Helper()
	names := []string{"Ada Byron", "Grace Hopper", "Alan Turing", "Mary Somerville", "Emmy Noether", "Carl Gauss"}
	for i, h := range []int{9, 10, 11, 13, 14, 15} { // Tuesday: the cap of 6 reached
		a.bookAs(time.Date(2026, 12, 8, h, 0, 0, 0, adminLA), names[i], fmt.Sprintf("tue%d@example.org", i), "")
	}
	for i, c := range [][2]int{{7, 9}, {7, 13}, {10, 11}, {10, 16}, {11, 9}} {
		a.bookAs(time.Date(2026, 12, c[0], c[1], 20, 0, 0, adminLA), names[(i+2)%len(names)], fmt.Sprintf("w%d@example.org", i), "")
	}
	b := a.mustSignIn()
	b.get("/admin/availability")
	wantAdminRedirect(t, b.post("/admin/availability/time-off", url.Values{"first": {"2026-12-09"}, "action": {"save"}}), "/admin/availability")
	// A linked calendar holds Friday 14:00 to 15:00.
	var source int64
	if err := a.pool.QueryRow(t.Context(), `INSERT INTO calendar_sources (kind, url_sealed, host, status, created_at)
		VALUES ('ics', 'sealed', 'calendar.example.org', 'ok', $1) RETURNING id`, testNow).Scan(&source); err != nil {
		t.Fatal(err)
	}
	if _, err := a.pool.Exec(t.Context(), `INSERT INTO busy_intervals (source_id, during) VALUES ($1, tstzrange($2, $3))`, source,
		time.Date(2026, 12, 11, 14, 0, 0, 0, adminLA), time.Date(2026, 12, 11, 15, 0, 0, 0, adminLA)); err != nil {
		t.Fatal(err)
	}
}

// TestAdminWeekCalendarInTheBrowser: the week calendar reads at 1280 px
// as a grid and at 390 px as a list of days, its bookings are reached by
// the keyboard and name the client on focus; screenshots of both widths
// are kept in web/testdata/screenshots.
func TestAdminWeekCalendarInTheBrowser(t *testing.T) {
	b := needBrowser(t)
	a := newAdminTest(t, api.Config{})
	weekFixture(t, a)
	tb := signedInTab(t, b, a, 1280)
	tb.open(a.url + "/admin?week=2026-12-07")
	if !evalIn[bool](tb, `getComputedStyle(document.querySelector(".cal-grid")).display !== "none" && getComputedStyle(document.querySelector(".week-list")).display === "none"`) {
		t.Fatal("at 1280 px the week is not shown as a grid")
	}
	if n := evalIn[int](tb, `document.querySelectorAll(".cal-grid .ev-busy").length`); n != 3 {
		t.Errorf("the linked calendar's hour is drawn in %d rows, want 3", n)
	}
	// Tab from the week links reaches the first booking; focus shows its name.
	tb.must(chromedp.Focus(chromedp.CSS(`a[rel="next"]`)))
	for range 40 {
		tb.must(chromedp.KeyEvent("\t"))
		if evalIn[bool](tb, `document.activeElement.classList.contains("ev-booking")`) {
			break
		}
	}
	if got := evalIn[string](tb, `document.activeElement.classList.contains("ev-booking") ? getComputedStyle(document.activeElement, "::after").content : ""`); !strings.Contains(got, "Ada Byron, 09:00–09:20") {
		t.Fatalf("the focused booking shows %q", got)
	}
	tb.must(chromedp.Blur(chromedp.CSS(`a.ev-booking`)))
	tb.screenshot(b, "week-1280")

	tb.must(tb.viewport(390))
	tb.open(a.url + "/admin?week=2026-12-07")
	if !evalIn[bool](tb, `getComputedStyle(document.querySelector(".cal-grid")).display === "none" && getComputedStyle(document.querySelector(".week-list")).display !== "none"`) {
		t.Fatal("at 390 px the week is not shown as a list of days")
	}
	if w := evalIn[int64](tb, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the week at 390 px is %d px wide", w)
	}
	if got := tb.text(`section[aria-labelledby="day-2026-12-11"] .cal-list`); !strings.Contains(got, "14:00–15:00 Busy in calendar.example.org") {
		t.Errorf("Friday in the list: %q", got)
	}
	if got := tb.text(`#day-2026-12-09`); got != "Wednesday 9 December" {
		t.Errorf("day heading %q", got)
	}
	tb.screenshot(b, "week-390")
}

// TestAdminHoursEditedAsTimes edits the weekly hours in a browser without
// scripts, with the time inputs and the form's add and copy buttons, and
// sees the change in /api/v1/slots.
func TestAdminHoursEditedAsTimes(t *testing.T) {
	b := needBrowser(t)
	a := newAdminTest(t, api.Config{})
	tb := signedInTabWith(t, b, a, tabOptions{width: 390, noScript: true})
	tb.open(a.url + "/admin/availability")
	// Tuesday: 13:00 to 15:00 only.
	tb.must(
		chromedp.SetValue(chromedp.ID("start_2_0"), "13:00"),
		chromedp.SetValue(chromedp.ID("end_2_0"), "15:00"),
		chromedp.SetValue(chromedp.ID("start_2_1"), ""),
		chromedp.SetValue(chromedp.ID("end_2_1"), ""),
	)
	// Saturday has one empty row; another is added, keeping what was typed.
	tb.follow(chromedp.Click(chromedp.CSS(`button[value="add-6"]`)))
	if got := evalIn[int](tb, `document.querySelectorAll('input[name="start_6"]').length`); got != 2 {
		t.Fatalf("Saturday has %d rows after adding one", got)
	}
	if got := evalIn[string](tb, `document.getElementById("end_2_0").value`); got != "15:00" {
		t.Fatalf("adding a row lost Tuesday's end: %q", got)
	}
	if !strings.Contains(tb.text("p.flash"), "A row was added to Saturday. Nothing is saved until you press Save weekly hours.") {
		t.Errorf("after adding a row: %s", tb.text("p.flash"))
	}
	tb.must(
		chromedp.SetValue(chromedp.ID("start_6_1"), "10:00"),
		chromedp.SetValue(chromedp.ID("end_6_1"), "11:00"),
	)
	// Enter in a time box previews; it does not remove a row.
	tb.follow(chromedp.SendKeys(chromedp.ID("end_6_1"), "\r"))
	tb.waitFor(`document.getElementById("preview") !== null`)
	if text := tb.text("#preview"); !strings.Contains(text, "Tue 8 Dec: 13:00, 13:20, 13:40, 14:00, 14:20, 14:40") ||
		!strings.Contains(text, "Sat 5 Dec: 10:00, 10:20, 10:40") {
		t.Fatalf("preview: %s", text)
	}
	// Copy Tuesday to every weekday, then save.
	tb.follow(chromedp.Click(chromedp.CSS(`button[value="copy-2"]`)))
	if got := evalIn[string](tb, `document.getElementById("start_4_0").value + "-" + document.getElementById("end_4_0").value`); got != "13:00-15:00" {
		t.Fatalf("Thursday after copying Tuesday: %q", got)
	}
	tb.follow(chromedp.Click(chromedp.CSS(`#weekly-form button[value="save"]:not([hidden])`)))
	if got := tb.text("p.flash"); got != "Weekly hours saved." {
		t.Fatalf("after saving: %q", got)
	}
	afternoon := []string{"13:00", "13:20", "13:40", "14:00", "14:20", "14:40"}
	for _, day := range []string{"2026-12-07", "2026-12-08", "2026-12-11"} {
		wantAdminSlots(t, a, day, afternoon)
	}
	wantAdminSlots(t, a, "2026-12-12", []string{"10:00", "10:20", "10:40"})
	wantAdminSlots(t, a, "2026-12-13", nil)
	// The saved hours come back as rows of times.
	if got := evalIn[string](tb, `document.getElementById("start_6_0").value + "-" + document.getElementById("end_6_0").value`); got != "10:00-11:00" {
		t.Errorf("Saturday's saved row: %q", got)
	}
	// The week calendar follows (as a list of days at 390 px).
	tb.open(a.url + "/admin?week=2026-12-07")
	if got := tb.text(`section[aria-labelledby="day-2026-12-12"] .cal-open`); got != "Open: 10:00, 10:20, 10:40" {
		t.Errorf("Saturday in the week calendar: %q", got)
	}
	if got := tb.text(`section[aria-labelledby="day-2026-12-08"] .muted`); got != "Hours 13:00-15:00" {
		t.Errorf("Tuesday's hours in the week calendar: %q", got)
	}
}

// dashboardFixture stores half a year of consultations, as a practice
// that has run for a while has: a few a weekday, most kept, some
// cancelled or missed, booked from the same day to a month ahead.
func dashboardFixture(t *testing.T, a *adminTest) {
	t.Helper()
	monday := time.Date(2026, 11, 30, 0, 0, 0, 0, adminLA)
	n := 0
	seed := uint32(7)
	chance := func(percent int) bool { // a fixed sequence, the same every run
		seed = seed*1664525 + 1013904223
		return int(seed>>16)%100 < percent
	}
	hourly := []int{55, 80, 70, 45, 60, 50, 30} // mornings fill first
	daily := []int{90, 100, 80, 95, 60}         // Fridays are quiet
	for w := -26; w < 8; w++ {
		growth := 60 + (w+26)*40/34 // the practice grows over the half year
		for d := 0; d < 5; d++ {
			for k, h := range []int{9, 10, 11, 13, 14, 15, 16} {
				if !chance(hourly[k] * daily[d] * growth / 10000) {
					continue
				}
				day := monday.AddDate(0, 0, 7*w+d)
				start := time.Date(day.Year(), day.Month(), day.Day(), h, 0, 0, 0, adminLA)
				if !start.After(testNow.Add(24*time.Hour)) && w >= 0 {
					continue
				}
				status := "completed"
				switch {
				case w >= 0:
					status = "confirmed"
				case n%13 == 0:
					status = "cancelled"
				case n%17 == 0:
					status = "no_show"
				}
				lead := time.Duration(2+(n*37)%600) * time.Hour
				created := start.Add(-lead)
				if created.After(testNow) {
					created = testNow
				}
				n++
				if _, err := a.pool.Exec(t.Context(), `INSERT INTO bookings (starts_at, ends_at, status, name, email, time_zone, manage_token_hash, created_at, updated_at)
					VALUES ($1, $2, $3, 'Past Client', $4, 'America/Los_Angeles', $5, $6, $6)`,
					start, start.Add(20*time.Minute), status, fmt.Sprintf("past%d@example.org", n), []byte(fmt.Sprintf("fixture-%d", n)), created); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// TestAdminDashboardInTheBrowser: the dashboard's charts fit a phone and
// a desktop, pass axe-core, and are kept as screenshots.
func TestAdminDashboardInTheBrowser(t *testing.T) {
	b := needBrowser(t)
	a := newAdminTest(t, api.Config{})
	dashboardFixture(t, a)
	tb := signedInTab(t, b, a, 1280)
	for _, width := range []int64{1280, 390} {
		tb.must(tb.viewport(width))
		tb.open(a.url + "/admin/dashboard")
		if n := evalIn[int](tb, `document.querySelectorAll("figure.chart svg[role=img] > title").length`); n != 4 {
			t.Fatalf("%d charts with a title", n)
		}
		if w := evalIn[int64](tb, `document.documentElement.scrollWidth`); w > width {
			t.Errorf("the dashboard at %d px is %d px wide", width, w)
		}
		for _, v := range tb.axe(b) {
			t.Errorf("dashboard at %d px: axe %s (%s): %s %v", width, v.ID, v.Impact, v.Help, v.Nodes)
		}
		tb.screenshot(b, fmt.Sprintf("dashboard-%d", width))
	}
}
