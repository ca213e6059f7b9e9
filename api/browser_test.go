package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"consult/booking"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowser drives the site in headless Chromium: the booking journeys
// with and without JavaScript and by keyboard alone, then an accessibility
// audit (axe-core) and screenshots of every page at phone and desktop widths.
func TestBrowser(t *testing.T) {
	b := needBrowser(t)
	t.Run("book with JavaScript in the visitor's zone", func(t *testing.T) { testBrowserBookWithJS(t, b) })
	t.Run("cancel from the manage link", func(t *testing.T) { testBrowserCancel(t, b) })
	t.Run("reschedule", func(t *testing.T) { testBrowserReschedule(t, b) })
	t.Run("keyboard only", func(t *testing.T) { testBrowserKeyboard(t, b) })
	t.Run("slot taken before submit", func(t *testing.T) { testBrowserTakenSlot(t, b) })
	t.Run("without JavaScript", func(t *testing.T) { testBrowserNoJS(t, b) })
	t.Run("book while a proof of work is asked", func(t *testing.T) { testBrowserProofOfWork(t, b) })
	t.Run("accessibility and screenshots", func(t *testing.T) { testBrowserAudit(t, b) })
}

// radioValues lists the values of the time radio buttons on the page.
func radioValues(tb *tab) []string {
	tb.t.Helper()
	return evalIn[[]string](tb, `Array.from(document.querySelectorAll("input[name=start]"), function (i) { return i.value; })`)
}

func fillDetails(tb *tab, name string) {
	tb.t.Helper()
	tb.must(
		chromedp.SendKeys(chromedp.ID("name"), name),
		chromedp.SendKeys(chromedp.ID("email"), "client@example.org"),
		chromedp.Click(chromedp.ID("consent")),
	)
}

func testBrowserBookWithJS(t *testing.T, b *browser) {
	site := newTestSite(t)
	tb := b.tab(t, tabOptions{timeZone: "Europe/Berlin", language: "en-US"})
	tb.open(site.url + "/book")
	// The script notices the browser's zone and shows the times in it.
	tb.waitFor(`document.querySelector("[data-tz-field]").value === "Europe/Berlin"`)
	tb.waitFor(`document.querySelector("[data-slots-status]").textContent.indexOf("times available on Wednesday 2 December") >= 0`)
	if got := tb.text(`label[for="slot-0"]`); got != "Wednesday 2 December, 6:00 PM" {
		t.Errorf("first slot reads %q, want the day and the Berlin time", got)
	}
	if hint := tb.text("[data-tz-label]"); hint != "Berlin time (UTC+1)" {
		t.Errorf("zone shown as %q", hint)
	}

	// Another zone, chosen from the list, re-labels the times in place.
	evalIn[bool](tb, `window.__samePage = true`)
	evalIn[bool](tb, `(function (s) { s.value = "Asia/Tokyo"; return s.dispatchEvent(new Event("change")); })(document.getElementById("tz"))`)
	tb.waitFor(`document.querySelector("[data-tz-label]").textContent === "Tokyo time (UTC+9)"`)
	// The first hours, 9:00 AM on Wednesday in Los Angeles, fall on
	// Thursday in Tokyo, so Wednesday there has none.
	tb.waitFor(`document.querySelector("[data-slots-status]").textContent === "No times available on Wednesday 2 December."`)
	if got := tb.text(".no-slots"); !strings.HasPrefix(got, "There are no free times on this day") {
		t.Errorf("empty day reads %q", got)
	}
	if got := tb.text(`a[data-date="2026-12-03"] .week-count`); got != "21 times" {
		t.Errorf("Thursday in Tokyo shows %q", got)
	}
	evalIn[bool](tb, `(function (s) { s.value = "Europe/Berlin"; return s.dispatchEvent(new Event("change")); })(document.getElementById("tz"))`)
	tb.waitFor(`document.querySelector("[data-tz-label]").textContent === "Berlin time (UTC+1)"`)

	// Another day loads without a page load.
	tb.must(chromedp.Click(chromedp.CSS(`a[data-date="2026-12-03"]`)))
	tb.waitFor(`document.querySelector("[data-slots-legend]").textContent === "Free times on Thursday 3 December"`)
	tb.waitFor(`document.querySelector("[data-slots-status]").textContent.indexOf("available on Thursday 3 December") >= 0`)
	if !evalIn[bool](tb, `window.__samePage === true`) {
		t.Error("choosing a day reloaded the page")
	}
	if got := evalIn[string](tb, `document.activeElement.getAttribute("data-date")`); got != "2026-12-03" {
		t.Errorf("focus after choosing a day is on %q, want the chosen day", got)
	}
	values := radioValues(tb)
	if len(values) < 2 {
		t.Fatalf("%d times on Thursday", len(values))
	}
	tb.must(chromedp.Click(chromedp.CSS(`label[for="slot-1"]`)))
	fillDetails(tb, "Ada Lovelace")
	if status := tb.follow(chromedp.Click(chromedp.CSS(`form[data-slot-form] button[type=submit]`))); status != http.StatusOK {
		t.Fatalf("confirmation: status %d: %s", status, tb.text("main"))
	}
	if h1 := tb.text("h1"); h1 != "Your consultation is booked" {
		t.Fatalf("h1 = %q", h1)
	}
	if when := tb.text(".panel-when"); !strings.Contains(when, "Thursday 3 December 2026") || !strings.Contains(when, "Berlin") {
		t.Errorf("confirmation shows %q", when)
	}
	if p := tb.problems(); len(p) > 0 {
		t.Errorf("page problems: %v", p)
	}

	// The booked time is gone from /book.
	tb.open(site.url + "/book?date=2026-12-03&tz=Europe/Berlin")
	if slices.Contains(radioValues(tb), values[1]) {
		t.Error("the booked time is still offered")
	}
	if foreign, total := tb.foreignRequests(site.url); len(foreign) > 0 || total == 0 {
		t.Errorf("requests to other servers: %v (of %d)", foreign, total)
	}
}

