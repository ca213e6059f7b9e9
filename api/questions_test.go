package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"consult/api"
	"consult/booking"
)

// TestExtraQuestions: the practitioner asks up to five questions (the
// editor reminds them not to ask for health details); answers are
// checked, shown with the booking, in the private feed only with full
// details on, exported and erased with the client.
func TestExtraQuestions(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	ctx := context.Background()
	b := a.mustSignIn()
	editor := b.get("/admin/practice")
	if !strings.Contains(editor.Body, "Never ask for health details") {
		t.Error("the question editor does not warn against health details")
	}
	wantAdminRedirect(t, b.post("/admin/practice/questions", url.Values{
		"question_label_1": {"How did you hear of us?"}, "question_kind_1": {"choice"}, "question_choices_1": {"A friend\r\nA search\r\n"},
		"question_label_2": {"Anything we should know to <prepare>?"}, "question_kind_2": {"text"},
		"question_label_3": {"Have you had a consultation before?"}, "question_kind_3": {"yes_no"},
	}), "/admin/practice")
	if p := b.post("/admin/practice/questions", url.Values{"question_label_1": {"Pick one"}, "question_kind_1": {"choice"}, "question_choices_1": {"Only"}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("a choice with one answer: %d", p.Status)
	}
	var pub struct {
		Questions []booking.Question `json:"questions"`
	}
	a.do("GET", "/api/v1/practice", nil, nil).decode(t, &pub)
	if len(pub.Questions) != 3 || pub.Questions[0].Kind != "choice" || len(pub.Questions[0].Choices) != 2 {
		t.Fatalf("public questions = %+v", pub.Questions)
	}

	slots := a.slots(wednesday)
	req := func(i int, answers []string) map[string]any {
		return map[string]any{"start": slots[i].Format(time.RFC3339), "name": "Quinn Asker", "email": "quinn@example.org", "answers": answers}
	}
	for field, answers := range map[string][]string{
		"answer_1": {"A billboard"}, "answer_3": {"", "", "maybe"}, "answers": {"", "", "", "extra"},
	} {
		if p := a.do("POST", "/api/v1/bookings", req(0, answers), nil).problem(t); p.Errors[field] == "" {
			t.Errorf("answers %q: %+v, want errors.%s", answers, p, field)
		}
	}
	if n := a.bookingCount(""); n != 0 {
		t.Fatalf("%d bookings stored with bad answers", n)
	}
	r := a.do("POST", "/api/v1/bookings", req(0, []string{"A friend", "I use a <wheelchair>", "no"}), nil)
	if r.Status != 201 {
		t.Fatalf("booking with answers: %d %s", r.Status, r.Body)
	}
	var bk bookingBody
	r.decode(t, &bk)

	page := b.get(fmt.Sprintf("/admin/bookings/%d", bk.ID))
	for _, want := range []string{"How did you hear of us?", "A friend", "I use a &lt;wheelchair&gt;", "Have you had a consultation before?"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the booking page lacks %q", want)
		}
	}

	secret, err := a.store.RotateFeedSecret(ctx, testNow)
	if err != nil {
		t.Fatal(err)
	}
	feed := func() string { // unfolded
		return strings.ReplaceAll(string(a.do("GET", "/calendar/bookings/"+secret+".ics", nil, nil).Body), "\r\n ", "")
	}
	if strings.Contains(feed(), "A friend") {
		t.Error("the private feed shows answers without full details")
	}
	wantAdminRedirect(t, b.post("/admin/calendar/settings", url.Values{"full_details": {"on"}}), "/admin/calendar")
	if f := feed(); !strings.Contains(f, "How did you hear of us?: A friend") {
		t.Errorf("the private feed with full details lacks the answers:\n%s", f)
	}

	export := b.post("/admin/clients/export", url.Values{"email": {"quinn@example.org"}})
	if !strings.Contains(export.Body, `"answers":[{"question":"How did you hear of us?","answer":"A friend"}`) {
		t.Errorf("the export lacks the answers: %s", export.Body)
	}
	wantAdminRedirect(t, b.post("/admin/clients/erase", url.Values{"email": {"quinn@example.org"}, "confirm": {"1"}}), "/admin/clients")
	var answers string
	if err := a.pool.QueryRow(ctx, `SELECT answers::text FROM bookings WHERE id = $1`, bk.ID).Scan(&answers); err != nil || answers != "[]" {
		t.Errorf("answers after erasure: %s (%v)", answers, err)
	}
}
