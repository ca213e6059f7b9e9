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
	p := site.post("/manage/"+token+"/cancel", nil)
	if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/manage/"+token {
		t.Fatalf("POST cancel: %d %q", p.Status, p.Header.Get("Location"))
	}
	if site.count("cancelled") != 1 {
		t.Fatal("the booking is not cancelled")
	}
	m := site.get("/manage/" + token)
	if !strings.Contains(m.Body, "This consultation has been cancelled") || strings.Contains(m.Body, `/reschedule"`) {
		t.Error("the manage page does not show the cancellation, or still offers changes")
	}
	// Cancelling twice is harmless; the confirmation page now leads to the manage page.
	if p := site.post("/manage/"+token+"/cancel", nil); p.Status != http.StatusSeeOther {
		t.Errorf("second cancel: %d", p.Status)
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
