package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"consult/api"
)

// bookAs books start for a client with the given name and email.
func (a *adminTest) bookAs(start time.Time, name, email, note string) bookingBody {
	a.t.Helper()
	r := a.do("POST", "/api/v1/bookings", map[string]string{
		"start": start.UTC().Format(time.RFC3339), "name": name, "email": email, "note": note,
	}, nil)
	if r.Status != 201 {
		a.t.Fatalf("book %s: %d %s", start, r.Status, r.Body)
	}
	var b bookingBody
	r.decode(a.t, &b)
	return b
}

func TestAdminBookingsListSearchPageAndAct(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	var ids []int64
	for i := 0; i < 27; i++ {
		day := 7 + i/5 // Monday 7 December onwards, five a day
		if day >= 12 {
			day += 2 // skip the weekend
		}
		start := time.Date(2026, 12, day, []int{9, 10, 11, 13, 14}[i%5], 0, 0, 0, adminLA)
		name, email := fmt.Sprintf("Client %02d", i), fmt.Sprintf("client%02d@example.org", i)
		if i == 3 {
			name, email = "Ada 100%_Lovelace", "ada@example.org"
		}
		ids = append(ids, a.bookAs(start, name, email, "").ID)
	}
	b := a.mustSignIn()

	list := b.get("/admin/bookings")
	if list.Status != 200 || !strings.Contains(list.Body, "27 bookings. Page 1.") || !strings.Contains(list.Body, `rel="next"`) ||
		strings.Count(list.Body, `<a href="/admin/bookings/`) != 25 {
		t.Fatalf("first page:\n%s", list.Body)
	}
	if p := b.get("/admin/bookings?page=2"); strings.Count(p.Body, `<a href="/admin/bookings/`) != 2 || !strings.Contains(p.Body, `rel="prev"`) {
		t.Fatalf("second page:\n%s", p.Body)
	}
	for q, want := range map[string]int{"ada@EXAMPLE": 1, "lovelace": 1, "100%_": 1, "%": 1, "client1": 10, "nobody": 0} {
		p := b.search(q, "upcoming")
		if got := strings.Count(p.Body, `<a href="/admin/bookings/`); got != want {
			t.Errorf("search %q: %d rows, want %d", q, got, want)
		}
	}
	b.search("", "upcoming")
	if p := b.get("/admin/bookings?when=past"); !strings.Contains(p.Body, "No bookings") {
		t.Fatalf("past list before anything happened:\n%s", p.Body)
	}

	// Detail, private note, cancel with a message.
	id := ids[0]
	detail := b.get(fmt.Sprintf("/admin/bookings/%d", id))
	if detail.Status != 200 || !strings.Contains(detail.Body, "Client 00") || !strings.Contains(detail.Body, "Cancel this booking") {
		t.Fatalf("detail: %d\n%s", detail.Status, detail.Body)
	}
	if p := b.get("/admin/bookings/999999"); p.Status != http.StatusNotFound {
		t.Fatalf("missing booking: %d", p.Status)
	}
	wantAdminRedirect(t, b.post(fmt.Sprintf("/admin/bookings/%d/note", id), url.Values{"practitioner_note": {"Prefers phone."}}), "/admin/bookings/")
	if p := b.get(fmt.Sprintf("/admin/bookings/%d", id)); !strings.Contains(p.Body, "Prefers phone.") {
		t.Fatal("note not shown after saving")
	}
	wantAdminRedirect(t, b.post(fmt.Sprintf("/admin/bookings/%d/cancel", id), url.Values{"message": {"I am unwell, sorry."}}), "/admin/bookings/")
	var status string
	var seq int
	if err := a.pool.QueryRow(context.Background(), `SELECT status, sequence FROM bookings WHERE id = $1`, id).Scan(&status, &seq); err != nil || status != "cancelled" || seq != 1 {
		t.Fatalf("after cancel: %s, sequence %d, %v", status, seq, err)
	}
	var mails int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE booking_id = $1 AND kind IN ('cancelled', 'practitioner_gone')
		AND message = 'I am unwell, sorry.'`, id).Scan(&mails); err != nil || mails != 2 {
		t.Fatalf("cancellation mails with the message: %d, %v", mails, err)
	}
	if p := b.post(fmt.Sprintf("/admin/bookings/%d/cancel", id), nil); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("cancelling twice: %d", p.Status)
	}

	// Outcomes only once a consultation has started.
	if p := b.post(fmt.Sprintf("/admin/bookings/%d/status", ids[1]), url.Values{"status": {"completed"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("completing a future booking: %d", p.Status)
	}
	a.clock.Add(7 * 24 * time.Hour) // Tuesday 8 December, 08:00
	b = a.mustSignIn()              // a week on, the session has ended
	wantAdminRedirect(t, b.post(fmt.Sprintf("/admin/bookings/%d/status", ids[1]), url.Values{"status": {"no_show"}}), "/admin/bookings/")
	wantAdminRedirect(t, b.post(fmt.Sprintf("/admin/bookings/%d/status", ids[2]), url.Values{"status": {"completed"}}), "/admin/bookings/")
	if p := b.post(fmt.Sprintf("/admin/bookings/%d/status", ids[4]), url.Values{"status": {"confirmed"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("an unknown outcome: %d", p.Status)
	}
	past := b.get("/admin/bookings?when=past")
	if !strings.Contains(past.Body, "No-show") || !strings.Contains(past.Body, "Completed") {
		t.Fatalf("past list:\n%s", past.Body)
	}

	// Every view of client data is in the audit log, by id only.
	log := strings.Join(a.auditActions(), "\n")
	for _, want := range []string{fmt.Sprintf("booking.view booking:%d", id), fmt.Sprintf("booking.cancel booking:%d", id),
		fmt.Sprintf("booking.note booking:%d", id), fmt.Sprintf("booking.status.no_show booking:%d", ids[1]), "bookings.list bookings:"} {
		if !strings.Contains(log, want) {
			t.Errorf("audit log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "@") || strings.Contains(log, "Client") {
		t.Errorf("audit log holds personal data:\n%s", log)
	}
	if p := b.get("/admin/audit"); !strings.Contains(p.Body, "booking.cancel") || !strings.Contains(p.Body, adminEmail) {
		t.Fatalf("audit page:\n%s", p.Body)
	}
}

func TestAdminClientExportAndErase(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	first := a.bookAs(time.Date(2026, 12, 8, 9, 0, 0, 0, adminLA), "Jo Client", "Jo@Example.org", "Evenings are hard.")
	second := a.bookAs(time.Date(2026, 12, 9, 9, 0, 0, 0, adminLA), "Jo Client", "jo@example.org", "")
	other := a.bookAs(time.Date(2026, 12, 10, 9, 0, 0, 0, adminLA), "Someone Else", "else@example.org", "")
	b := a.mustSignIn()
	b.get("/admin/clients")
	b.post(fmt.Sprintf("/admin/bookings/%d/note", first.ID), url.Values{"practitioner_note": {"Referred by GP."}})

	if p := b.post("/admin/clients/export", url.Values{"email": {"not an email"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("export with a bad email: %d", p.Status)
	}
	p := b.post("/admin/clients/export", url.Values{"email": {"JO@example.org"}})
	if p.Status != 200 || !strings.Contains(p.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %v", p.Status, p.Header)
	}
	var export struct {
		Bookings []struct {
			ID               int64  `json:"id"`
			Name             string `json:"name"`
			Note             string `json:"note"`
			PractitionerNote string `json:"practitioner_note"`
		} `json:"bookings"`
		Emails []struct {
			BookingID int64  `json:"booking_id"`
			Kind      string `json:"kind"`
		} `json:"emails"`
	}
	if err := json.Unmarshal([]byte(p.Body), &export); err != nil {
		t.Fatal(err)
	}
	if len(export.Bookings) != 2 || export.Bookings[0].ID != first.ID || export.Bookings[0].Note != "Evenings are hard." ||
		export.Bookings[0].PractitionerNote != "Referred by GP." || len(export.Emails) == 0 {
		t.Fatalf("export = %+v", export)
	}

	b.get("/admin/clients")
	if p := b.post("/admin/clients/erase", url.Values{"email": {"jo@example.org"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("erase without confirming: %d", p.Status)
	}
	wantAdminRedirect(t, b.post("/admin/clients/erase", url.Values{"email": {"jo@example.org"}, "confirm": {"1"}}), "/admin/clients")
	rows, err := a.pool.Query(context.Background(), `SELECT id, name, email, phone, note, practitioner_note, status FROM bookings ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name, email, phone, note, pnote, status string
		if err := rows.Scan(&id, &name, &email, &phone, &note, &pnote, &status); err != nil {
			t.Fatal(err)
		}
		switch id {
		case first.ID, second.ID:
			if name != "Erased" || email != fmt.Sprintf("erased-%d@invalid", id) || phone != "" || note != "" || pnote != "" || status != "cancelled" {
				t.Errorf("booking %d after erase: %q %q %q %q %q %s", id, name, email, phone, note, pnote, status)
			}
		case other.ID:
			if name != "Someone Else" || status != "confirmed" {
				t.Errorf("another client's booking changed: %q %s", name, status)
			}
		}
	}
	var pending int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE booking_id = ANY($1) AND status = 'pending'`,
		[]int64{first.ID, second.ID}).Scan(&pending); err != nil || pending != 0 {
		t.Fatalf("%d mails still pending for the erased client (%v)", pending, err)
	}
	p = b.post("/admin/clients/export", url.Values{"email": {"jo@example.org"}})
	if err := json.Unmarshal([]byte(p.Body), &export); err != nil || len(export.Bookings) != 0 {
		t.Fatalf("export after erase: %+v %v", export, err)
	}
	log := strings.Join(a.auditActions(), "\n")
	if !strings.Contains(log, fmt.Sprintf("client.export bookings:%d,%d", first.ID, second.ID)) ||
		!strings.Contains(log, fmt.Sprintf("client.erase bookings:%d,%d", first.ID, second.ID)) || strings.Contains(log, "jo@") {
		t.Fatalf("audit log:\n%s", log)
	}
}

func TestAdminBookingsCSVExportNeutralisesFormulas(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	a.bookAs(time.Date(2026, 12, 8, 9, 0, 0, 0, adminLA), "=HYPERLINK(\"http://evil.example\")", "plain@example.org", "+1 call me")
	a.bookAs(time.Date(2026, 12, 20+1, 9, 0, 0, 0, adminLA), "Later Client", "later@example.org", "")
	b := a.mustSignIn()
	p := b.get("/admin/export/bookings.csv?from=2026-12-01&to=2026-12-15")
	if p.Status != 200 || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s\n%s", p.Status, p.Header.Get("Content-Type"), p.Body)
	}
	recs, err := csv.NewReader(strings.NewReader(p.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("%d rows, want the header and one booking in range:\n%s", len(recs), p.Body)
	}
	if recs[1][4] != `'=HYPERLINK("http://evil.example")` || recs[1][7] != "'+1 call me" || recs[1][5] != "plain@example.org" {
		t.Fatalf("row = %q", recs[1])
	}
	if p := b.get("/admin/export/bookings.csv?from=2026-12-15&to=2026-12-01"); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("reversed range: %d", p.Status)
	}
	var id int64
	if err := a.pool.QueryRow(context.Background(), `SELECT id FROM bookings WHERE email = 'plain@example.org'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	// The audit entry names the exported bookings, by id only.
	if want := fmt.Sprintf("bookings.export_csv bookings:%d range:2026-12-01..2026-12-15", id); !slices.Contains(a.auditActions(), want) {
		t.Fatalf("export not audited as %q: %q", want, a.auditActions())
	}
}

// search posts the bookings search form and follows its redirect.
func (b *adminBrowser) search(q, when string) adminResp {
	b.t.Helper()
	p := b.post("/admin/bookings", url.Values{"q": {q}, "when": {when}})
	wantAdminRedirect(b.t, p, "/admin/bookings")
	if loc := p.Header.Get("Location"); q != "" && strings.Contains(strings.ToLower(loc), strings.ToLower(url.QueryEscape(q))) {
		b.t.Fatalf("search %q redirected to %q", q, loc)
	}
	return b.get(p.Header.Get("Location"))
}

// TestAdminBookingSearchStaysOutOfURLs: names and emails searched for are
// posted, never put in a link, a redirect or the sign-in page's next, and
// paging through the results keeps the search.
func TestAdminBookingSearchStaysOutOfURLs(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	for i := 0; i < 30; i++ {
		start := time.Date(2026, 12, 7+i/5, []int{9, 10, 11, 13, 14}[i%5], 0, 0, 0, adminLA)
		if wd := start.Weekday(); wd == time.Saturday || wd == time.Sunday {
			start = start.AddDate(0, 0, 2)
		}
		name := fmt.Sprintf("Client %02d", i)
		if i%10 == 0 {
			name = fmt.Sprintf("Other %02d", i)
		}
		a.bookAs(start, name, fmt.Sprintf("c%02d@example.org", i), "")
	}
	b := a.mustSignIn()
	p := b.search("client", "upcoming")
	if !strings.Contains(p.Body, "27 bookings. Page 1.") || !strings.Contains(p.Body, `value="client"`) {
		t.Fatalf("search results:\n%s", p.Body)
	}
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(p.Body)
	if next == nil {
		t.Fatalf("no next page link:\n%s", p.Body)
	}
	if strings.Contains(next[1], "client") || strings.Contains(next[1], "q=") {
		t.Fatalf("the paging link carries the search: %s", next[1])
	}
	p2 := b.get(html.UnescapeString(next[1]))
	if !strings.Contains(p2.Body, "27 bookings. Page 2.") || strings.Count(p2.Body, `<a href="/admin/bookings/`) != 2 ||
		strings.Contains(p2.Body, "Other ") {
		t.Fatalf("second page of the search:\n%s", p2.Body)
	}
	// Clearing the search lists everything again.
	if p := b.search("", "upcoming"); !strings.Contains(p.Body, "30 bookings. Page 1.") {
		t.Fatalf("after clearing:\n%s", p.Body)
	}
	// A query typed into the address bar is neither used nor passed on to
	// the sign-in page.
	if p := b.get("/admin/bookings?q=other"); !strings.Contains(p.Body, "30 bookings") {
		t.Fatalf("the URL's q was used:\n%s", p.Body)
	}
	p = a.newBrowser().get("/admin/bookings?when=past&q=c01%40example.org&page=2")
	if loc := p.Header.Get("Location"); p.Status != http.StatusSeeOther || strings.Contains(loc, "example") || strings.Contains(loc, "q%3D") ||
		!strings.Contains(loc, "page%3D2") {
		t.Fatalf("sign-in redirect: %d to %q", p.Status, loc)
	}
}

