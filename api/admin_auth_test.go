package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"consult/api"
)

func adminSessionCookie(t *testing.T, h http.Header, name string) *http.Cookie {
	t.Helper()
	for _, line := range h.Values("Set-Cookie") {
		ck, err := http.ParseSetCookie(line)
		if err == nil && ck.Name == name {
			return ck
		}
	}
	t.Fatalf("no %s cookie in %q", name, h.Values("Set-Cookie"))
	return nil
}

func TestAdminSignInRenewsSessionAndSetsSafeCookie(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	b := a.newBrowser()
	wantAdminRedirect(t, b.get("/admin"), "/admin/sign-in")
	wantAdminRedirect(t, b.get("/admin/bookings?when=past"), "/admin/sign-in?next=%2Fadmin%2Fbookings%3Fwhen%3Dpast")

	b.get("/admin/sign-in")
	// A session id planted before signing in is not the one signed in.
	planted := &http.Cookie{Name: "consult_admin", Value: "planted-session-id-planted-session-id-abcdef", Path: "/"}
	b.client.Jar.SetCookies(mustParseURL(t, a.url), []*http.Cookie{planted})
	p := b.post("/admin/sign-in", url.Values{"email": {strings.ToUpper(adminEmail)}, "password": {adminPassword},
		"next": {"/admin/rules"}})
	wantAdminRedirect(t, p, "/admin/rules")
	after := adminSessionCookie(t, p.Header, "consult_admin")
	if after.Value == planted.Value || a.count(`SELECT count(*) FROM sessions WHERE token = $1`, planted.Value) != 0 {
		t.Error("session id was not renewed at sign-in")
	}
	if !after.HttpOnly || after.SameSite != http.SameSiteLaxMode || after.Secure || after.Path != "/" {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, not Secure over http, Path=/", after)
	}
	home := b.get("/admin")
	if home.Status != 200 || !strings.Contains(home.Body, "<title>Calendar, week of Mon 30 Nov 2026 · Admin</title>") || !strings.Contains(home.Body, "Two-step sign-in is off") {
		t.Fatalf("home: %d\n%s", home.Status, home.Body)
	}
	if cc := home.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	// An open redirect is not possible through next.
	b2 := a.newBrowser()
	b2.get("/admin/sign-in")
	p = b2.post("/admin/sign-in", url.Values{"email": {adminEmail}, "password": {adminPassword}, "next": {"//evil.example/admin"}})
	wantAdminRedirect(t, p, "/admin")
	if loc := p.Header.Get("Location"); loc != "/admin" {
		t.Errorf("next=//evil… redirected to %q", loc)
	}

	// Signing out ends the session.
	wantAdminRedirect(t, b.post("/admin/sign-out", nil), "/admin/sign-in")
	wantAdminRedirect(t, b.get("/admin"), "/admin/sign-in")
	got := a.auditActions()
	if len(got) < 3 || !strings.HasPrefix(got[0], "signin user:") {
		t.Errorf("audit log = %q, want sign-ins and the sign-out", got)
	}
}

