package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"consult/booking"
)

// manageLinkRE finds the private link in an email.
var manageLinkRE = regexp.MustCompile(`http://consult\.test/manage/([A-Za-z0-9_-]+)`)

// page fetches a path of the mail API's site, following no redirects.
func (a *mailAPI) page(method, path string) (int, string, string) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.url+path, nil)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

func (a *mailAPI) status(token string) string {
	a.t.Helper()
	var st string
	if err := a.pool.QueryRow(context.Background(), `SELECT status FROM bookings WHERE manage_token_hash = $1`,
		booking.HashToken(token)).Scan(&st); err != nil {
		a.t.Fatal(err)
	}
	return st
}

// TestBookingConfirmedByEmail follows a booking confirmed by email from
// the request to the confirmation, and replays the client oracle: the
// answer to a request is the same for a new address and for a client's,
// and only the inbox learns which it was.
func TestBookingConfirmedByEmail(t *testing.T) {
	a := newMailAPI(t, testNow, booking.WithConfirmByEmail(30*time.Minute),
		booking.WithLimits(booking.ClientLimits{MaxUpcoming: 1, MaxPerYear: 1, MaxPerDay: 3}))
	slots := a.slots(wednesday)
	request := func(i int, email string) response {
		return a.do("POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"Ada Lovelace","email":%q,"timezone":"Europe/Berlin"}`,
			slots[i].Format(time.RFC3339), email), nil)
	}
	held := request(0, "ada@example.org")
	want := fmt.Sprintf(`{"status":"held","expires_at":%q}`, testNow.Add(30*time.Minute).UTC().Format(time.RFC3339))
	if held.Status != http.StatusAccepted || strings.TrimSpace(string(held.Body)) != want {
		t.Fatalf("request: %d %s, want 202 %s", held.Status, held.Body, want)
	}
	for _, s := range a.slots(wednesday) {
		if s.Equal(slots[0]) {
			t.Fatal("the held time is still offered")
		}
	}
	if r := request(0, "someone@example.org"); r.Status != http.StatusConflict {
		t.Errorf("the held time for someone else: %d, want 409", r.Status)
	}

	// Only the request to confirm goes out, to the client, with the link.
	msgs := a.deliver(0)
	if len(msgs) != 1 || !strings.HasPrefix(decodeSubject(msgs[0]), "Please confirm: Your consultation on") || len(msgs[0].Attachments) != 0 {
		t.Fatalf("after the request: %d messages, first %q", len(msgs), decodeSubject(msgs[0]))
	}
	m := manageLinkRE.FindStringSubmatch(msgs[0].Text)
	if m == nil || !strings.Contains(msgs[0].Text, "until") {
		t.Fatalf("no link or hold time in the request:\n%s", msgs[0].Text)
	}
	token := m[1]

	// Opening the link (as a mail scanner would) changes nothing; the
	// button confirms.
	if code, _, body := a.page("GET", "/manage/"+token); code != 200 || !strings.Contains(body, "Confirm my consultation") {
		t.Fatalf("the link: %d\n%s", code, body)
	}
	if st := a.status(token); st != "held" {
		t.Fatalf("after opening the link the booking is %s", st)
	}
	if code, loc, _ := a.page("POST", "/manage/"+token+"/confirm"); code != http.StatusSeeOther || loc != "/manage/"+token+"/confirmation" {
		t.Fatalf("confirm: %d %q", code, loc)
	}
	if st := a.status(token); st != "confirmed" {
		t.Fatalf("after confirming the booking is %s", st)
	}
	if code, loc, _ := a.page("POST", "/manage/"+token+"/confirm"); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/manage/"+token) {
		t.Errorf("confirming twice: %d %q", code, loc)
	}
	subjects := map[string]bool{}
	for _, m := range a.deliver(1) {
		subjects[decodeSubject(m)] = true
	}
	confirmed := false
	for s := range subjects {
		confirmed = confirmed || strings.HasPrefix(s, "Your consultation on ") && strings.HasSuffix(s, " is confirmed")
	}
	if !confirmed || len(subjects) != 2 {
		t.Errorf("after confirming: %v", subjects)
	}

	// The client asks again, under other spellings of the same inbox: the
	// same answer as for anyone, and the inbox alone hears why, once.
	for _, email := range []string{"ada@example.org", "Ada+again@example.org"} {
		r := request(6, email)
		if r.Status != http.StatusAccepted || strings.TrimSpace(string(r.Body)) != want {
			t.Fatalf("a client's request: %d %s, want the same answer as a stranger's", r.Status, r.Body)
		}
	}
	notices := a.deliver(3)
	if len(notices) != 1 || decodeSubject(notices[0]) != "Your request for a consultation" {
		t.Fatalf("limit notices: %d", len(notices))
	}
	if to := notices[0].Header.Get("To"); !strings.Contains(to, "ada@example.org") {
		t.Errorf("the notice goes to %q", to)
	}
	if text := notices[0].Text; manageLinkRE.MatchString(text) || strings.Contains(text, "Wednesday") {
		t.Errorf("the notice carries a link or a time:\n%s", text)
	}
	var holds int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM bookings WHERE starts_at = $1`, slots[6]).Scan(&holds); err != nil || holds != 0 {
		t.Errorf("%d rows for the refused request (%v)", holds, err)
	}
}

// TestAnUnconfirmedHoldIsReleased: the time is offered again once the hold
// is up, the requester's details are gone, and the link says so.
func TestAnUnconfirmedHoldIsReleased(t *testing.T) {
	a := newMailAPI(t, testNow, booking.WithConfirmByEmail(30*time.Minute))
	start := a.slots(wednesday)[0]
	r := a.do("POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"Bob Stranger","email":"bob@example.org"}`,
		start.Format(time.RFC3339)), nil)
	if r.Status != http.StatusAccepted {
		t.Fatalf("request: %d %s", r.Status, r.Body)
	}
	token := manageLinkRE.FindStringSubmatch(a.deliver(0)[0].Text)[1]

	a.clock.Add(31 * time.Minute)
	if err := a.store.ExpireHolds(context.Background(), a.clock.Now()); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range a.slots(wednesday) {
		found = found || s.Equal(start)
	}
	if !found {
		t.Error("the released time is not offered again")
	}
	var name, email string
	if err := a.pool.QueryRow(context.Background(), `SELECT name, email FROM bookings`).Scan(&name, &email); err != nil {
		t.Fatal(err)
	}
	if name != "" || strings.Contains(email, "bob") {
		t.Errorf("the expired hold keeps %q %q", name, email)
	}
	if code, _, body := a.page("GET", "/manage/"+token); code != 200 || !strings.Contains(body, "This time was released") {
		t.Errorf("the link after expiry: %d\n%s", code, body)
	}
	if code, _, _ := a.page("POST", "/manage/"+token+"/confirm"); code != http.StatusConflict {
		t.Errorf("confirming after expiry: %d, want 409", code)
	}
	// Someone else books the released time.
	r = a.do("POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"Cleo","email":"cleo@example.org"}`,
		start.Format(time.RFC3339)), nil)
	if r.Status != http.StatusAccepted {
		t.Errorf("the released time for another client: %d %s", r.Status, r.Body)
	}
}

