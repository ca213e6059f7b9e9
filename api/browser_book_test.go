package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// signIn signs the tab in as the test practitioner.
func (tb *tab) signIn(base string) {
	tb.t.Helper()
	tb.open(base + "/admin/sign-in")
	tb.must(
		chromedp.SendKeys(chromedp.ID("email"), adminEmail),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
	)
	tb.follow(chromedp.Click(chromedp.CSS(`form[action="/admin/sign-in"] button`)))
	tb.waitFor(`document.querySelector("nav.admin-nav") !== null`)
}

// audit checks the tab's page with axe-core, for sideways scrolling and
// script errors, and saves its screenshot.
func (tb *tab) audit(b *browser, name string) {
	tb.t.Helper()
	for _, av := range tb.axe(b) {
		tb.t.Errorf("%s: axe %s (%s): %s\n  %s", name, av.ID, av.Impact, av.Help, strings.Join(av.Nodes, "\n  "))
	}
	if overflow := evalIn[bool](tb, `document.documentElement.scrollWidth > window.innerWidth`); overflow {
		tb.t.Errorf("%s: the page scrolls sideways (%d px)", name, evalIn[int](tb, `document.documentElement.scrollWidth`))
	}
	if p := tb.problems(); len(p) > 0 {
		tb.t.Errorf("%s: %v", name, p)
	}
	tb.screenshot(b, name)
}

