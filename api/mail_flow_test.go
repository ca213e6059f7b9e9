package api_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBookingThroughTheAPISendsItsEmails books, reschedules and cancels
// over HTTP and checks each change's email reaches the right people once.
func TestBookingThroughTheAPISendsItsEmails(t *testing.T) {
	a := newMailAPI(t, testNow)
	slots := a.slots(wednesday)
	b := a.book(slots[0], "Ada Client")
	msgs := a.deliver(0)
	if len(msgs) != 2 {
		t.Fatalf("%d messages after booking, want 2", len(msgs))
	}
	conf := mailWith(t, msgs, "Ada Client", "is confirmed")
	if len(conf.To) != 1 || conf.To[0] != "client@example.org" {
		t.Errorf("confirmation to %v", conf.To)
	}
	if !strings.Contains(conf.Text, b.ManageURL) || !strings.Contains(conf.HTML, b.ManageURL) {
		t.Errorf("confirmation lacks the manage_url the API returned (%s)", b.ManageURL)
	}
	if ct := strings.ToLower(conf.CalendarType); !strings.Contains(ct, "text/calendar") || !strings.Contains(ct, "method=request") {
		t.Errorf("calendar part %q", conf.CalendarType)
	}
	if got, err := invitationEvent(t, conf.Calendar).DateTimeStart(time.UTC); err != nil || !got.Equal(slots[0]) {
		t.Errorf("invitation starts %s, booked %s", got, slots[0])
	}
	notice := mailWith(t, msgs, "Ada Client", "New consultation booked")
	if len(notice.To) != 1 || notice.To[0] != "dr.lee@consult.test" {
		t.Errorf("practitioner notice to %v", notice.To)
	}

	to := slots[len(slots)-1]
	r := a.do("POST", "/api/v1/bookings/"+b.token()+"/reschedule", map[string]string{"start": to.Format(time.RFC3339)}, nil)
	if r.Status != 200 {
		t.Fatalf("reschedule: %d %s", r.Status, r.Body)
	}
	msgs = a.deliver(2)
	if len(msgs) != 2 {
		t.Fatalf("%d messages after rescheduling, want 2", len(msgs))
	}
	moved := mailWith(t, msgs, "Ada Client", "has been moved")
	if ev := invitationEvent(t, moved.Calendar); ev.Props.Get("SEQUENCE").Value != "1" {
		t.Errorf("rescheduled invitation SEQUENCE %s, want 1", ev.Props.Get("SEQUENCE").Value)
	}
	mailWith(t, msgs, "Ada Client", "Consultation moved to")

	r = a.do("DELETE", "/api/v1/bookings/"+b.token(), nil, nil)
	if r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	msgs = a.deliver(4)
	if len(msgs) != 2 {
		t.Fatalf("%d messages after cancelling, want 2", len(msgs))
	}
	gone := mailWith(t, msgs, "Ada Client", "has been cancelled")
	if !strings.Contains(strings.ToLower(gone.CalendarType), "method=cancel") {
		t.Errorf("cancellation calendar part %q", gone.CalendarType)
	}
	mailWith(t, msgs, "Ada Client", "Consultation cancelled")
	if n := len(a.deliver(6)); n != 0 {
		t.Errorf("%d more messages on a second run, want none", n)
	}
}

func TestRefusedBookingQueuesNoEmail(t *testing.T) {
	a := newMailAPI(t, testNow)
	slot := a.slots(wednesday)[0]
	a.book(slot, "Ada Client")
	count := func() int {
		var n int
		if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	r := a.do("POST", "/api/v1/bookings", map[string]string{
		"start": slot.Format(time.RFC3339), "name": "Bo Other", "email": "bo@example.org",
	}, nil)
	if r.Status != 409 {
		t.Fatalf("second booking of the slot: %d %s", r.Status, r.Body)
	}
	r = a.do("POST", "/api/v1/bookings", map[string]string{"start": slot.Format(time.RFC3339), "name": "", "email": "bo"}, nil)
	if r.Status != 422 {
		t.Fatalf("invalid booking: %d", r.Status)
	}
	if after := count(); after != before {
		t.Fatalf("outbox rows %d → %d after refused bookings", before, after)
	}
	for _, m := range a.deliver(0) {
		if strings.Contains(m.Text, "Bo Other") {
			t.Fatal("a message went out about a booking that was refused")
		}
	}
}

// TestEmailsUseTheClientsClock checks a client's emails write times on
// the clock their language uses (or they chose), while the
// practitioner's stay on the 24-hour clock.
func TestEmailsUseTheClientsClock(t *testing.T) {
	a := newMailAPI(t, testNow)
	slots := a.slots(wednesday)
	tests := []struct {
		name   string
		body   map[string]any
		header map[string]string
		want   string
	}{
		{"US English", map[string]any{}, map[string]string{"Accept-Language": "en-US,en;q=0.9"}, "AM"},
		{"German", map[string]any{}, map[string]string{"Accept-Language": "de-DE"}, "24"},
		{"Chosen Clock", map[string]any{"hour_cycle": 24}, map[string]string{"Accept-Language": "en-US"}, "24"},
	}
	for i, tt := range tests {
		body := map[string]any{"start": slots[i*6].Format(time.RFC3339), "name": "Client " + tt.name, "email": "c" + strconv.Itoa(i) + "@example.org",
			"timezone": "America/Los_Angeles"}
		for k, v := range tt.body {
			body[k] = v
		}
		if r := a.do("POST", "/api/v1/bookings", body, tt.header); r.Status != 201 {
			t.Fatalf("%s: %d %s", tt.name, r.Status, r.Body)
		}
	}
	msgs := a.deliver(0)
	for i, tt := range tests {
		local := slots[i*6].In(mustZone(t, "America/Los_Angeles"))
		twelve, twentyFour := local.Format("3:04\u00a0PM"), local.Format("15:04")
		confirmed := "is confirmed"
		if tt.name == "German" {
			confirmed = "ist bestätigt" // a German browser's booking is written in German
		}
		conf := mailWith(t, msgs, "Client "+tt.name, confirmed)
		switch tt.want {
		case "AM":
			if !strings.Contains(conf.Text, twelve) {
				t.Errorf("%s: the confirmation lacks %q:\n%s", tt.name, twelve, conf.Text)
			}
		default:
			if !strings.Contains(conf.Text, twentyFour) || strings.Contains(conf.Text, "\u00a0AM") || strings.Contains(conf.Text, "\u00a0PM") {
				t.Errorf("%s: the confirmation is not on the 24-hour clock (%q):\n%s", tt.name, twentyFour, conf.Text)
			}
		}
		notice := mailWith(t, msgs, "Client "+tt.name, "New consultation booked")
		if strings.Contains(notice.Text, "\u00a0AM") || strings.Contains(notice.Text, "\u00a0PM") {
			t.Errorf("%s: the practitioner's notice is not on the 24-hour clock:\n%s", tt.name, notice.Text)
		}
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