func TestAdminCookieIsSecureWithHostPrefixOverHTTPS(t *testing.T) {
	a := newAdminTest(t, api.Config{BaseURL: "https://consult.test"})
	b := a.newBrowser()
	p := b.get("/admin/sign-in")
	form := adminSessionCookie(t, p.Header, "__Host-consult_signin")
	// The test server speaks http, so the cookie jar would not send a
	// Secure cookie back; send it by hand.
	req, err := http.NewRequest("POST", a.url+"/admin/sign-in", strings.NewReader(url.Values{
		"email": {adminEmail}, "password": {adminPassword}, "csrf": {b.csrf}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(form)
	p = b.send(req)
	wantAdminRedirect(t, p, "/admin")
	for _, ck := range []*http.Cookie{form, adminSessionCookie(t, p.Header, "__Host-consult_admin")} {
		if !ck.Secure || !ck.HttpOnly || ck.Path != "/" || ck.Domain != "" {
			t.Errorf("cookie %+v: want Secure, HttpOnly, Path=/ and no Domain", ck)
		}
	}
}

func mustParseURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestAdminWrongPasswordIsRefused(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	for _, c := range []struct{ email, password string }{
		{adminEmail, "calm river lantern 43"},
		{"nobody@example.org", adminPassword},
		{adminEmail, ""},
	} {
		b := a.newBrowser()
		p := b.signIn(c.email, c.password, "")
		if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "Email, password or code is not right.") {
			t.Fatalf("%s/%q: %d\n%s", c.email, c.password, p.Status, p.Body)
		}
		wantAdminRedirect(t, b.get("/admin"), "/admin/sign-in")
	}
}

func TestAdminSignInThrottlesPerAccountAndAddress(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	b := a.newBrowser()
	for i := 0; i < 4; i++ {
		if p := b.signIn(adminEmail, "wrong password "+string(rune('a'+i)), ""); p.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, p.Status)
		}
	}
	// The fifth failure asks for a short wait, and each failure after it
	// doubles the wait: slow for a guesser, never a long lock-out.
	p := b.signIn(adminEmail, "wrong password e", "")
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "Try again in 15 seconds.") {
		t.Fatalf("5th failure: %d\n%s", p.Status, p.Body)
	}
	// Even the right password waits now.
	p = b.signIn(adminEmail, adminPassword, "")
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "Try again in 15 seconds.") {
		t.Fatalf("right password while throttled: %d\n%s", p.Status, p.Body)
	}
	for i, want := range []string{"30 seconds", "1 minute", "2 minutes"} {
		a.clock.Add(15 * time.Second << i)
		if p = b.signIn(adminEmail, "wrong password again", ""); p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "Try again in "+want+".") {
			t.Fatalf("failure %d: %d, want a wait of %s\n%s", 6+i, p.Status, want, p.Body)
		}
	}
	// An unknown email is throttled the same way, so the answer tells nothing.
	for i := 0; i < 5; i++ {
		p = b.signIn("nobody@example.org", "wrong password", "")
	}
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "Try again in 15 seconds.") {
		t.Fatalf("unknown email: %d\n%s", p.Status, p.Body)
	}
	a.clock.Add(2 * time.Minute)
	if p = b.signIn(adminEmail, adminPassword, ""); p.Status != http.StatusSeeOther {
		t.Fatalf("after the wait: %d\n%s", p.Status, p.Body)
	}

	// Per address: many accounts tried from one address.
	a.clock.Add(time.Hour)
	b = a.newBrowser() // the one above is signed in now
	var last adminResp
	for i := 0; i < 20; i++ {
		last = b.signIn("someone"+string(rune('a'+i))+"@example.org", "wrong password", "")
	}
	if last.Status != http.StatusTooManyRequests {
		t.Fatalf("20th failure from one address: %d", last.Status)
	}
	if p = b.signIn(adminEmail, adminPassword, ""); p.Status != http.StatusTooManyRequests {
		t.Fatalf("address throttle let a sign-in through: %d", p.Status)
	}
}

