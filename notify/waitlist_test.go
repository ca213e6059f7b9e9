package notify_test

import (
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"consult/booking"
)

// waitlistToken finds the private link of kind ("waitlist" or "manage")
// in the one message among ms whose subject contains subject and that
// went to to.
func waitlistToken(t *testing.T, ms []mailMsg, subject, to, kind string) string {
	t.Helper()
	msg := only(t, sentTo(ms, to), subject)
	found := regexp.MustCompile(regexp.QuoteMeta(baseURL) + `/` + kind + `/([A-Za-z0-9_-]{22,})`).FindStringSubmatch(msg.Text)
	if found == nil {
		t.Fatalf("no %s link in %q:\n%s", kind, subject, msg.Text)
	}
	return found[1]
}

// sentTo returns the messages among ms sent to address alone.
func sentTo(ms []mailMsg, address string) []mailMsg {
	var out []mailMsg
	for _, m := range ms {
		if len(m.To) == 1 && m.To[0] == address {
			out = append(out, m)
		}
	}
	return out
}

// joinWaitlist adds email to the waitlist for Wednesday 9 December, any
// time of day, Los Angeles time, and confirms it by the emailed link.
func (e *env) joinWaitlist(email string) string {
	e.t.Helper()
	req := booking.WaitlistRequest{Name: "Wait " + email[:1], Email: email, TimeZone: "America/Los_Angeles",
		Days: []time.Weekday{time.Wednesday}, Parts: booking.DayParts,
		From: booking.Date{Year: 2026, Month: 12, Day: 9}, To: booking.Date{Year: 2026, Month: 12, Day: 9}}
	if err := e.svc.JoinWaitlist(e.ctx, req); err != nil {
		e.t.Fatal(err)
	}
	e.run()
	token := waitlistToken(e.t, e.received(), "Please confirm: tell me when a time frees up", email, "waitlist")
	if _, err := e.svc.ConfirmWaitlist(e.ctx, token); err != nil {
		e.t.Fatal(err)
	}
	return token
}

// fullWednesday books Wednesday 9 December up to the daily cap and
// returns the manage tokens.
func (e *env) fullWednesday() []string {
	e.t.Helper()
	var tokens []string
	for range booking.DefaultSettings().DailyCap {
		b, token, err := e.svc.Book(e.ctx, booking.Request{Start: e.slot("2026-12-09", 0), Name: "Client",
			Email: "client@example.org", TimeZone: "America/Los_Angeles"}, "")
		if err != nil || b.Status != booking.StatusConfirmed {
			e.t.Fatal(err)
		}
		tokens = append(tokens, token)
	}
	return tokens
}

// TestWaitlistOfferGoesToTheFirstMatchingEntryAndPassesOn: a cancellation
// on a full day offers the freed time to the first entry waiting for it,
// held for it alone; unclaimed after the hold, it passes to the next entry,
// who books it by the emailed link.
func TestWaitlistOfferGoesToTheFirstMatchingEntryAndPassesOn(t *testing.T) {
	e := newEnv(t)
	tokens := e.fullWednesday()
	e.joinWaitlist("anna@example.org")
	e.joinWaitlist("ben@example.org")
	if n, err := e.svc.OfferWaitlist(e.ctx); err != nil || n != 0 {
		t.Fatalf("a full day offered %d times (%v)", n, err)
	}

	cancelled, err := e.svc.Cancel(e.ctx, tokens[2])
	if err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.OfferWaitlist(e.ctx); err != nil || n != 1 {
		t.Fatalf("after a cancellation: %d offers, %v; want 1", n, err)
	}
	if n, _ := e.svc.OfferWaitlist(e.ctx); n != 0 {
		t.Fatalf("the next run offered %d more", n)
	}
	e.run()
	ms := e.received()
	annaOffer := waitlistToken(t, ms, "A time has come free", "anna@example.org", "manage")
	for _, m := range ms {
		if m.To[0] == "ben@example.org" && m.subject() != "Please confirm: tell me when a time frees up" {
			t.Fatalf("ben got %q while the time was held for anna", m.subject())
		}
	}
	// The held time is offered to nobody else: Wednesday is full again.
	wed := time.Date(2026, 12, 9, 8, 0, 0, 0, time.UTC)
	if slots, _, _ := e.svc.Slots(e.ctx, wed, wed.Add(24*time.Hour)); len(slots) != 0 {
		t.Fatalf("while held, Wednesday offers %d slots", len(slots))
	}
	if _, _, err := e.svc.Book(e.ctx, booking.Request{Start: cancelled.Start, Name: "Other", Email: "other@example.org"}, ""); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("booking the held time: %v, want a conflict", err)
	}

	// Unclaimed: after the hold it passes to ben.
	e.clock.Advance(booking.WaitlistHold + time.Second)
	if n, err := e.svc.OfferWaitlist(e.ctx); err != nil || n != 1 {
		t.Fatalf("after the hold: %d offers, %v", n, err)
	}
	e.run()
	benOffer := waitlistToken(t, e.received(), "A time has come free", "ben@example.org", "manage")
	if _, err := e.svc.Confirm(e.ctx, annaOffer); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("anna claiming her passed offer: %v, want a conflict", err)
	}
	b, err := e.svc.Confirm(e.ctx, benOffer)
	if err != nil || b.Status != booking.StatusConfirmed || !b.Start.Equal(cancelled.Start) || b.Email != "ben@example.org" {
		t.Fatalf("ben's claim: %+v, %v", b, err)
	}
	e.run()
	if conf := only(t, sentTo(e.received(), "ben@example.org"), "is confirmed"); len(conf.Calendar) == 0 {
		t.Fatal("ben's confirmation carries no invitation")
	}
	entries, err := e.store.Waitlist(e.ctx)
	if err != nil || len(entries) != 1 || entries[0].Email != "anna@example.org" {
		t.Fatalf("still waiting: %+v, %v (want anna only)", entries, err)
	}
}

