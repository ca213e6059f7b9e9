package api_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"consult/api"
)

// TestSecurityChangesNeedTheRecentPassword plays a stolen session cookie:
// minutes after the practitioner signed in, it can neither mint an API
// token nor set up an authenticator, change the password or turn two-step
// sign-in off without the password (and, with two-step sign-in on, a code).
func TestSecurityChangesNeedTheRecentPassword(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	b := a.mustSignIn()
	tokens := func() int { return a.count(`SELECT count(*) FROM api_tokens`) }

	// Just signed in: no need to confirm.
	b.get("/admin/tokens")
	if p := b.post("/admin/tokens", url.Values{"name": {"fresh"}}); p.Status != http.StatusOK || tokens() != 1 {
		t.Fatalf("a token right after signing in: %d, %d tokens", p.Status, tokens())
	}

	a.clock.Add(6 * time.Minute)
	for _, path := range []string{"/admin/tokens", "/admin/settings/totp/start", "/admin/settings/password", "/admin/settings/totp/disable"} {
		p := b.post(path, url.Values{"name": {"stolen"}, "current_password": {"x"}, "password": {"x"}})
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/admin/confirm?next=") {
			t.Errorf("%s six minutes after signing in: %d to %q, want 303 to confirm", path, p.Status, p.Header.Get("Location"))
		}
	}
	if tokens() != 1 {
		t.Fatalf("%d tokens: one was made without confirming", tokens())
	}

	if p := b.get("/admin/confirm?next=/admin/tokens"); p.Status != http.StatusOK || !strings.Contains(p.Body, "Confirm it is you") {
		t.Fatalf("confirm page: %d", p.Status)
	}
	if p := b.post("/admin/confirm", url.Values{"password": {"not it"}, "next": {"/admin/tokens"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a wrong password confirms: %d", p.Status)
	}
	p := b.post("/admin/confirm", url.Values{"password": {adminPassword}, "next": {"https://evil.example/"}})
	wantAdminRedirect(t, p, "/admin/settings") // never off the admin area
	if p := b.post("/admin/tokens", url.Values{"name": {"confirmed"}}); p.Status != http.StatusOK || tokens() != 2 {
		t.Fatalf("a token after confirming: %d, %d tokens", p.Status, tokens())
	}

	// With two-step sign-in on, confirming needs a code too.
	b.get("/admin/settings")
	setup := b.post("/admin/settings/totp/start", nil)
	m := adminSecretRE.FindStringSubmatch(setup.Body)
	if m == nil {
		t.Fatalf("setup page: %d", setup.Status)
	}
	code, _ := totp.GenerateCode(m[1], a.clock.Now())
	if done := b.post("/admin/settings/totp/confirm", url.Values{"code": {code}}); done.Status != http.StatusOK {
		t.Fatalf("turning two-step sign-in on: %d", done.Status)
	}
	a.clock.Add(6 * time.Minute)
	if p := b.post("/admin/confirm", url.Values{"password": {adminPassword}, "next": {"/admin/tokens"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("the password alone confirms with two-step sign-in on: %d", p.Status)
	}
	code, _ = totp.GenerateCode(m[1], a.clock.Now())
	wantAdminRedirect(t, b.post("/admin/confirm", url.Values{"password": {adminPassword}, "code": {code}, "next": {"/admin/tokens"}}), "/admin/tokens")
}

// TestSecurityChangesAreEmailed checks each change to how the practitioner
// signs in sends them a notice, so one they did not make is noticed.
func TestSecurityChangesAreEmailed(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	b := a.mustSignIn()
	b.get("/admin/tokens")
	if p := b.post("/admin/tokens", url.Values{"name": {"laptop"}}); p.Status != http.StatusOK {
		t.Fatalf("token: %d", p.Status)
	}
	b.get("/admin/settings")
	wantAdminRedirect(t, b.post("/admin/settings/sign-out-everywhere", nil), "/admin/sign-in")
	notices := a.count(`SELECT count(*) FROM outbox WHERE kind = 'security' AND recipient = 'practitioner' AND booking_id IS NULL`)
	if notices != 2 {
		t.Fatalf("%d security notices queued, want 2 (token, sign out everywhere)", notices)
	}
	var id int64
	if err := a.pool.QueryRow(t.Context(), `SELECT min(id) FROM outbox WHERE kind = 'security'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	b = a.mustSignIn()
	p := b.get("/admin/email/" + strconv.FormatInt(id, 10))
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Security notice: A new API token was created") ||
		!strings.Contains(p.Body, "consult admin reset-password") {
		t.Fatalf("the notice as the Email page shows it: %d\n%s", p.Status, p.Body)
	}
}

// TestWrongPasswordsElsewhereDoNotLockThePractitionerOut replays the
// lock-out attack: wrong passwords from any browser stop further tries
// from unknown browsers, but a browser the practitioner signed in from
// before keeps its own budget and signs in.
func TestWrongPasswordsElsewhereDoNotLockThePractitionerOut(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	mine := a.mustSignIn()
	wantAdminRedirect(t, mine.post("/admin/sign-out", nil), "/admin/sign-in")

	attacker := a.newBrowser()
	for range 6 {
		attacker.signIn(adminEmail, "guessing wrong", "")
	}
	if p := a.newBrowser().signIn(adminEmail, adminPassword, ""); p.Status != http.StatusTooManyRequests {
		t.Fatalf("an unknown browser after the guesses: %d, want 429", p.Status)
	}
	if p := mine.signIn(adminEmail, adminPassword, ""); p.Status != http.StatusSeeOther {
		t.Fatalf("the practitioner's own browser after someone's guesses: %d, want to be signed in\n%s", p.Status, p.Body)
	}
	// The device cookie is for that account only: another email typed in
	// that browser draws on the shared budget.
	for range 6 {
		mine.signIn("someone@example.org", "guessing wrong", "")
	}
	if n := a.count(`SELECT count(*) FROM sign_in_devices`); n != 1 {
		t.Errorf("%d remembered browsers, want 1", n)
	}
}