func TestAdminSessionExpires(t *testing.T) {
	t.Run("store expiry", func(t *testing.T) {
		a := newAdminTest(t, api.Config{})
		b := a.mustSignIn()
		if p := b.get("/admin/bookings"); p.Status != 200 {
			t.Fatalf("signed in: %d", p.Status)
		}
		// What the absolute lifetime or idle timeout does when it passes.
		if _, err := a.pool.Exec(context.Background(), `UPDATE sessions SET expiry = $1`, a.clock.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		wantAdminRedirect(t, b.get("/admin/bookings"), "/admin/sign-in")
	})
	t.Run("idle timeout", func(t *testing.T) {
		a := newAdminTest(t, api.Config{AdminIdleTimeout: time.Second})
		b := a.mustSignIn()
		var expiry time.Time
		if err := a.pool.QueryRow(context.Background(), `SELECT max(expiry) FROM sessions`).Scan(&expiry); err != nil {
			t.Fatal(err)
		}
		if d := expiry.Sub(a.clock.Now()); d > 2*time.Second {
			t.Fatalf("session kept for %v with a 1 s idle timeout", d)
		}
		a.clock.Add(1500 * time.Millisecond)
		wantAdminRedirect(t, b.get("/admin"), "/admin/sign-in")
	})
	t.Run("absolute lifetime", func(t *testing.T) {
		// Activity does not stretch the lifetime, only the idle timeout.
		a := newAdminTest(t, api.Config{AdminLifetime: 1500 * time.Millisecond})
		b := a.mustSignIn()
		for i := range 3 {
			a.clock.Add(600 * time.Millisecond)
			if p := b.get("/admin/bookings"); i < 2 && p.Status != http.StatusOK {
				t.Fatalf("%d ms after signing in: %d", 600*(i+1), p.Status)
			}
		}
		wantAdminRedirect(t, b.get("/admin"), "/admin/sign-in")
	})
}

func TestAdminFormsNeedTheSessionCSRFToken(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	b := a.mustSignIn()
	count := func() int {
		var n int
		if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM api_tokens`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tok := range []string{"", "forged-token"} {
		p := b.post("/admin/tokens", url.Values{"name": {"script"}, "csrf": {tok}})
		if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "reload the page") {
			t.Fatalf("csrf %q: %d\n%s", tok, p.Status, p.Body)
		}
	}
	// A token from another session does not work either.
	other := a.mustSignIn()
	if p := b.post("/admin/tokens", url.Values{"name": {"script"}, "csrf": {other.csrf}}); p.Status != http.StatusForbidden {
		t.Fatalf("another session's token: %d", p.Status)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d tokens made by refused forms", n)
	}
	// A cross-site form post is refused even with the token.
	req, _ := http.NewRequest("POST", a.url+"/admin/tokens", strings.NewReader(url.Values{"name": {"x"}, "csrf": {b.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if p := b.send(req); p.Status != http.StatusForbidden {
		t.Fatalf("cross-site post: %d", p.Status)
	}
	// Signing in needs it too.
	anon := a.newBrowser()
	if p := anon.post("/admin/sign-in", url.Values{"email": {adminEmail}, "password": {adminPassword}}); p.Status != http.StatusForbidden {
		t.Fatalf("sign-in without a form token: %d", p.Status)
	}
	b.get("/admin/tokens")
	if p := b.post("/admin/tokens", url.Values{"name": {"script"}}); p.Status != 200 || count() != 1 {
		t.Fatalf("with the token: %d, %d tokens", p.Status, count())
	}
}

func TestAdminPasswordChangeEndsOtherSessions(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	b, other := a.mustSignIn(), a.mustSignIn()
	b.get("/admin/settings")
	p := b.post("/admin/settings/password", url.Values{"current_password": {adminPassword},
		"new_password": {"password1234"}, "confirm_password": {"password1234"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "too common") {
		t.Fatalf("common password: %d\n%s", p.Status, p.Body)
	}
	p = b.post("/admin/settings/password", url.Values{"current_password": {"not it at all"},
		"new_password": {"a much better passphrase"}, "confirm_password": {"a much better passphrase"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong current password: %d", p.Status)
	}
	p = b.post("/admin/settings/password", url.Values{"current_password": {adminPassword},
		"new_password": {"a much better passphrase"}, "confirm_password": {"a much better passphrase"}})
	wantAdminRedirect(t, p, "/admin/settings")
	if p := b.get("/admin/settings"); p.Status != 200 || !strings.Contains(p.Body, "Your password is changed") {
		t.Fatalf("this session after the change: %d", p.Status)
	}
	wantAdminRedirect(t, other.get("/admin"), "/admin/sign-in")
	if p := a.newBrowser().signIn(adminEmail, adminPassword, ""); p.Status != http.StatusUnauthorized {
		t.Fatalf("old password still works: %d", p.Status)
	}
	// Sign out everywhere ends this session too.
	third := a.newBrowser()
	if p := third.signIn(adminEmail, "a much better passphrase", ""); p.Status != http.StatusSeeOther {
		t.Fatalf("new password: %d", p.Status)
	}
	token := a.apiToken()
	if r := a.do("GET", "/api/v1/admin/settings", nil, map[string]string{"Authorization": "Bearer " + token}); r.Status != http.StatusOK {
		t.Fatalf("a fresh API token: %d", r.Status)
	}
	b.get("/admin/settings")
	wantAdminRedirect(t, b.post("/admin/settings/sign-out-everywhere", nil), "/admin/sign-in")
	wantAdminRedirect(t, b.get("/admin"), "/admin/sign-in")
	wantAdminRedirect(t, third.get("/admin"), "/admin/sign-in")
	// And revokes the API tokens, which a stolen session could have made.
	if r := a.do("GET", "/api/v1/admin/settings", nil, map[string]string{"Authorization": "Bearer " + token}); r.Status != http.StatusUnauthorized {
		t.Errorf("an API token after signing out everywhere: %d, want 401", r.Status)
	}
}
