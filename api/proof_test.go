package api_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"consult/api"
	"consult/booking"
	"consult/booking/proof"
	"consult/storage/storagetest"
)

type challengeBody struct {
	Required bool `json:"required"`
	proof.Challenge
}

// TestBookingRequestsNeedAProofUnderAnAbnormalRate replays the
// calendar-filling script: past the rate, a request without a solved
// challenge books nothing, and one solution books once.
func TestBookingRequestsNeedAProofUnderAnAbnormalRate(t *testing.T) {
	pool := storagetest.NewDB(t)
	store := seedStore(t, pool, false)
	clock := &testClock{t: testNow}
	svc := booking.NewService(store, clock.Now)
	guard := proof.New(store, []byte("test key"), 3, clock.Now).WithMaxNumber(5000)
	srv, err := api.New(api.Config{BaseURL: "http://consult.test"}, api.Deps{Service: svc, Proof: guard})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	a := &testAPI{t: t, url: ts.URL, pool: pool, router: openAPIRouter(t), client: ts.Client()}

	var slots []time.Time
	for _, day := range []string{"2026-12-02", "2026-12-03"} {
		all := a.slots(day)
		for i := 0; i < len(all); i += 3 {
			slots = append(slots, all[i])
		}
	}
	n := 0
	book := func(proof string) response {
		n++
		return a.do("POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"Filler","email":"filler%d@example.org","proof":%q}`,
			slots[n].Format(time.RFC3339), n, proof), nil)
	}
	challenge := func() challengeBody {
		r := a.do("GET", "/api/v1/challenge", nil, nil)
		var c challengeBody
		r.decode(t, &c)
		if r.Status != 200 || c.Algorithm != "SHA-256" || c.Signature == "" {
			t.Fatalf("challenge: %d %s", r.Status, r.Body)
		}
		return c
	}
	if challenge().Required {
		t.Fatal("a proof is asked for before any booking")
	}
	for range 3 {
		if r := book(""); r.Status != http.StatusCreated {
			t.Fatalf("booking %d without a proof at a normal rate: %d %s", n, r.Status, r.Body)
		}
	}
	r := book("")
	if r.Status != http.StatusUnprocessableEntity || r.problem(t).Errors["proof"] == "" {
		t.Fatalf("a booking past the rate without a proof: %d %s", r.Status, r.Body)
	}
	c := challenge()
	if !c.Required {
		t.Fatal("the challenge does not say a proof is required")
	}
	solved, err := proof.Solve(c.Challenge)
	if err != nil {
		t.Fatal(err)
	}
	if r := book(solved); r.Status != http.StatusCreated {
		t.Fatalf("with a solved challenge: %d %s", r.Status, r.Body)
	}
	if r := book(solved); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("the same solution again: %d, want 422", r.Status)
	}
	// A solution to a challenge of our own making, or a wrong number.
	other := challenge()
	forged := other.Challenge
	forged.Signature = strings.Repeat("0", 64)
	if s, err := proof.Solve(forged); err != nil {
		t.Fatal(err)
	} else if r := book(s); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a forged challenge: %d, want 422", r.Status)
	}
	wrong, _ := json.Marshal(proof.Solution{Algorithm: other.Algorithm, Challenge: other.Challenge.Challenge, Number: other.MaxNumber + 1,
		Salt: other.Salt, Signature: other.Signature})
	if r := book(base64.StdEncoding.EncodeToString(wrong)); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a wrong number: %d, want 422", r.Status)
	}
	// A challenge answered after it expired.
	late, err := proof.Solve(challenge().Challenge)
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(11 * time.Minute)
	if r := book(late); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("an expired challenge: %d, want 422", r.Status)
	}
	if got := a.bookingCount("confirmed"); got != 4 {
		t.Errorf("%d bookings, want 4", got)
	}
}

// testBrowserProofOfWork books through the form while a proof of work is
// asked: the page's script solves it unseen; without the script the form
// comes back saying why.
func testBrowserProofOfWork(t *testing.T, b *browser) {
	site := newTestSiteWith(t, siteOptions{proofRate: 1})
	site.bookDirect(site.slotsOn(firstDay, "America/Los_Angeles")[0])

	noJS := b.tab(t, tabOptions{noScript: true})
	noJS.open(site.url + "/book?date=2026-12-03&tz=America/Los_Angeles")
	noJS.must(chromedp.Click(chromedp.CSS(`label[for="slot-0"]`)))
	fillDetails(noJS, "Ada Lovelace")
	if status := noJS.follow(chromedp.Click(chromedp.CSS(`form[data-slot-form] button[type=submit]`))); status != http.StatusUnprocessableEntity {
		t.Fatalf("without the script: %d", status)
	}
	if got := noJS.text("[data-error-summary]"); !strings.Contains(got, "JavaScript") {
		t.Errorf("without the script the form says %q", got)
	}

	tb := b.tab(t, tabOptions{})
	tb.open(site.url + "/book?date=2026-12-03&tz=America/Los_Angeles")
	tb.must(chromedp.Click(chromedp.CSS(`label[for="slot-1"]`)))
	fillDetails(tb, "Ada Lovelace")
	if status := tb.follow(chromedp.Click(chromedp.CSS(`form[data-slot-form] button[type=submit]`))); status != http.StatusOK {
		t.Fatalf("with the script: %d: %s", status, tb.text("main"))
	}
	if h1 := tb.text("h1"); h1 != "Your consultation is booked" {
		t.Errorf("h1 = %q", h1)
	}
}
