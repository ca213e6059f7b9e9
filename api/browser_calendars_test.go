package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// weekICS holds busy time in the two weeks after testNow (Tuesday 1
// December 2026 in Los Angeles): a session on Thursday, a weekly
// supervision on Mondays and an all-day training on Thursday 10th.
const weekICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n" +
	"BEGIN:VEVENT\r\nUID:a@example.org\r\nDTSTART:20261203T180000Z\r\nDTEND:20261203T184500Z\r\nSUMMARY:Client J.M.\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:b@example.org\r\nDTSTART;TZID=America/Los_Angeles:20261207T140000\r\nDTEND;TZID=America/Los_Angeles:20261207T150000\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nSUMMARY:Supervision\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:c@example.org\r\nDTSTART;VALUE=DATE:20261210\r\nDTEND;VALUE=DATE:20261211\r\nSUMMARY:Training\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

// TestCalendarsPageBrowser links calendars on the admin page with a real
// browser: the busy times read appear beside the hours, a calendar that
// fails says why, and each state passes axe-core at phone and desktop
// widths.
func TestCalendarsPageBrowser(t *testing.T) {
	b := needBrowser(t)
	ct := newCalendarTest(t)
	ct.body.Store([]byte(weekICS))
	check := func(tb *tab, name string, width int64) {
		t.Helper()
		shot := fmt.Sprintf("admin-calendars-%s-%d", name, width)
		for _, av := range tb.axe(b) {
			t.Errorf("%s: axe %s (%s): %s\n  %s", shot, av.ID, av.Impact, av.Help, strings.Join(av.Nodes, "\n  "))
		}
		if evalIn[bool](tb, `document.documentElement.scrollWidth > window.innerWidth || document.body.scrollWidth > window.innerWidth`) {
			t.Errorf("%s: the page scrolls sideways", shot)
		}
		tb.screenshot(b, shot)
	}
	// Tabs share the browser's cookies: one sign-in serves them all.
	tb := b.tab(t, tabOptions{width: 390})
	tb.open(ct.url + "/admin")
	tb.follow(chromedp.SendKeys(chromedp.ID("email"), adminEmail), chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.CSS(`form[action="/admin/sign-in"] button`)))
	if status := tb.open(ct.url + "/admin/calendars"); status != 200 {
		t.Fatalf("calendars page: %d", status)
	}
	if text := tb.text("main"); !strings.Contains(text, "No calendar is linked yet.") {
		t.Fatalf("empty page: %s", text)
	}
	check(tb, "empty", 390)

	// A refused address is said at its field.
	tb.must(chromedp.SetValue(chromedp.ID("url"), "ftp://calendar.example.org/cal.ics"))
	if status := tb.follow(chromedp.Click(chromedp.CSS(`#add-calendar button[type=submit]`))); status != 422 {
		t.Fatalf("bad address: %d", status)
	}
	if text := tb.text("main"); !strings.Contains(text, "Enter the calendar's address, starting with https:// or webcal://.") {
		t.Fatalf("no message at the field: %s", text)
	}
	check(tb, "error", 390)

	// One that reads, one that does not.
	for _, u := range []string{ct.icsURL, strings.Replace(ct.icsURL, calendarSecret, "gone", 1)} {
		tb.open(ct.url + "/admin/calendars")
		tb.must(chromedp.SetValue(chromedp.ID("url"), u))
		tb.follow(chromedp.Click(chromedp.CSS(`#add-calendar button[type=submit]`)))
	}
	for _, width := range []int64{390, 1280} {
		tb := b.tab(t, tabOptions{width: width})
		tb.open(ct.url + "/admin/calendars")
		text := tb.text("main")
		for _, want := range []string{"4 busy times ahead", "Could not be read", "The calendar server answered 404 Not Found.",
			"10:00–10:45 (127.0.0.1)", "14:00–15:00 (127.0.0.1)", "All day (127.0.0.1)", "09:00–12:00, 13:00–17:00"} {
			if !strings.Contains(text, want) {
				t.Errorf("width %d: the page lacks %q:\n%s", width, want, text)
			}
		}
		if strings.Contains(tb.text("body"), calendarSecret) || strings.Contains(text, "Client J.M.") {
			t.Errorf("the page shows the secret address or an event's title")
		}
		check(tb, "linked", width)
	}
	t.Logf("screenshots in %s", b.shots)
}