// TestAdminCannotCancelAConsultationThatTookPlace: once it has started, a
// booking is marked completed or no-show, not cancelled (by page or API).
func TestAdminCannotCancelAConsultationThatTookPlace(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	first := a.bookAs(time.Date(2026, 12, 8, 9, 0, 0, 0, adminLA), "Jo Client", "jo@example.org", "")
	second := a.bookAs(time.Date(2026, 12, 8, 10, 0, 0, 0, adminLA), "Al Client", "al@example.org", "")
	auth := map[string]string{"Authorization": "Bearer " + a.apiToken()}
	a.clock.Add(7*24*time.Hour + 75*time.Minute) // 8 December 09:15, the first one is under way
	b := a.mustSignIn()
	before := a.state()
	p := b.post(fmt.Sprintf("/admin/bookings/%d/cancel", first.ID), url.Values{"message": {"Sorry."}})
	const want = "This consultation has already taken place; mark it completed or no-show instead."
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, want) {
		t.Fatalf("page: %d\n%s", p.Status, p.Body)
	}
	a.clock.Add(2 * time.Hour) // both have ended
	for _, id := range []int64{first.ID, second.ID} {
		r := a.do("POST", fmt.Sprintf("/api/v1/admin/bookings/%d/cancel", id), nil, auth)
		if r.Status != http.StatusConflict || r.problem(t).Detail != want {
			t.Fatalf("API, booking %d: %d %s", id, r.Status, r.Body)
		}
	}
	if a.state() != before {
		t.Fatal("a refused cancellation changed data")
	}
	b = a.mustSignIn() // two hours idle ended the session
	wantAdminRedirect(t, b.post(fmt.Sprintf("/admin/bookings/%d/status", first.ID), url.Values{"status": {"completed"}}), "/admin/bookings/")
}
