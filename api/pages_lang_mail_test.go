package api_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"consult/booking"
)

// The pages a client reaches from their emails, a held time's and a
// waitlist entry's, read in the language the client booked or joined in,
// whatever the browser that opens the link asks for.
func TestPagesFromEmailsReadInTheStoredLanguage(t *testing.T) {
	a := newMailAPI(t, testNow, booking.WithConfirmByEmail(30*time.Minute))
	start := a.slots(wednesday)[0]
	r := a.do("POST", "/api/v1/bookings", fmt.Sprintf(`{"start":%q,"name":"Ada Lovelace","email":"ada@example.org","timezone":"Europe/Paris","language":"fr"}`,
		start.Format(time.RFC3339)), nil)
	if r.Status != 202 {
		t.Fatalf("hold: %d %s", r.Status, r.Body)
	}
	m := manageLinkRE.FindStringSubmatch(a.deliver(0)[0].Text)
	if m == nil {
		t.Fatal("no manage link in the email")
	}
	code, _, body := a.page("GET", "/manage/"+m[1])
	if code != 200 || !strings.Contains(body, `<html lang="fr">`) || !strings.Contains(body, "Confirmez votre entretien") ||
		!strings.Contains(body, "mercredi 2 décembre 2026") || !strings.Contains(body, "heure de Paris") {
		t.Errorf("the held time's page: %d\n%s", code, body)
	}

	join := `{"name":"Wren Waiting","email":"wren@example.org","timezone":"Europe/Madrid","days":["wed","thu"],"parts":["evening"],"from":"2026-12-02","to":"2026-12-20","language":"es"}`
	if r := a.do("POST", "/api/v1/waitlist", join, nil); r.Status != 202 {
		t.Fatalf("join: %d %s", r.Status, r.Body)
	}
	var link []string
	for _, msg := range a.deliver(1) {
		if link = regexp.MustCompile(`http://consult.test(/waitlist/[A-Za-z0-9_-]+)\r?\n`).FindStringSubmatch(msg.Text); link != nil {
			break
		}
	}
	if link == nil {
		t.Fatal("no waitlist link in the email")
	}
	code, _, body = a.page("GET", link[1])
	if code != 200 || !strings.Contains(body, `<html lang="es">`) || !strings.Contains(body, "Confirme su lugar en la lista de espera") ||
		!strings.Contains(body, "los miércoles y los jueves, por la noche, del mié. 2 dic. 2026 al dom. 20 dic. 2026, hora de Madrid") {
		t.Errorf("the waitlist entry's page: %d\n%s", code, body)
	}
}