// TestBookingFormAnswersEveryAddressAlike: with confirmation by email the
// form's answer is one page, the same for anyone.
func TestBookingFormAnswersEveryAddressAlike(t *testing.T) {
	s := newTestSiteWith(t, siteOptions{confirmByEmail: true, limits: booking.ClientLimits{MaxUpcoming: 1}})
	slots := s.slotsOn("2026-12-02", "America/Los_Angeles")
	var pages []string
	for i, email := range []string{"dana@example.org", "dana@example.org", "erin@example.org"} {
		form := s.bookingForm(slots[i*3])
		form.Set("email", email)
		r := s.post("/book", form)
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/book/check-email" {
			t.Fatalf("request %d: %d %q\n%s", i, r.Status, r.Header.Get("Location"), r.Body)
		}
		p := s.get("/book/check-email")
		if p.Status != 200 || !strings.Contains(p.Body, "Check your email") || strings.Contains(p.Body, "dana") {
			t.Fatalf("check-email page: %d\n%s", p.Status, p.Body)
		}
		pages = append(pages, p.Body)
	}
	if pages[0] != pages[1] || pages[1] != pages[2] {
		t.Error("the pages after the requests differ")
	}
	if n := s.count("held"); n != 2 {
		t.Errorf("%d held times, want 2 (the repeat is over the limit)", n)
	}
}