// TestBrowserPractitionerBookings is the practitioner, in a real browser,
// booking a client who phoned (once at an open time, once outside the
// rules), moving a booking, cancelling it after seeing the email, and
// restoring it; each change shows in /api/v1/slots and in the client's
// inbox on a real SMTP server. Each new page passes axe-core at 390 and
// 1280 pixels.
func TestBrowserPractitionerBookings(t *testing.T) {
	b := needBrowser(t)
	a := newAdminMailTest(t)
	// A tab is given 45 seconds, so each part of the story has its own;
	// the tabs share the browser's cookies, and so the session.
	tb := b.tab(t, tabOptions{width: 1280})
	tb.signIn(a.url)
	bodyText := func() string { return tb.text("main") }

	// A client who phoned, booked at one of the open times.
	tb.open(a.url + "/admin/bookings")
	tb.follow(chromedp.Click(chromedp.CSS(`a[href="/admin/bookings/new"]`)))
	if text := bodyText(); !strings.Contains(text, "Open times on Wed 2 Dec 2026") || !strings.Contains(text, "09:00") {
		t.Fatalf("book a client: %s", text)
	}
	tb.audit(b, "admin-book-1280")
	tb.follow(chromedp.Click(chromedp.CSS(`ul.time-list a[href*="time=09%3A00"]`)))
	if got := evalIn[string](tb, `document.getElementById("time").value`); got != "09:00" {
		t.Fatalf("choosing 09:00 filled in %q", got)
	}
	tb.must(
		chromedp.SendKeys(chromedp.ID("name"), "Pat Phoned"),
		chromedp.SendKeys(chromedp.ID("email"), "pat@example.net"),
		chromedp.SendKeys(chromedp.ID("phone"), "+1 555 0100"),
	)
	tb.follow(chromedp.Click(chromedp.CSS(`form.book-form button[type=submit]`)))
	if text := bodyText(); !strings.Contains(text, "Booked. The client will get the confirmation") || !strings.Contains(text, "Pat Phoned") {
		t.Fatalf("after booking: %s", text)
	}
	if slices.Contains(a.localSlots("2026-12-02"), "09:00") {
		t.Error("/api/v1/slots still offers 09:00 on 2 Dec")
	}
	conf := oneMail(t, a.deliver("pat@example.net"), "is confirmed")
	if inv := readInvite(t, conf); inv.Method != "REQUEST" || !inv.Start.Equal(time.Date(2026, 12, 2, 9, 0, 0, 0, adminLA)) {
		t.Errorf("Pat's invitation: %+v", inv)
	}

	// On a Saturday: the rule is named and the box must be ticked.
	tb.open(a.url + "/admin/bookings/new?date=2026-12-05")
	if text := bodyText(); !strings.Contains(text, "No open times that day") {
		t.Fatalf("Saturday: %s", text)
	}
	tb.must(
		chromedp.SendKeys(chromedp.ID("name"), "Sam Saturday"),
		chromedp.SendKeys(chromedp.ID("email"), "sam@example.net"),
		chromedp.SetValue(chromedp.ID("time"), "10:00"),
	)
	if st := tb.follow(chromedp.Click(chromedp.CSS(`form.book-form button[type=submit]`))); st != 422 {
		t.Fatalf("outside the rules: status %d", st)
	}
	if text := bodyText(); !strings.Contains(text, "This time is outside your usual rules: you are closed that day.") {
		t.Fatalf("outside the rules: %s", text)
	}
	tb.audit(b, "admin-book-outside-rules-1280")
	if got := evalIn[string](tb, `document.getElementById("name").value + "|" + document.getElementById("date").value`); got != "Sam Saturday|2026-12-05" {
		t.Errorf("the form kept %q", got)
	}
	tb.must(chromedp.Click(chromedp.ID("override_rules")))
	tb.follow(chromedp.Click(chromedp.CSS(`form.book-form button[type=submit]`)))
	if text := bodyText(); !strings.Contains(text, "Booked.") || !strings.Contains(text, "Sat 5 Dec 2026, 10:00") {
		t.Fatalf("after the override: %s", text)
	}
	oneMail(t, a.deliver("sam@example.net"), "is confirmed")

	// A client who booked themselves asks to move.
	tb = b.tab(t, tabOptions{width: 1280})
	nine := time.Date(2026, 12, 3, 9, 0, 0, 0, adminLA)
	bk := a.bookAs(nine, "Ana Client", "ana@example.net", "")
	first := readInvite(t, oneMail(t, a.deliver("ana@example.net"), "is confirmed"))
	detail := fmt.Sprintf("%s/admin/bookings/%d", a.url, bk.ID)
	tb.open(detail)
	tb.audit(b, "admin-booking-upcoming-1280")
	tb.follow(chromedp.Click(chromedp.CSS(`a[href$="/move"]`)))
	if text := bodyText(); !strings.Contains(text, "Now: Thu 3 Dec 2026, 09:00–09:20") || !strings.Contains(text, "Open times on Thu 3 Dec 2026") {
		t.Fatalf("move: %s", text)
	}
	tb.audit(b, "admin-move-1280")
	tb.follow(chromedp.Click(chromedp.CSS(`ul.time-list a[href*="time=10%3A00"]`)))
	tb.follow(chromedp.Click(chromedp.CSS(`form.book-form button[type=submit]`)))
	if text := bodyText(); !strings.Contains(text, "Moved.") || !strings.Contains(text, "Thu 3 Dec 2026, 10:00–10:20") {
		t.Fatalf("after the move: %s", text)
	}
	if slots := a.localSlots("2026-12-03"); slices.Contains(slots, "10:00") || !slices.Contains(slots, "09:00") {
		t.Errorf("slots after the move: %q", slots)
	}
	moved := readInvite(t, oneMail(t, a.deliver("ana@example.net"), "has been moved"))
	if moved.UID != first.UID || moved.Sequence <= first.Sequence || !moved.Start.Equal(nine.Add(time.Hour)) {
		t.Errorf("moved invitation %+v after %+v", moved, first)
	}

	// Cancel, seeing the email first.
	tb.open(detail)
	tb.must(chromedp.SendKeys(chromedp.ID("message"), "I am unwell, sorry. Please book again next week."))
	tb.follow(chromedp.Click(chromedp.CSS(`#cancel-form button`)))
	if text := bodyText(); !strings.Contains(text, "consultation with Harbour Practice has been cancelled") ||
		!strings.Contains(text, "I am unwell, sorry. Please book again next week.") || !strings.Contains(text, "Nothing is cancelled until") {
		t.Fatalf("the cancellation's confirmation: %s", text)
	}
	tb.audit(b, "admin-cancel-1280")
	if slots := a.localSlots("2026-12-03"); slices.Contains(slots, "10:00") {
		t.Error("the confirmation page cancelled already")
	}
	tb.follow(chromedp.Click(chromedp.CSS(fmt.Sprintf(`form[action="/admin/bookings/%d/cancel"] button`, bk.ID))))
	if text := bodyText(); !strings.Contains(text, "Cancelled") || !strings.Contains(text, "Your message to the client") ||
		!strings.Contains(text, "I am unwell, sorry.") || !strings.Contains(text, "Restore this booking") {
		t.Fatalf("after cancelling: %s", text)
	}
	tb.audit(b, "admin-booking-cancelled-1280")
	if !slices.Contains(a.localSlots("2026-12-03"), "10:00") {
		t.Error("/api/v1/slots does not offer the cancelled time")
	}
	cancelled := oneMail(t, a.deliver("ana@example.net"), "has been cancelled")
	if !strings.Contains(cancelled.Text, "I am unwell, sorry. Please book again next week.") {
		t.Errorf("the cancellation email lacks the message:\n%s", cancelled.Text)
	}

	// Restore it.
	tb = b.tab(t, tabOptions{width: 1280})
	tb.open(detail)
	tb.follow(chromedp.Click(chromedp.CSS(fmt.Sprintf(`form[action="/admin/bookings/%d/restore"] button`, bk.ID))))
	if text := bodyText(); !strings.Contains(text, "Restored.") || !strings.Contains(text, "Confirmed") {
		t.Fatalf("after restoring: %s", text)
	}
	if slices.Contains(a.localSlots("2026-12-03"), "10:00") {
		t.Error("/api/v1/slots offers the restored time")
	}
	back := readInvite(t, oneMail(t, a.deliver("ana@example.net"), "is back on"))
	if back.UID != first.UID || back.Status != "CONFIRMED" || back.Sequence <= readInvite(t, cancelled).Sequence {
		t.Errorf("restored invitation %+v", back)
	}

	// The same pages on a phone.
	phone := b.tab(t, tabOptions{width: 390})
	for _, p := range []struct{ name, path string }{
		{"admin-book", "/admin/bookings/new"},
		{"admin-move", fmt.Sprintf("/admin/bookings/%d/move", bk.ID)},
		{"admin-cancel", fmt.Sprintf("/admin/bookings/%d/cancel", bk.ID)},
		{"admin-booking-upcoming", fmt.Sprintf("/admin/bookings/%d", bk.ID)},
	} {
		if st := phone.open(a.url + p.path); st != 200 {
			t.Errorf("%s: %d", p.path, st)
		}
		phone.audit(b, p.name+"-390")
	}
	phone.open(a.url + "/admin/bookings/new?date=2026-12-05")
	phone.must(
		chromedp.SendKeys(chromedp.ID("name"), "Sam Saturday"),
		chromedp.SendKeys(chromedp.ID("email"), "sam2@example.net"),
		chromedp.SetValue(chromedp.ID("time"), "11:00"),
	)
	phone.follow(chromedp.Click(chromedp.CSS(`form.book-form button[type=submit]`)))
	phone.audit(b, "admin-book-outside-rules-390")
	phone = b.tab(t, tabOptions{width: 390})
	phone.open(a.url + fmt.Sprintf("/admin/bookings/%d/cancel", bk.ID))
	phone.follow(chromedp.Click(chromedp.CSS(fmt.Sprintf(`form[action="/admin/bookings/%d/cancel"] button`, bk.ID))))
	phone.audit(b, "admin-booking-cancelled-390")
}
