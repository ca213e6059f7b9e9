package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/pquerna/otp/totp"

	"consult/api"
)

// TestAdminSignInThrottleHoldsUnderParallelAttempts sends a burst of wrong
// passwords at once: the throttle must count them as they come, so no
// more passwords are checked than the limit allows.
func TestAdminSignInThrottleHoldsUnderParallelAttempts(t *testing.T) {
	for _, c := range []struct {
		name  string
		n     int
		limit int
		email func(i int) string
	}{
		{"one account", 15, 5, func(int) string { return adminEmail }},
		{"one address", 30, 20, func(i int) string { return fmt.Sprintf("someone%d@example.org", i) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := newAdminTest(t, api.Config{})
			reqs := make([]*http.Request, c.n)
			clients := make([]*http.Client, c.n)
			for i := range reqs {
				b := a.newBrowser()
				b.get("/admin/sign-in")
				form := url.Values{"email": {c.email(i)}, "password": {"wrong password " + fmt.Sprint(i)}, "csrf": {b.csrf}}
				req, err := http.NewRequest("POST", a.url+"/admin/sign-in", strings.NewReader(form.Encode()))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				reqs[i], clients[i] = req, b.client
			}
			statuses, bodies, errs := make([]int, c.n), make([]string, c.n), make([]error, c.n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range reqs {
				wg.Go(func() {
					<-start
					resp, err := clients[i].Do(reqs[i])
					if err != nil {
						errs[i] = err
						return
					}
					defer resp.Body.Close()
					body, err := io.ReadAll(resp.Body)
					statuses[i], bodies[i], errs[i] = resp.StatusCode, string(body), err
				})
			}
			close(start)
			wg.Wait()

			refused := 0
			for i := range statuses {
				switch {
				case errs[i] != nil:
					t.Fatal(errs[i])
				case statuses[i] == http.StatusTooManyRequests && strings.Contains(bodies[i], "Too many failed sign-ins. Try again in"):
					refused++
				case statuses[i] != http.StatusUnauthorized:
					t.Errorf("attempt %d: %d\n%s", i, statuses[i], bodies[i])
				}
			}
			// Every checked password leaves one failed sign-in in the audit log.
			checked := a.count(`SELECT count(*) FROM audit_log WHERE action = 'signin.failed'`)
			if checked > c.limit || refused < c.n-c.limit {
				t.Fatalf("%d of %d passwords checked (limit %d), %d refused to wait", checked, c.n, c.limit, refused)
			}
		})
	}
}

// adminCSRFValueRE finds the form token, which differs from browser to browser.
var adminCSRFValueRE = regexp.MustCompile(`name="csrf" value="[^"]+"`)

// TestAdminSignInFailuresLookAlike: with two-step sign-in on, a wrong
// password and a right password with a wrong code get the same answer, so
// the form cannot be used to find out whether a password is right.
func TestAdminSignInFailuresLookAlike(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "test", AccountName: adminEmail})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.EnableTOTP(context.Background(), a.user.ID, key.Secret(), nil, testNow); err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(key.Secret(), a.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	wrongPassword := a.newBrowser().signIn(adminEmail, "calm river lantern 43", code)
	wrongCode := a.newBrowser().signIn(adminEmail, adminPassword, "000000")
	noCode := a.newBrowser().signIn(adminEmail, adminPassword, "")
	want := wrongPassword.Status
	wantBody := adminCSRFValueRE.ReplaceAllString(wrongPassword.Body, "csrf")
	if want != http.StatusUnauthorized || !strings.Contains(wantBody, "Email, password or code is not right.") {
		t.Fatalf("wrong password: %d\n%s", want, wantBody)
	}
	for name, p := range map[string]adminResp{"right password, wrong code": wrongCode, "right password, no code": noCode} {
		if got := adminCSRFValueRE.ReplaceAllString(p.Body, "csrf"); p.Status != want || got != wantBody {
			t.Errorf("%s: %d, want %d and the same page as a wrong password:\n%s", name, p.Status, want, got)
		}
	}
}

// TestAdminAnonymousVisitsStoreNoSession: the sign-in form and the
// redirects to it keep nothing in the sessions table, so anonymous requests
// cannot fill it; the form still signs in.
func TestAdminAnonymousVisitsStoreNoSession(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	sessions := func() int { return a.count(`SELECT count(*) FROM sessions`) }
	for i := 0; i < 5; i++ {
		b := a.newBrowser()
		for _, path := range []string{"/admin/sign-in", "/admin/sign-in?signed_out=1", "/admin", "/admin/bookings?when=past"} {
			if p := b.get(path); p.Status >= 400 {
				t.Fatalf("%s: %d", path, p.Status)
			}
		}
		if p := b.signIn(fmt.Sprintf("nobody%d@example.org", i), "not the password", ""); p.Status != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", p.Status)
		}
	}
	if n := sessions(); n != 0 {
		t.Fatalf("anonymous visits stored %d sessions", n)
	}
	b := a.mustSignIn()
	if n := sessions(); n != 1 {
		t.Fatalf("%d sessions after signing in, want 1", n)
	}
	// Signing out keeps nothing either, though the form says so.
	wantAdminRedirect(t, b.post("/admin/sign-out", nil), "/admin/sign-in?signed_out=1")
	if p := b.get("/admin/sign-in?signed_out=1"); !strings.Contains(p.Body, "You are signed out.") {
		t.Fatalf("after signing out:\n%s", p.Body)
	}
	if n := sessions(); n != 0 {
		t.Fatalf("%d sessions after signing out", n)
	}
}

// TestAdminSignInFormCSRF: the form's token is bound to a cookie of this
// browser; without the cookie, or with another browser's token, signing in
// is refused.
func TestAdminSignInFormCSRF(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	b, other := a.newBrowser(), a.newBrowser()
	b.get("/admin/sign-in")
	other.get("/admin/sign-in")
	if b.csrf == "" || b.csrf == other.csrf {
		t.Fatalf("form tokens %q and %q", b.csrf, other.csrf)
	}
	form := url.Values{"email": {adminEmail}, "password": {adminPassword}}
	if p := b.post("/admin/sign-in", with(form, "csrf", other.csrf)); p.Status != http.StatusForbidden {
		t.Fatalf("another browser's token: %d", p.Status)
	}
	if p := a.newBrowser().post("/admin/sign-in", with(form, "csrf", b.csrf)); p.Status != http.StatusForbidden {
		t.Fatalf("a token without its cookie: %d", p.Status)
	}
	if n := a.count(`SELECT count(*) FROM audit_log`); n != 0 {
		t.Fatalf("refused forms were handled: %d audit entries", n)
	}
	wantAdminRedirect(t, b.post("/admin/sign-in", with(form, "csrf", b.csrf)), "/admin")
}
