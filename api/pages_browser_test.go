package api_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserLinkedTimesAndClockChanges drives the booking page's script
// in headless Chromium: a "Book it" link of the availability feed opened
// in the visitor's zone, and the times of a day the visitor's clocks go
// back, labelled as the server labels them.
func TestBrowserLinkedTimesAndClockChanges(t *testing.T) {
	b := needBrowser(t)
	t.Run("feed link in the visitor's zone", func(t *testing.T) { testBrowserFeedLink(t, b) })
	t.Run("feed link to a taken time", func(t *testing.T) { testBrowserTakenFeedLink(t, b) })
	t.Run("labels on a day the clocks go back", func(t *testing.T) { testBrowserClockChangeLabels(t, b) })
	t.Run("whose zone the times are in", func(t *testing.T) { testBrowserZoneNote(t, b) })
	t.Run("the visitor's clock", func(t *testing.T) { testBrowserClock(t, b) })
}

// testBrowserClock: the times the script writes follow the clock of the
// visitor's language, and a chosen clock survives the script's own
// navigation.
func testBrowserClock(t *testing.T, b *browser) {
	site := newTestSite(t)
	firstTime := `document.querySelector("label[for=slot-0]").lastChild.textContent`
	de := b.tab(t, tabOptions{timeZone: "Asia/Tokyo", language: "de-DE,de;q=0.9"})
	de.open(site.url + "/book")
	// Once the script has switched to Tokyo, it has written the times.
	de.waitFor(`document.querySelector("[data-tz-field]").value === "Asia/Tokyo" && document.querySelector("[data-slots-status]").textContent !== ""`)
	if got := evalIn[string](de, firstTime); !dayHourRE.MatchString(got) {
		t.Errorf("a German visitor's first time reads %q, want 24-hour", got)
	}
	// The offer of the 12-hour clock follows the day and zone shown.
	href := evalIn[string](de, `document.querySelector("[data-clock-link='12']").href`)
	if !strings.Contains(href, "tz=Asia%2FTokyo") || !strings.Contains(href, "clock=12") {
		t.Fatalf("the 12-hour link is %q", href)
	}
	de.open(href)
	de.waitFor(`document.querySelector("[data-slots-status]").textContent !== "" || document.querySelector("label[for=slot-0]") !== null`)
	if got := evalIn[string](de, firstTime); !twelveHourRE.MatchString(got) {
		t.Errorf("after choosing 12 hours the first time reads %q", got)
	}
	// A day the script loads keeps the chosen clock, in its times and in
	// the address it leaves.
	de.must(chromedp.Click(chromedp.CSS(`a[data-date="2026-12-04"]`)))
	de.waitFor(`document.querySelector("[data-slots-legend]").textContent === "Freie Termine am Freitag, 4. Dezember"`)
	if got := evalIn[string](de, firstTime); !twelveHourRE.MatchString(got) {
		t.Errorf("on the next day the first time reads %q", got)
	}
	if u := evalIn[string](de, `location.search`); !strings.Contains(u, "clock=12") {
		t.Errorf("the address %q drops the chosen clock", u)
	}
	if p := de.problems(); len(p) > 0 {
		t.Errorf("page problems: %v", p)
	}
}