// TestWaitlistTwoInstancesNeverOfferOneTimeTwice: instances offering at
// the same moment hold each freed time for one entry only.
func TestWaitlistTwoInstancesNeverOfferOneTimeTwice(t *testing.T) {
	e := newEnv(t)
	tokens := e.fullWednesday()
	for _, email := range []string{"anna@example.org", "ben@example.org", "cara@example.org"} {
		e.joinWaitlist(email)
	}
	if _, err := e.svc.Cancel(e.ctx, tokens[0]); err != nil {
		t.Fatal(err)
	}
	other := booking.NewService(e.store, e.clock.Now, booking.WithSealer(e.keys))
	var wg sync.WaitGroup
	counts := make([]int, 4)
	for i, svc := range []*booking.Service{e.svc, other, e.svc, other} {
		wg.Go(func() {
			n, err := svc.OfferWaitlist(e.ctx)
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		})
	}
	wg.Wait()
	if total := counts[0] + counts[1] + counts[2] + counts[3]; total != 1 {
		t.Fatalf("offers made: %v, want one in all", counts)
	}
	var held int
	if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM bookings WHERE status = 'held'`).Scan(&held); err != nil || held != 1 {
		t.Fatalf("held times: %d, %v", held, err)
	}
}

// TestWaitlistClaimRacingABookingGivesOneBooking: the claim of an offered
// time and a public booking of it at once end with exactly one booking.
func TestWaitlistClaimRacingABookingGivesOneBooking(t *testing.T) {
	e := newEnv(t)
	tokens := e.fullWednesday()
	e.joinWaitlist("anna@example.org")
	freed, err := e.svc.Cancel(e.ctx, tokens[4])
	if err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.OfferWaitlist(e.ctx); err != nil || n != 1 {
		t.Fatalf("offers %d, %v", n, err)
	}
	e.run()
	offer := waitlistToken(t, e.received(), "A time has come free", "anna@example.org", "manage")
	var wg sync.WaitGroup
	var claimErr, bookErr error
	wg.Go(func() { _, claimErr = e.svc.Confirm(e.ctx, offer) })
	wg.Go(func() {
		_, _, bookErr = e.svc.Book(e.ctx, booking.Request{Start: freed.Start, Name: "Racer", Email: "racer@example.org"}, "")
	})
	wg.Wait()
	var n int
	if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM bookings WHERE status = 'confirmed' AND starts_at = $1`, freed.Start).Scan(&n); err != nil || n != 1 {
		t.Fatalf("confirmed bookings at the freed time: %d, %v (claim %v, book %v)", n, err, claimErr, bookErr)
	}
	if claimErr != nil || booking.ErrorCode(bookErr) != booking.ECONFLICT {
		t.Fatalf("claim %v, public booking %v: the held time is the claimant's", claimErr, bookErr)
	}
}

