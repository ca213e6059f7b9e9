package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"consult/api"
)

// TestAdminBookPagesRefuseKindly sends the booking, move, cancel and
// restore forms bad input: each answer is the form again with a message
// at the field, never an error page, and nothing changes.
func TestAdminBookPagesRefuseKindly(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	b := a.mustSignIn()
	bk := a.bookAs(time.Date(2026, 12, 3, 9, 0, 0, 0, adminLA), "Ana Client", "ana@example.net", "")
	taken := a.bookAs(time.Date(2026, 12, 3, 11, 0, 0, 0, adminLA), "Bo Client", "bo@example.net", "")

	form := func(date, clock string, more ...string) url.Values {
		v := url.Values{"date": {date}, "time": {clock}}
		for i := 0; i+1 < len(more); i += 2 {
			v.Set(more[i], more[i+1])
		}
		return v
	}
	for _, c := range []struct {
		name, path string
		form       url.Values
		want       []string
	}{
		{"nothing filled in", "/admin/bookings/new", url.Values{},
			[]string{"Choose a date.", "Enter the client&#39;s name.", "Enter the client&#39;s email address"}},
		{"a bad email and phone", "/admin/bookings/new", form("2026-12-02", "09:00", "name", "Cy", "email", "cy@", "phone", "ring me"),
			[]string{"Enter an email address like name@example.com.", "Enter a phone number using digits"}},
		{"no time", "/admin/bookings/new", form("2026-12-02", "", "name", "Cy", "email", "cy@example.net"),
			[]string{"Choose a time, such as 09:00."}},
		{"a taken time", "/admin/bookings/new", form("2026-12-03", "11:00", "name", "Cy", "email", "cy@example.net", "override_rules", "1"),
			[]string{"Another consultation is booked at that time."}},
		{"outside the hours", "/admin/bookings/new", form("2026-12-02", "18:00", "name", "Cy", "email", "cy@example.net"),
			[]string{"This time is outside your usual rules: it is outside your hours that day.", `name="override_rules"`}},
		{"in the past", "/admin/bookings/new", form("2026-11-30", "10:00", "name", "Cy", "email", "cy@example.net", "override_rules", "1"),
			[]string{"That time has already passed."}},
		{"in the hour the clocks skip", "/admin/bookings/new", form("2027-03-14", "02:30", "name", "Cy", "email", "cy@example.net", "override_rules", "1"),
			[]string{"The clocks go forward then"}},
		{"moved onto another booking", fmt.Sprintf("/admin/bookings/%d/move", bk.ID), form("2026-12-03", "11:00"),
			[]string{"Another consultation is booked at that time."}},
		{"moved to its own time", fmt.Sprintf("/admin/bookings/%d/move", bk.ID), form("2026-12-03", "09:00"),
			[]string{"The consultation is already at that time."}},
		{"moved within the notice", fmt.Sprintf("/admin/bookings/%d/move", bk.ID), form("2026-12-01", "15:00"),
			[]string{"This time is outside your usual rules: it is within your minimum notice of 12 hours.", `name="override_rules"`}},
		{"a cancel message with a control character", fmt.Sprintf("/admin/bookings/%d/cancel/preview", bk.ID), url.Values{"message": {"Sorry\x00"}},
			[]string{"Write the message with ordinary characters only."}},
	} {
		before := a.state()
		p := b.post(c.path, c.form)
		if p.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422\n%s", c.name, p.Status, p.Body)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(p.Body, w) {
				t.Errorf("%s: the page lacks %q\n%s", c.name, w, p.Body)
			}
		}
		if a.state() != before {
			t.Errorf("%s changed data", c.name)
		}
	}
	// With the box ticked the time outside the rules is booked.
	p := b.post("/admin/bookings/new", form("2026-12-02", "18:00", "name", "Cy", "email", "cy@example.net", "override_rules", "1"))
	wantAdminRedirect(t, p, "/admin/bookings/")
	if got := b.get(p.Header.Get("Location")); !strings.Contains(got.Body, "Wed 2 Dec 2026, 18:00–18:20") {
		t.Errorf("the booking made outside the hours:\n%s", got.Body)
	}
	for _, path := range []string{"/admin/bookings/999999/move", "/admin/bookings/999999/cancel"} {
		if p := b.get(path); p.Status != http.StatusNotFound {
			t.Errorf("%s: %d", path, p.Status)
		}
	}
	if p := b.get("/admin/bookings/new?date=someday&time=9"); p.Status != http.StatusOK || !strings.Contains(p.Body, "Open times on Tue 1 Dec 2026") {
		t.Errorf("a bad date in the link: %d\n%s", p.Status, p.Body)
	}

	// The move page's open times are those the booking could move to: its
	// neighbours within the buffer, not its own time.
	move := b.get(fmt.Sprintf("/admin/bookings/%d/move", bk.ID))
	if !strings.Contains(move.Body, "date=2026-12-03&amp;time=09%3A20") || strings.Contains(move.Body, "time=09%3A00") {
		t.Errorf("the move page's open times:\n%s", move.Body)
	}
	if book := b.get("/admin/bookings/new?date=2026-12-03"); strings.Contains(book.Body, "time=09%3A20") {
		t.Error("the booking page offers a time within the buffer of a booking")
	}

	// Booking the same client again starts from their details, the link
	// naming only the booking.
	again := b.get(fmt.Sprintf("/admin/bookings/new?client=%d&date=2026-12-04", bk.ID))
	if again.Status != http.StatusOK || !strings.Contains(again.Body, `value="Ana Client"`) || !strings.Contains(again.Body, `value="ana@example.net"`) ||
		!strings.Contains(again.Body, fmt.Sprintf(`href="/admin/bookings/new?client=%d&amp;date=2026-12-04&amp;time=09%%3A00"`, bk.ID)) {
		t.Errorf("book the client again: %d\n%s", again.Status, again.Body)
	}
	if p := b.get("/admin/bookings/new?client=999999"); p.Status != http.StatusNotFound {
		t.Errorf("book again the client of no booking: %d", p.Status)
	}

	// The two steps of a cancellation: nothing changes on the first.
	before := a.state()
	p = b.post(fmt.Sprintf("/admin/bookings/%d/cancel/preview", taken.ID), url.Values{"message": {"Sorry, Bo."}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Sorry, Bo.") || !strings.Contains(p.Body, "has been cancelled") ||
		!strings.Contains(p.Body, `<input type="hidden" name="message" value="Sorry, Bo.">`) || a.state() != before {
		t.Fatalf("the cancellation's confirmation: %d\n%s", p.Status, p.Body)
	}
	wantAdminRedirect(t, b.post(fmt.Sprintf("/admin/bookings/%d/cancel", taken.ID), url.Values{"message": {"Sorry, Bo."}}), "/admin/bookings/")
	if p := b.get(fmt.Sprintf("/admin/bookings/%d", taken.ID)); !strings.Contains(p.Body, "Sorry, Bo.") || !strings.Contains(p.Body, "Restore this booking") {
		t.Errorf("the cancelled booking:\n%s", p.Body)
	}
	// Its time taken meanwhile, the restore says so at the form.
	a.bookAs(time.Date(2026, 12, 3, 11, 0, 0, 0, adminLA), "Di Quick", "di@example.net", "")
	p = b.post(fmt.Sprintf("/admin/bookings/%d/restore", taken.ID), nil)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Another consultation has been booked at that time since") {
		t.Errorf("restore over a new booking: %d\n%s", p.Status, p.Body)
	}
	// A day later the offer is gone, and a restore is refused.
	a.clock.Set(testNow.Add(25 * time.Hour))
	b = a.mustSignIn() // the session ended meanwhile
	if p := b.get(fmt.Sprintf("/admin/bookings/%d", taken.ID)); strings.Contains(p.Body, "Restore this booking") {
		t.Error("restore offered more than 24 hours after the cancellation")
	}
	if p := b.post(fmt.Sprintf("/admin/bookings/%d/restore", taken.ID), nil); p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.Body, "only in the 24 hours after it") {
		t.Errorf("restore a day late: %d\n%s", p.Status, p.Body)
	}
	// A cancelled booking cannot be moved or cancelled again.
	for _, step := range []string{"cancel", "move"} {
		if p := b.get(fmt.Sprintf("/admin/bookings/%d/%s", taken.ID, step)); p.Status != http.StatusSeeOther {
			t.Errorf("%s page of a cancelled booking: %d", step, p.Status)
		}
	}
	if p := b.post(fmt.Sprintf("/admin/bookings/%d/move", taken.ID), form("2026-12-04", "09:00")); p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.Body, "Only a confirmed booking can be moved.") {
		t.Errorf("moving a cancelled booking: %d\n%s", p.Status, p.Body)
	}
}