// testBrowserZoneNote: the script says the times are in the visitor's own
// zone once it has switched to the zone the browser reports, and just
// names the zone after the visitor picks another; without the script the
// page says they are the practice's.
func testBrowserZoneNote(t *testing.T, b *browser) {
	site := newTestSite(t)
	// Tokyo keeps one offset all year, whatever the browser's clock says.
	tb := b.tab(t, tabOptions{timeZone: "Asia/Tokyo"})
	tb.open(site.url + "/book")
	tb.waitFor(`document.querySelector("[data-tz-field]").value === "Asia/Tokyo"`)
	tb.waitFor(`document.querySelector("[data-tz-note]").textContent.indexOf("Tokyo") >= 0`)
	if got := tb.text("[data-tz-note]"); got != "Times are shown in your time zone, Tokyo time (UTC+9), as your browser reports it." {
		t.Errorf("after detection the note reads %q", got)
	}
	evalIn[bool](tb, `(function (s) { s.value = "Asia/Kolkata"; return s.dispatchEvent(new Event("change")); })(document.getElementById("tz"))`)
	tb.waitFor(`document.querySelector("[data-tz-label]").textContent === "Kolkata time (UTC+5:30)"`)
	if got := tb.text("[data-tz-note]"); got != "Times are shown in Kolkata time (UTC+5:30)." {
		t.Errorf("after choosing another zone the note reads %q", got)
	}
	// A visitor in the practice's own zone is told it is theirs.
	la := b.tab(t, tabOptions{timeZone: "America/Los_Angeles"})
	la.open(site.url + "/book")
	la.waitFor(`document.querySelector("[data-tz-note]").textContent.indexOf("your browser") >= 0`)
	if got := la.text("[data-tz-note]"); !strings.HasPrefix(got, "Times are shown in your time zone, Los Angeles time (UTC") {
		t.Errorf("in the practice's zone the note reads %q", got)
	}

	noJS := b.tab(t, tabOptions{timeZone: "Asia/Tokyo", noScript: true})
	noJS.open(site.url + "/book")
	if got := noJS.text("[data-tz-note]"); got != "Times are shown in the practice’s time zone, Los Angeles time (UTC−8). If you are elsewhere, choose your time zone." {
		t.Errorf("without the script the note reads %q", got)
	}
	noJS.must(chromedp.Click(chromedp.CSS(`[data-tz-note] a[href="#tz"]`)))
	if got := evalIn[string](noJS, `location.hash`); got != "#tz" {
		t.Errorf("the link to the zone picker goes to %q", got)
	}
}

// linkedStart is a slot of the demo hours some days after testNow: 2:20 PM
// on Wednesday 9 December in Los Angeles, 7:20 AM on Thursday in Tokyo.
var linkedStart = time.Date(2026, 12, 9, 22, 20, 0, 0, time.UTC)

// slotLabels returns the value and full label text of each time radio.
func slotLabels(tb *tab) (values, labels []string) {
	tb.t.Helper()
	values = radioValues(tb)
	labels = evalIn[[]string](tb, `Array.from(document.querySelectorAll("[data-slot-grid] label"), function (l) { return l.textContent; })`)
	return values, labels
}

func testBrowserFeedLink(t *testing.T, b *browser) {
	site := newTestSite(t)
	link := site.feedLinks()[linkedStart]
	if link == "" {
		t.Fatalf("the feed has no slot at %s", linkedStart)
	}
	tb := b.tab(t, tabOptions{timeZone: "Asia/Tokyo"})
	tb.open(link)
	tb.waitFor(`document.querySelector("[data-tz-field]").value === "Asia/Tokyo"`)
	tb.waitFor(`document.querySelector("[data-slots-status]").textContent.indexOf("available on Thursday 10 December") >= 0`)
	checked := evalIn[[]string](tb, `Array.from(document.querySelectorAll("input[name=start]:checked"), function (i) { return i.value; })`)
	if want := linkedStart.Format(time.RFC3339); !slices.Equal(checked, []string{want}) {
		t.Fatalf("chosen %v, want %s", checked, want)
	}
	if got := tb.text(`input[name=start]:checked + label`); got != "Thursday 10 December, 7:20 AM" {
		t.Errorf("the chosen time reads %q", got)
	}
	if p := tb.problems(); len(p) > 0 {
		t.Errorf("page problems: %v", p)
	}
}

