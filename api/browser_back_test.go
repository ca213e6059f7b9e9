package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserBackAfterBooking presses Back on the confirmation page, as a
// client who wants to check something might: the booking form comes back
// fresh, with no time chosen and nothing of theirs filled in, so one
// click cannot book again; and never as "Confirm form resubmission",
// even when the form had come back with errors before it was sent.
// Without JavaScript the browser alone decides what Back shows (often the
// page as it was left); sending that again still books only once.
func TestBrowserBackAfterBooking(t *testing.T) {
	b := needBrowser(t)
	t.Run("with JavaScript", func(t *testing.T) { testBrowserBackAfterBooking(t, b, false) })
	t.Run("after the form came back with errors", func(t *testing.T) { testBrowserBackAfterBooking(t, b, true) })
	t.Run("without JavaScript", func(t *testing.T) { testBrowserBackAfterBookingNoJS(t, b) })
}

func testBrowserBackAfterBooking(t *testing.T, b *browser, withError bool) {
	site := newTestSite(t)
	tb := b.tab(t, tabOptions{})
	tb.open(site.url + "/book?date=" + firstDay + "&tz=America/Los_Angeles")
	submit := chromedp.Click(chromedp.CSS(`form[data-slot-form] button[type=submit]`))
	if withError {
		// Sent without the email address and consent: the form comes
		// back with errors and the rest kept.
		tb.must(chromedp.Click(chromedp.CSS(`label[for="slot-1"]`)), chromedp.SendKeys(chromedp.ID("name"), "Ada Lovelace"))
		if status := tb.follow(submit); status != http.StatusUnprocessableEntity {
			t.Fatalf("incomplete form: status %d", status)
		}
		tb.must(chromedp.SendKeys(chromedp.ID("email"), "client@example.org"), chromedp.Click(chromedp.ID("consent")))
	} else {
		tb.must(chromedp.Click(chromedp.CSS(`label[for="slot-1"]`)))
		fillDetails(tb, "Ada Lovelace")
	}
	sentKey := evalIn[string](tb, `document.querySelector("input[name=key]").value`)
	if status := tb.follow(submit); status != http.StatusOK {
		t.Fatalf("confirmation: status %d: %s", status, tb.text("main"))
	}
	if h1 := tb.text("h1"); h1 != "Your consultation is booked" {
		t.Fatalf("h1 = %q", h1)
	}

	tb.back()
	// Read by script: after the back/forward cache, chromedp's view of
	// the page's nodes is stale.
	if u := evalIn[string](tb, `location.href`); !strings.HasPrefix(u, site.url+"/book") {
		t.Fatalf("Back from the confirmation shows %s: %s", u, evalIn[string](tb, `document.body.innerText`))
	}
	if h1 := evalIn[string](tb, `document.querySelector("h1").textContent`); h1 != "Book a free consultation" {
		t.Fatalf("Back from the confirmation: h1 = %q", h1)
	}
	if evalIn[bool](tb, `!!document.querySelector("[data-error-summary]")`) {
		t.Error("Back from the confirmation shows the old errors")
	}
	if checked := evalIn[[]string](tb, `Array.from(document.querySelectorAll("input[name=start]:checked"), function (i) { return i.value; })`); len(checked) > 0 {
		t.Errorf("Back from the confirmation: time %v chosen", checked)
	}
	if evalIn[bool](tb, `document.getElementById("consent").checked`) {
		t.Error("Back from the confirmation: consent ticked")
	}
	filled := evalIn[map[string]string](tb, `({name: document.getElementById("name").value, email: document.getElementById("email").value})`)
	if filled["name"] != "" || filled["email"] != "" {
		t.Errorf("Back from the confirmation: fields refilled %v", filled)
	}
	if key := evalIn[string](tb, `document.querySelector("input[name=key]").value`); key == sentKey || len(key) < 16 {
		t.Errorf("the form came back with the key %q it was sent with (%q)", key, sentKey)
	}
	// Sending it as it stands books nothing.
	if status := tb.follow(submit); status != http.StatusUnprocessableEntity {
		t.Errorf("sending the form again as it came back: status %d", status)
	}
	if n := site.count(""); n != 1 {
		t.Errorf("%d bookings, want 1", n)
	}
}

func testBrowserBackAfterBookingNoJS(t *testing.T, b *browser) {
	site := newTestSite(t)
	tb := b.tab(t, tabOptions{noScript: true})
	tb.open(site.url + "/book?date=" + firstDay + "&tz=America/Los_Angeles")
	tb.must(chromedp.Click(chromedp.CSS(`label[for="slot-1"]`)))
	fillDetails(tb, "Ada Lovelace")
	submit := chromedp.Click(chromedp.CSS(`form[data-slot-form] button[type=submit]`))
	tb.follow(submit)
	first := evalIn[string](tb, `location.href`)
	tb.back()
	if h1 := evalIn[string](tb, `document.querySelector("h1").textContent`); h1 != "Book a free consultation" {
		t.Fatalf("Back from the confirmation: h1 = %q", h1)
	}
	// Whatever the browser shows, sending it books nothing new: the page
	// as it was left leads to the booking made.
	tb.leave(`document.querySelector("form[data-slot-form] button[type=submit]").click()`)
	if n := site.count(""); n != 1 {
		t.Errorf("%d bookings after sending the form Back showed, want 1", n)
	}
	if u := evalIn[string](tb, `location.href`); strings.Contains(u, "/manage/") && u != first {
		t.Errorf("sending again led to %s, not to the booking made (%s)", u, first)
	}
}

// back goes back in the tab's history as the Back button does, and waits
// for the page shown: loaded again, or kept by the browser (whose back/
// forward cache fires no load event).
func (tb *tab) back() {
	tb.t.Helper()
	tb.leave(`history.back()`)
}

// leave runs script, which makes the tab leave its page, and waits for
// the next page; chromedp's own waits miss a page the back/forward cache
// shows, and its view of such a page's nodes is stale.
func (tb *tab) leave(script string) {
	tb.t.Helper()
	from := evalIn[string](tb, `location.href`)
	evalIn[bool](tb, `(function () { `+script+`; return true; })()`)
	cond := `location.href !== ` + strconv.Quote(from) + ` && document.readyState === "complete"`
	for deadline := time.Now().Add(10 * time.Second); ; {
		// Evaluating fails while the old page gives way to the new.
		if done, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](cond)); err == nil && done {
			break
		}
		if time.Now().After(deadline) {
			tb.t.Fatalf("Back from %s: no page shown", from)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The script runs on pageshow: give it a moment.
	time.Sleep(200 * time.Millisecond)
}
