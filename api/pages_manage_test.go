package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"consult/booking"
)

// bookingRow is what a manage page could change about a booking.
type bookingRow struct {
	Status    string
	Start     time.Time
	Sequence  int
	UpdatedAt time.Time
}

func (s *testSite) row(token string) bookingRow {
	s.t.Helper()
	b, err := s.svc.ByToken(context.Background(), token)
	if err != nil {
		s.t.Fatal(err)
	}
	return bookingRow{string(b.Status), b.Start.UTC(), b.Sequence, b.UpdatedAt.UTC()}
}

func TestManageGETsChangeNothing(t *testing.T) {
	site := newTestSite(t)
	slots := site.slotsOn(firstDay, "America/Los_Angeles")
	token := site.book(slots[0])
	before := site.row(token)
	// What an email link scanner might fetch, including the form targets.
	for _, path := range []string{"", "/confirmation", "/cancel", "/consultation.ics", "/reschedule", "?date=2026-12-03&tz=Asia/Tokyo",
		"/cancel?confirm=yes"} {
		p := site.get("/manage/" + token + path)
		if p.Status >= 500 {
			t.Errorf("GET %s: %d", path, p.Status)
		}
	}
	if after := site.row(token); after != before {
		t.Errorf("GETs changed the booking: %+v → %+v", before, after)
	}
}

func TestManagePage(t *testing.T) {
	site := newTestSite(t)
	slots := site.slotsOn(firstDay, "America/Los_Angeles")
	token := site.book(slots[0])
	p := site.get("/manage/" + token)
	if p.Status != http.StatusOK {
		t.Fatalf("status %d", p.Status)
	}
	checkPageBasics(t, p)
	for _, want := range []string{"Your consultation", "Wednesday 2 December 2026", "9:00\u00a0AM to 9:20\u00a0AM", "Confirmed",
		`action="/manage/` + token + `/reschedule"`, `href="/manage/` + token + `/cancel"`,
		`href="/manage/` + token + `/consultation.ics"`, `name="start"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("manage page lacks %q", want)
		}
	}
	// The booking's own time is not offered as a new time.
	if strings.Contains(p.Body, `value="`+slots[0]+`"`) {
		t.Error("the current time is offered for rescheduling")
	}
	for k, want := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"} {
		if got := p.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestUnknownManageTokenRevealsNothing(t *testing.T) {
	site := newTestSite(t)
	site.book(site.slotsOn(firstDay, "America/Los_Angeles")[0])
	generic := site.get("/no-such-page")
	for _, path := range []string{
		"/manage/AAAAAAAAAAAAAAAAAAAAAA", // well-formed, unknown
		"/manage/not-a-token",
		"/manage/AAAAAAAAAAAAAAAAAAAAAA/confirmation",
		"/manage/AAAAAAAAAAAAAAAAAAAAAA/consultation.ics",
		"/manage/AAAAAAAAAAAAAAAAAAAAAA/cancel",
	} {
		p := site.get(path)
		if p.Status != http.StatusNotFound {
			t.Errorf("%s: status %d", path, p.Status)
		}
		if p.Body != generic.Body {
			t.Errorf("%s: the 404 page differs from any other 404 page", path)
		}
		if p.Header.Get("Cache-Control") != "no-store" || p.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", path, p.Header)
		}
	}
	for _, path := range []string{"/manage/AAAAAAAAAAAAAAAAAAAAAA/cancel", "/manage/AAAAAAAAAAAAAAAAAAAAAA/reschedule"} {
		if p := site.post(path, url.Values{"start": {"2026-12-02T17:00:00Z"}}); p.Status != http.StatusNotFound || p.Body != generic.Body {
			t.Errorf("POST %s: %d", path, p.Status)
		}
	}
}

func TestCancelFromTheManagePage(t *testing.T) {
	site := newTestSite(t)
	slots := site.slotsOn(firstDay, "America/Los_Angeles")
	token := site.book(slots[0])

	confirm := site.get("/manage/" + token + "/cancel")
	if confirm.Status != http.StatusOK || !strings.Contains(confirm.Body, `<form method="post" action="/manage/`+token+`/cancel"`) {
		t.Fatalf("cancel page: %d", confirm.Status)
	}
	checkPageBasics(t, confirm)
	// A link asking for the message before the booking is cancelled
	// shows none.
	if m := site.get("/manage/" + token + "?done=cancelled"); strings.Contains(m.Body, "notice-success") {
		t.Error("a confirmed booking is said to be cancelled")
	}
	p := site.post("/manage/"+token+"/cancel", nil)
	if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/manage/"+token+"?done=cancelled" {
		t.Fatalf("POST cancel: %d %q", p.Status, p.Header.Get("Location"))
	}
	if site.count("cancelled") != 1 {
		t.Fatal("the booking is not cancelled")
	}
	m := site.get(p.Header.Get("Location"))
	if !strings.Contains(m.Body, "<dd>Cancelled</dd>") || strings.Contains(m.Body, `/reschedule"`) {
		t.Error("the manage page does not show the cancellation, or still offers changes")
	}
	if !strings.Contains(m.Body, `<div class="notice notice-success" role="status" data-done>`+"\n<h2>Your consultation is cancelled</h2>") {
		t.Error("no success message after cancelling")
	}
	if plain := site.get("/manage/" + token); strings.Contains(plain.Body, "notice-success") || !strings.Contains(plain.Body, "This consultation has been cancelled") {
		t.Error("the manage page opened later repeats the success message, or does not say the booking is cancelled")
	}
	// Cancelling twice is harmless and says the same; the confirmation
	// page now leads to the manage page.
	if p := site.post("/manage/"+token+"/cancel", nil); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/manage/"+token+"?done=cancelled" {
		t.Errorf("second cancel: %d %q", p.Status, p.Header.Get("Location"))
	}
	if p := site.get("/manage/" + token + "/confirmation"); p.Status != http.StatusSeeOther {
		t.Errorf("confirmation of a cancelled booking: %d", p.Status)
	}
	if got := site.slotsOn(firstDay, "America/Los_Angeles"); len(got) == 0 || got[0] != slots[0] {
		t.Error("the cancelled time is not free again")
	}
}

