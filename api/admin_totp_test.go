package api_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"consult/api"
)

var (
	adminSecretRE   = regexp.MustCompile(`<code class="secret">([A-Z2-7]+)</code>`)
	adminRecoveryRE = regexp.MustCompile(`<li><code>([A-Z2-7]{5}-[A-Z2-7]{5})</code></li>`)
)

func TestAdminTwoStepSignIn(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	b, other := a.mustSignIn(), a.mustSignIn()
	b.get("/admin/settings")
	setup := b.post("/admin/settings/totp/start", nil)
	m := adminSecretRE.FindStringSubmatch(setup.Body)
	if setup.Status != 200 || m == nil || !strings.Contains(setup.Body, `src="data:image/png;base64,`) {
		t.Fatalf("setup page: %d\n%s", setup.Status, setup.Body)
	}
	secret := m[1]
	code := func() string {
		c, err := totp.GenerateCode(secret, a.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if p := b.post("/admin/settings/totp/confirm", url.Values{"code": {"000000"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong confirmation code: %d", p.Status)
	}
	done := b.post("/admin/settings/totp/confirm", url.Values{"code": {code()}})
	codes := adminRecoveryRE.FindAllStringSubmatch(done.Body, -1)
	if done.Status != 200 || len(codes) != 10 {
		t.Fatalf("confirm: %d, %d recovery codes\n%s", done.Status, len(codes), done.Body)
	}
	// Turning it on ended the other session but kept this one.
	wantAdminRedirect(t, other.get("/admin"), "/admin/sign-in")
	if p := b.get("/admin/settings"); p.Status != 200 || strings.Contains(p.Body, "Two-step sign-in is off") {
		t.Fatalf("this session after turning it on: %d", p.Status)
	}

	// Signing in at once with the code that turned it on is refused, with
	// a word to wait for the next code rather than the one answer for a
	// wrong password or code.
	if p := a.newBrowser().signIn(adminEmail, adminPassword, code()); p.Status != http.StatusUnauthorized ||
		!strings.Contains(p.Body, "That code was just used. Wait for your app to show the next code") ||
		strings.Contains(p.Body, "Email, password or code is not right.") {
		t.Fatalf("the confirming code again: %d\n%s", p.Status, p.Body)
	}
	a.clock.Add(30 * time.Second) // the confirming code is spent; take the next one
	for _, c := range []struct {
		name, password, code string
	}{
		{"password only", adminPassword, ""},
		{"wrong code", adminPassword, "123456"},
		{"wrong password, right code", "calm river lantern 43", code()},
		{"unknown email, right code", adminPassword, code()},
	} {
		email := adminEmail
		if strings.HasPrefix(c.name, "unknown") {
			email = "nobody@example.org"
		}
		p := a.newBrowser().signIn(email, c.password, c.code)
		if p.Status != http.StatusUnauthorized {
			t.Fatalf("%s: %d\n%s", c.name, p.Status, p.Body)
		}
		if !strings.Contains(p.Body, "Email, password or code is not right.") {
			t.Errorf("%s: not the one answer for every failure:\n%s", c.name, p.Body)
		}
	}
	ok := a.newBrowser()
	if p := ok.signIn(adminEmail, adminPassword, code()); p.Status != http.StatusSeeOther {
		t.Fatalf("right password and code: %d\n%s", p.Status, p.Body)
	}
	// The same code cannot be used twice.
	if p := a.newBrowser().signIn(adminEmail, adminPassword, code()); p.Status != http.StatusUnauthorized ||
		!strings.Contains(p.Body, "Wait for your app to show the next code") {
		t.Fatalf("replayed code: %d\n%s", p.Status, p.Body)
	}
	// The reused-code word needs the right password too.
	if p := a.newBrowser().signIn(adminEmail, "calm river lantern 43", code()); p.Status != http.StatusUnauthorized ||
		!strings.Contains(p.Body, "Email, password or code is not right.") {
		t.Fatalf("replayed code, wrong password: %d\n%s", p.Status, p.Body)
	}
	// A recovery code works once, in any case and spacing.
	rc := strings.ToLower(codes[0][1])
	if p := a.newBrowser().signIn(adminEmail, adminPassword, rc); p.Status != http.StatusSeeOther {
		t.Fatalf("recovery code: %d\n%s", p.Status, p.Body)
	}
	if p := a.newBrowser().signIn(adminEmail, adminPassword, rc); p.Status != http.StatusUnauthorized {
		t.Fatalf("recovery code used twice: %d", p.Status)
	}

	// Turning it off needs the password and ends other sessions.
	ok.get("/admin/settings")
	if p := ok.post("/admin/settings/totp/disable", url.Values{"password": {"nope nope nope"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("disable with a wrong password: %d", p.Status)
	}
	wantAdminRedirect(t, ok.post("/admin/settings/totp/disable", url.Values{"password": {adminPassword}}), "/admin/settings")
	wantAdminRedirect(t, b.get("/admin"), "/admin/sign-in")
	if p := a.newBrowser().signIn(adminEmail, adminPassword, ""); p.Status != http.StatusSeeOther {
		t.Fatalf("password alone after turning it off: %d", p.Status)
	}
}