func testBrowserTakenFeedLink(t *testing.T, b *browser) {
	site := newTestSite(t)
	link := site.feedLinks()[linkedStart]
	site.bookDirect(linkedStart.Format(time.RFC3339))
	tb := b.tab(t, tabOptions{timeZone: "Asia/Tokyo"})
	tb.open(link)
	// The nearest times are listed again by the server, in Tokyo time.
	tb.waitFor(`new URL(location.href).searchParams.get("tz") === "Asia/Tokyo" && document.readyState === "complete"`)
	if got := tb.text("[data-slots-note]"); got != "That time has just been booked by someone else; here are the nearest free times." {
		t.Errorf("note reads %q", got)
	}
	if got := tb.text("[data-slots-legend]"); got != "The nearest free times" {
		t.Errorf("legend = %q", got)
	}
	values, labels := slotLabels(tb)
	if len(values) == 0 || slices.Contains(values, linkedStart.Format(time.RFC3339)) {
		t.Fatalf("offered %v", values)
	}
	if !slices.Contains(labels, "Thursday 10 December, 8:00\u00a0AM") {
		t.Errorf("the nearest times are not in Tokyo time: %q", labels)
	}
	for _, av := range tb.axe(b) {
		t.Errorf("axe %s (%s): %s\n  %s", av.ID, av.Impact, av.Help, strings.Join(av.Nodes, "\n  "))
	}
	// Choosing another day leaves the note behind.
	tb.must(chromedp.Click(chromedp.CSS(`a[data-date="2026-12-11"]`)))
	tb.waitFor(`document.querySelector("[data-slots-legend]").textContent === "Free times on Friday 11 December"`)
	if evalIn[bool](tb, `!!document.querySelector("[data-slots-note]")`) {
		t.Error("the note stays after choosing another day")
	}
}

func testBrowserClockChangeLabels(t *testing.T, b *browser) {
	site := newTestSiteWith(t, siteOptions{now: time.Date(2026, 10, 20, 16, 0, 0, 0, time.UTC)})
	// What the server lists for Cairo on Thursday 29 October 2026, whose
	// last hour happens twice.
	server := site.get("/book?date=2026-10-29&tz=Africa/Cairo")
	wantValues := regexpAll(`name="start" id="slot-\d+" value="([^"]+)"`, server.Body)
	wantLabels := slotNames(server.Body)

	tb := b.tab(t, tabOptions{timeZone: "Africa/Cairo"})
	tb.open(site.url + "/book?date=2026-10-29")
	tb.waitFor(`document.querySelector("[data-tz-field]").value === "Africa/Cairo"`)
	tb.waitFor(`document.querySelector("[data-slots-status]").textContent.indexOf("available on Thursday 29 October") >= 0`)
	values, labels := slotLabels(tb)
	if !slices.Equal(values, wantValues) || !slices.Equal(labels, wantLabels) {
		t.Errorf("the script lists\n%q\n%q\nthe server\n%q\n%q", values, labels, wantValues, wantLabels)
	}
	byValue := map[string]string{}
	for i, v := range values {
		byValue[v] = labels[i]
	}
	if got := byValue["2026-10-29T20:00:00Z"]; got != "Thursday 29 October, 11:00\u00a0PM (UTC+3)" {
		t.Errorf("20:00 UTC reads %q", got)
	}
	if got := byValue["2026-10-29T21:00:00Z"]; got != "Thursday 29 October, 11:00\u00a0PM (UTC+2)" {
		t.Errorf("21:00 UTC reads %q", got)
	}
	sorted := slices.Sorted(slices.Values(labels))
	if len(slices.Compact(sorted)) != len(labels) {
		t.Errorf("two times read the same: %q", labels)
	}

	// The longer labels fit a phone's screen.
	tb.must(tb.viewport(390))
	if evalIn[bool](tb, `document.documentElement.scrollWidth > window.innerWidth`) {
		t.Error("the page scrolls sideways at 390 px")
	}
	tb.screenshot(b, "book-clock-change-390")

	// The day before has no change, and keeps the short labels.
	tb.must(chromedp.Click(chromedp.CSS(`a[data-date="2026-10-28"]`)))
	tb.waitFor(`document.querySelector("[data-slots-legend]").textContent === "Free times on Wednesday 28 October"`)
	if _, labels := slotLabels(tb); len(labels) == 0 || strings.Contains(strings.Join(labels, " "), "UTC") {
		t.Errorf("an ordinary day reads %q", labels)
	}
	for _, av := range tb.axe(b) {
		t.Errorf("axe %s (%s): %s\n  %s", av.ID, av.Impact, av.Help, strings.Join(av.Nodes, "\n  "))
	}
	if p := tb.problems(); len(p) > 0 {
		t.Errorf("page problems: %v", p)
	}
}