func TestRescheduleFromTheManagePage(t *testing.T) {
	site := newTestSite(t)
	slots := site.slotsOn(firstDay, "America/Los_Angeles")
	token := site.book(slots[0])
	p := site.post("/manage/"+token+"/reschedule", url.Values{"start": {slots[3]}, "tz": {"America/Los_Angeles"}, "date": {firstDay}})
	if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/manage/"+token+"?done=rescheduled" {
		t.Fatalf("POST reschedule: %d %q\n%s", p.Status, p.Header.Get("Location"), p.Body)
	}
	if got := site.row(token).Start.Format(time.RFC3339); got != slots[3] {
		t.Errorf("start = %s, want %s", got, slots[3])
	}
	// The same form sent twice moves the booking once and succeeds twice.
	p = site.post("/manage/"+token+"/reschedule", url.Values{"start": {slots[3]}, "tz": {"America/Los_Angeles"}, "date": {firstDay}})
	if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/manage/"+token+"?done=rescheduled" {
		t.Errorf("repeated reschedule: %d %q", p.Status, p.Header.Get("Location"))
	}
	m := site.get("/manage/" + token + "?done=rescheduled")
	if !strings.Contains(m.Body, "Your consultation has been moved") {
		t.Error("no success message")
	}
	// The old time is free again; the new one is not offered.
	free := strings.Join(site.slotsOn(firstDay, "America/Los_Angeles"), " ")
	if !strings.Contains(free, slots[0]) || strings.Contains(free, slots[3]) {
		t.Errorf("free slots after reschedule: %s", free)
	}

	// A time taken meanwhile is explained, with the nearest free times.
	site.bookDirect(slots[5])
	p = site.post("/manage/"+token+"/reschedule", url.Values{"start": {slots[5]}, "tz": {"America/Los_Angeles"}, "date": {firstDay}})
	if p.Status != http.StatusConflict || !strings.Contains(p.Body, "just been booked by someone else") ||
		!strings.Contains(p.Body, "The nearest free times") || !strings.Contains(p.Body, `class="error-summary"`) {
		t.Errorf("taken time: %d", p.Status)
	}
	// No time chosen.
	p = site.post("/manage/"+token+"/reschedule", url.Values{"tz": {"America/Los_Angeles"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Choose a new time.") {
		t.Errorf("no time: %d", p.Status)
	}
	if got := site.row(token).Start.Format(time.RFC3339); got != slots[3] {
		t.Errorf("failed reschedules moved the booking to %s", got)
	}
}

func TestRefusedTimesAreExplainedOnTheManagePage(t *testing.T) {
	site := newTestSite(t)
	token := site.book("2026-12-02T17:00:00Z")
	for _, tc := range refusedTimes {
		if tc.kind == booking.RefusedTaken {
			site.bookDirect(tc.start)
		}
		p := site.post("/manage/"+token+"/reschedule", url.Values{"start": {tc.start}, "tz": {"America/Los_Angeles"}, "date": {firstDay}})
		if p.Status != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.kind, tc.start, p.Status, tc.status)
		}
		checkRefusalShown(t, p, tc.kind, tc.message)
		if got := site.row(token).Start.Format(time.RFC3339); got != "2026-12-02T17:00:00Z" {
			t.Fatalf("%s: the booking moved to %s", tc.kind, got)
		}
	}
}

