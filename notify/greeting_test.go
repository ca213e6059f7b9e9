package notify_test

import (
	"strings"
	"testing"

	"consult/booking"
)

func TestAStrangersTextInTheNameFieldIsNotMailed(t *testing.T) {
	e := newEnv(t)
	_, _, err := e.svc.Book(e.ctx, booking.Request{
		Start: e.slot("2026-12-04", 0), Name: "Visit evil.example now to claim your refund",
		Email: "victim@example.org", TimeZone: "Europe/Berlin",
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	e.run()
	m := only(t, e.received(), "is confirmed")
	if strings.Contains(m.Text, "evil.example") || strings.Contains(m.HTML, "evil.example") || strings.Contains(m.Header.Get("To"), "evil") {
		t.Errorf("the client's email carries the stranger's text:\nTo: %s\n%s", m.Header.Get("To"), m.Text)
	}
	if !strings.HasPrefix(strings.TrimSpace(m.Text), "Hello,\r\n") && !strings.HasPrefix(strings.TrimSpace(m.Text), "Hello,\n") {
		t.Errorf("the email does not greet plainly:\n%s", m.Text)
	}
}