func testBrowserCancel(t *testing.T, b *browser) {
	site := newTestSite(t)
	start := site.slotsOn(firstDay, "America/Los_Angeles")[0]
	token := site.book(start)
	tb := b.tab(t, tabOptions{})
	tb.open(site.url + "/manage/" + token)
	tb.follow(chromedp.Click(chromedp.CSS(`a[href$="/cancel"]`)))
	if h1 := tb.text("h1"); h1 != "Cancel your consultation?" {
		t.Fatalf("h1 = %q", h1)
	}
	if site.count("cancelled") != 0 {
		t.Fatal("opening the cancel page cancelled")
	}
	tb.follow(chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	if got := tb.text(".summary-row:last-child dd"); got != "Cancelled" {
		t.Errorf("status shows %q", got)
	}
	tb.open(site.url + "/book?date=" + firstDay + "&tz=America/Los_Angeles")
	if !slices.Contains(radioValues(tb), start) {
		t.Error("the cancelled time is not free again")
	}
}

func testBrowserReschedule(t *testing.T, b *browser) {
	site := newTestSite(t)
	token := site.book(site.slotsOn(firstDay, "America/Los_Angeles")[0])
	tb := b.tab(t, tabOptions{})
	tb.open(site.url + "/manage/" + token)
	target := radioValues(tb)[2]
	tb.must(chromedp.Click(chromedp.CSS(`label[for="slot-2"]`)))
	tb.follow(chromedp.Click(chromedp.CSS(`form[data-slot-form] button[type=submit]`)))
	if got := tb.text(".notice-success h2"); got != "Your consultation has been moved" {
		t.Errorf("notice = %q", got)
	}
	if got := site.row(token).Start.Format(time.RFC3339); got != target {
		t.Errorf("booking starts at %s, want %s", got, target)
	}
}

// testBrowserKeyboard books with Tab, arrow keys, Space and Enter only.
func testBrowserKeyboard(t *testing.T, b *browser) {
	site := newTestSite(t)
	tb := b.tab(t, tabOptions{})
	tb.open(site.url + "/book")
	active := func() string {
		return evalIn[string](tb, `(function (e) { return e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + e.className : ""); })(document.activeElement)`)
	}
	press := func(keys string) { tb.t.Helper(); tb.must(chromedp.KeyEvent(keys)) }
	press(kb.Tab)
	if got := active(); got != "a.skip-link" {
		t.Errorf("first Tab reaches %q, want the skip link", got)
	}
	for i := 0; !strings.HasPrefix(active(), "input#slot-"); i++ {
		if i > 40 {
			t.Fatalf("Tab never reached the times; stuck at %q", active())
		}
		press(kb.Tab)
	}
	if got := active(); got != "input#slot-0" {
		t.Errorf("Tab enters the times at %q, want the first", got)
	}
	press(kb.ArrowRight)
	if !evalIn[bool](tb, `document.getElementById("slot-1").checked`) {
		t.Error("the arrow key did not choose the next time")
	}
	if outline := evalIn[string](tb, `getComputedStyle(document.querySelector("label[for=slot-1]")).outlineStyle`); outline == "none" {
		t.Error("the focused time has no visible focus")
	}
	steps := []struct{ id, keys string }{{"name", "Kay Board"}, {"email", "kay@example.org"}, {"phone", ""}, {"note", ""}, {"consent", " "}}
	for _, s := range steps {
		press(kb.Tab)
		if got := active(); !strings.HasPrefix(got, "input#"+s.id) && !strings.HasPrefix(got, "textarea#"+s.id) {
			t.Fatalf("Tab reaches %q, want #%s", got, s.id)
		}
		if s.id == "name" {
			if outline := evalIn[string](tb, `getComputedStyle(document.activeElement).outlineStyle`); outline == "none" {
				t.Error("the focused field has no visible focus")
			}
		}
		if s.keys != "" {
			press(s.keys)
		}
	}
	press(kb.Tab)
	if got := active(); got != "a" || evalIn[string](tb, `document.activeElement.getAttribute("href")`) != "/privacy" {
		t.Fatalf("Tab reaches %q, want the privacy notice link in the consent hint", got)
	}
	press(kb.Tab)
	if got := active(); !strings.HasPrefix(got, "button") {
		t.Fatalf("Tab reaches %q, want the submit button (the hidden honeypot field must be skipped)", got)
	}
	tb.follow(chromedp.KeyEvent(kb.Enter))
	if h1 := tb.text("h1"); h1 != "Your consultation is booked" {
		t.Fatalf("h1 = %q", h1)
	}
	if site.count("confirmed") != 1 {
		t.Error("no booking stored")
	}
}

func testBrowserTakenSlot(t *testing.T, b *browser) {
	site := newTestSite(t)
	tb := b.tab(t, tabOptions{})
	tb.open(site.url + "/book?date=" + firstDay + "&tz=America/Los_Angeles")
	taken := radioValues(tb)[2]
	tb.must(chromedp.Click(chromedp.CSS(`label[for="slot-2"]`)))
	fillDetails(tb, "Grace Hopper")
	site.bookDirect(taken) // someone else books it meanwhile
	if status := tb.follow(chromedp.Click(chromedp.CSS(`form[data-slot-form] button[type=submit]`))); status != http.StatusConflict {
		t.Errorf("status %d, want 409", status)
	}
	tb.waitFor(`document.activeElement.hasAttribute("data-error-summary")`)
	if got := tb.text(".error-summary"); !strings.Contains(got, "That time has just been booked by someone else") {
		t.Errorf("summary reads %q", got)
	}
	if got := tb.text("[data-slots-legend]"); got != "The nearest free times" {
		t.Errorf("legend = %q", got)
	}
	values := radioValues(tb)
	if len(values) == 0 || slices.Contains(values, taken) {
		t.Errorf("alternatives %v", values)
	}
	if name, _ := chromedp.Run(tb.ctx, chromedp.Value(chromedp.ID("name"))); name != "Grace Hopper" {
		t.Errorf("name field holds %q", name)
	}
	// Choosing an alternative books it.
	tb.must(chromedp.Click(chromedp.CSS(`label[for="slot-0"]`)))
	tb.follow(chromedp.Click(chromedp.CSS(`form[data-slot-form] button[type=submit]`)))
	if h1 := tb.text("h1"); h1 != "Your consultation is booked" {
		t.Errorf("h1 = %q", h1)
	}
}

func testBrowserNoJS(t *testing.T, b *browser) {
	site := newTestSite(t)
	tb := b.tab(t, tabOptions{timeZone: "Asia/Tokyo", noScript: true})
	tb.open(site.url + "/book")
	// Without the script, the day link is a plain page load.
	tb.follow(chromedp.Click(chromedp.CSS(`a[data-date="2026-12-03"]`)))
	if got := tb.text("[data-slots-legend]"); got != "Free times on Thursday 3 December" {
		t.Fatalf("legend = %q", got)
	}
	tb.must(chromedp.Click(chromedp.CSS(`label[for="slot-0"]`)))
	fillDetails(tb, "Alan Turing")
	tb.follow(chromedp.Click(chromedp.CSS(`form[data-slot-form] button[type=submit]`)))
	if h1 := tb.text("h1"); h1 != "Your consultation is booked" {
		t.Fatalf("h1 = %q: %s", h1, tb.text("main"))
	}
	// No script ran to detect the zone, so times are the practice's.
	if when := tb.text(".panel-when"); !strings.Contains(when, "Los Angeles") {
		t.Errorf("confirmation shows %q", when)
	}
}

// testBrowserAudit checks every page with axe-core at 390 and 1280 pixels
// and saves a screenshot of each.
func testBrowserAudit(t *testing.T, b *browser) {
	site := newTestSite(t)
	slots := site.slotsOn(firstDay, "America/Los_Angeles")
	token := site.book(slots[0])
	cancelled := site.book(slots[3])
	if p := site.post("/manage/"+cancelled+"/cancel", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("cancel: %d", p.Status)
	}
	held, expired := site.book(slots[6]), site.book(slots[9])
	for tok, status := range map[string]string{held: "held", expired: "expired"} {
		if _, err := site.pool.Exec(t.Context(), `UPDATE bookings SET status = $2, hold_expires_at = $3 WHERE manage_token_hash = $1`,
			booking.HashToken(tok), status, testNow.Add(30*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	broken := newTestSite(t)
	broken.pool.Close()

	type visit struct {
		name, url string
		status    int64
		// submit, when set, is clicked after loading (and prepare run),
		// to audit the result.
		submit  string
		prepare func(tb *tab)
	}
	// refuse chooses a time the rules refuse (within the minimum notice),
	// as a page left open for hours would, and fills in the details.
	refuse := func(tb *tab) {
		tb.t.Helper()
		evalIn[bool](tb, `(function (r) { r.value = "2026-12-01T17:00:00Z"; r.checked = true; return true; })(document.getElementById("slot-0"))`)
		fillDetails(tb, "Ada Lovelace")
	}
	visits := []visit{
		{"home", site.url + "/", 200, "", nil},
		{"how-ketamine-works", site.url + "/how-ketamine-works", 200, "", nil},
		{"clinical-research", site.url + "/clinical-research", 200, "", nil},
		{"privacy", site.url + "/privacy", 200, "", nil},
		{"book", site.url + "/book", 200, "", nil},
		{"book-errors", site.url + "/book", 422, `form[data-slot-form] button[type=submit]`, nil},
		{"book-refused", site.url + "/book?date=" + firstDay + "&tz=America/Los_Angeles", 422, `form[data-slot-form] button[type=submit]`, refuse},
		{"book-link-refused", site.url + "/book?start=2026-12-01T17:00:00Z", 200, "", nil},
		{"confirmation", site.url + "/manage/" + token + "/confirmation", 200, "", nil},
		{"manage", site.url + "/manage/" + token, 200, "", nil},
		{"manage-rescheduled", site.url + "/manage/" + token + "?done=rescheduled", 200, "", nil},
		{"cancel", site.url + "/manage/" + token + "/cancel", 200, "", nil},
		{"manage-cancelled", site.url + "/manage/" + cancelled, 200, "", nil},
		{"manage-just-cancelled", site.url + "/manage/" + cancelled + "?done=cancelled", 200, "", nil},
		{"check-email", site.url + "/book/check-email", 200, "", nil},
		{"hold", site.url + "/manage/" + held, 200, "", nil},
		{"hold-expired", site.url + "/manage/" + expired, 200, "", nil},
		{"not-found", site.url + "/manage/AAAAAAAAAAAAAAAAAAAAAA", 404, "", nil},
		{"server-error", broken.url + "/book", 500, "", nil},
	}
	for _, width := range []int64{390, 1280} {
		tb := b.tab(t, tabOptions{width: width})
		if width == 390 {
			// The audit can fail: a page without a title, language or
			// image text has violations.
			tb.open(`data:text/html,<img src="data:,">`)
			if v := tb.axe(b); len(v) < 2 {
				t.Fatalf("axe found %d violations on a broken page", len(v))
			}
		}
		for _, v := range visits {
			name := fmt.Sprintf("%s-%d", v.name, width)
			status := tb.open(v.url)
			if v.prepare != nil {
				v.prepare(tb)
			}
			if v.submit != "" {
				status = tb.follow(chromedp.Click(chromedp.CSS(v.submit)))
			}
			if status != v.status {
				t.Errorf("%s: status %d, want %d", name, status, v.status)
			}
			for _, av := range tb.axe(b) {
				t.Errorf("%s: axe %s (%s): %s\n  %s", name, av.ID, av.Impact, av.Help, strings.Join(av.Nodes, "\n  "))
			}
			if p := tb.problems(); len(p) > 0 {
				t.Errorf("%s: %v", name, p)
			}
			if overflow := evalIn[bool](tb, `document.documentElement.scrollWidth > window.innerWidth`); overflow {
				t.Errorf("%s: the page scrolls sideways", name)
			}
			tb.screenshot(b, name)
		}
		if foreign, _ := tb.foreignRequests(site.url); len(foreign) > 0 {
			for _, u := range foreign {
				if !strings.HasPrefix(u, broken.url+"/") {
					t.Errorf("request to another server: %s", u)
				}
			}
		}
	}
	t.Logf("screenshots in %s", b.shots)
}