// TestManagePageOpensOnTheBookingsWeek expects the reschedule picker to
// start from the booking's day, after a move too, not from today.
func TestManagePageOpensOnTheBookingsWeek(t *testing.T) {
	site := newTestSite(t)
	token := site.book(site.slotsOn(firstDay, "America/Los_Angeles")[0])
	// Thursday 10 December, 10:00 AM in Los Angeles, the week after next.
	const later = "2026-12-10T18:00:00Z"
	p := site.post("/manage/"+token+"/reschedule", url.Values{"start": {later}, "tz": {"America/Los_Angeles"}, "date": {"2026-12-10"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("POST reschedule: %d", p.Status)
	}
	m := site.get(p.Header.Get("Location"))
	for _, want := range []string{`name="date" value="2026-12-10"`, `data-date="2026-12-10" aria-current="date"`,
		"Free times on Thursday 10 December", `data-date="2026-12-07"`, `data-date="2026-12-11"`} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("the picker after the move lacks %q", want)
		}
	}
	if strings.Contains(m.Body, `data-date="2026-12-02"`) {
		t.Error("the picker shows the current week, not the booking's")
	}
	// In the client's zone the day is the booking's day there.
	tokyo := site.get("/manage/" + token + "?tz=Asia/Tokyo")
	if !strings.Contains(tokyo.Body, `name="date" value="2026-12-11"`) {
		t.Error("in Tokyo the picker does not open on the booking's day there (Friday 11 December)")
	}
	// A day asked for still wins.
	if asked := site.get("/manage/" + token + "?date=2026-12-03"); !strings.Contains(asked.Body, "Free times on Thursday 3 December") {
		t.Error("the day asked for is not shown")
	}

	// A booking whose own day has no other free time opens on the first
	// day of its week that has.
	fill := func(day string) {
		t.Helper()
		for free := site.slotsOn(day, "America/Los_Angeles"); len(free) > 0; free = site.slotsOn(day, "America/Los_Angeles") {
			site.bookDirect(free[0])
		}
	}
	full := site.bookDirect("2026-12-16T17:00:00Z") // Wednesday 16 December
	fill("2026-12-14")
	fill("2026-12-16")
	if m := site.get("/manage/" + full); !strings.Contains(m.Body, "Free times on Tuesday 15 December") {
		t.Errorf("a booking on a full day opens on %q", regexpAll(`<legend data-slots-legend>(.*?)</legend>`, m.Body))
	}
}