// TestWaitlistEntriesAreExportedAndErasedWithTheClient: a client's data
// request covers their waitlist entry, and erasing them removes it and
// releases the time held for it.
func TestWaitlistEntriesAreExportedAndErasedWithTheClient(t *testing.T) {
	e := newEnv(t)
	tokens := e.fullWednesday()
	e.joinWaitlist("anna@example.org")
	if _, err := e.svc.Cancel(e.ctx, tokens[1]); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.OfferWaitlist(e.ctx); err != nil || n != 1 {
		t.Fatalf("offers %d, %v", n, err)
	}
	admin := booking.NewAdmin(e.store, e.clock.Now)
	who := booking.Actor{Via: booking.ViaCLI}
	out, err := admin.ExportClient(e.ctx, who, "Anna@example.org")
	if err != nil || len(out.Waitlist) != 1 || out.Waitlist[0].Name != "Wait a" || out.Waitlist[0].Status != booking.WaitlistActive {
		t.Fatalf("export: %+v, %v", out, err)
	}
	if _, err := admin.EraseClient(e.ctx, who, "anna@example.org"); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := e.pool.QueryRow(e.ctx, `SELECT (SELECT count(*) FROM waitlist_entries) +
		(SELECT count(*) FROM bookings WHERE status = 'held' OR email ILIKE '%anna%')`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("left after erasing: %d, %v", left, err)
	}
	wed := time.Date(2026, 12, 9, 8, 0, 0, 0, time.UTC)
	if slots, _, _ := e.svc.Slots(e.ctx, wed, wed.Add(24*time.Hour)); len(slots) == 0 {
		t.Fatal("the time held for the erased client was not released")
	}
}

// TestWaitlistClaimIsAWebhookEvent: an endpoint subscribed to the
// waitlist hears when an offered time is booked.
func TestWaitlistClaimIsAWebhookEvent(t *testing.T) {
	e := newEnv(t)
	admin := booking.NewAdmin(e.store, e.clock.Now)
	if _, _, err := admin.CreateWebhook(e.ctx, booking.Actor{Via: booking.ViaCLI}, booking.WebhookEndpoint{
		URL: "https://hooks.example.com/in", Events: []string{booking.EventWaitlistClaimed}}); err != nil {
		t.Fatal(err)
	}
	tokens := e.fullWednesday()
	e.joinWaitlist("anna@example.org")
	if _, err := e.svc.Cancel(e.ctx, tokens[0]); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.OfferWaitlist(e.ctx); err != nil || n != 1 {
		t.Fatalf("offers %d, %v", n, err)
	}
	e.run()
	if _, err := e.svc.Confirm(e.ctx, waitlistToken(t, e.received(), "A time has come free", "anna@example.org", "manage")); err != nil {
		t.Fatal(err)
	}
	var events []string
	rows, err := e.pool.Query(e.ctx, `SELECT event_type FROM webhook_deliveries ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var ev string
		if err := rows.Scan(&ev); err != nil {
			t.Fatal(err)
		}
		events = append(events, ev)
	}
	if len(events) != 1 || events[0] != booking.EventWaitlistClaimed {
		t.Fatalf("webhook deliveries queued: %v", events)
	}
}

// TestWaitlistOfferIsAVideoCallWhereOffered: a practice that meets by
// video (or by phone) offers the freed time as a video call with a room
// of its own, and the offer names the way without giving the link early.
func TestWaitlistOfferIsAVideoCallWhereOffered(t *testing.T) {
	e := newEnv(t)
	p := booking.Profile{Modes: booking.Modes{
		Video: booking.VideoMode{Enabled: true, BaseURL: "https://meet.example.org"},
		Phone: booking.PhoneMode{Enabled: true}}}
	if err := e.store.UpdateProfile(e.ctx, p, start); err != nil {
		t.Fatal(err)
	}
	tokens := make([]string, 0, 6)
	for range booking.DefaultSettings().DailyCap {
		_, token, err := e.svc.Book(e.ctx, booking.Request{Start: e.slot("2026-12-09", 0), Name: "Client",
			Email: "client@example.org", TimeZone: "America/Los_Angeles", Mode: booking.ModeVideo}, "")
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, token)
	}
	e.joinWaitlist("anna@example.org")
	if _, err := e.svc.Cancel(e.ctx, tokens[2]); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.OfferWaitlist(e.ctx); err != nil || n != 1 {
		t.Fatalf("offers %d, %v", n, err)
	}
	e.run()
	offer := only(t, sentTo(e.received(), "anna@example.org"), "A time has come free")
	if !strings.Contains(offer.Text, "How: a video call") || strings.Contains(offer.Text, "meet.example.org") {
		t.Fatalf("offer:\n%s", offer.Text)
	}
	b, err := e.svc.Confirm(e.ctx, waitlistToken(t, e.received(), "A time has come free", "anna@example.org", "manage"))
	if err != nil || b.Mode != booking.ModeVideo || !strings.HasPrefix(b.VideoLink, "https://meet.example.org/") {
		t.Fatalf("claimed: %+v, %v", b, err)
	}
}
