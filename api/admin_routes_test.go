package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"consult/api"
	"consult/api/httpx"
)

// adminPublicRoutes are the only admin routes open without signing in.
var adminPublicRoutes = map[string]bool{
	"GET /admin/sign-in":  true,
	"POST /admin/sign-in": true,
}

var adminRouteParam = regexp.MustCompile(`:[a-z_]+`)

// TestEveryAdminRouteRefusesStrangers walks the router, so a route added
// later without protection fails here: pages send strangers to sign in,
// the API answers 401 with a problem, whatever the method.
func TestEveryAdminRouteRefusesStrangers(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	token := a.apiToken()
	revoked := a.apiToken()
	if _, err := a.pool.Exec(context.Background(), `UPDATE api_tokens SET revoked_at = now() WHERE id = (SELECT max(id) FROM api_tokens)`); err != nil {
		t.Fatal(err)
	}
	signedIn := a.mustSignIn()
	// Another practitioner session, whose form token must not work in signedIn's.
	foreign := a.mustSignIn()

	pages, apis := 0, 0
	for _, r := range a.srv.Routes() {
		isPage := r.Path == "/admin" || strings.HasPrefix(r.Path, "/admin/")
		isAPI := r.Path == "/api/v1/admin" || strings.HasPrefix(r.Path, "/api/v1/admin/")
		if !isPage && !isAPI || adminPublicRoutes[r.Method+" "+r.Path] {
			continue
		}
		method := r.Method
		if method == echo.RouteNotFound || method == "echo_route_any" {
			method = http.MethodGet
		}
		path := adminRouteParam.ReplaceAllString(strings.ReplaceAll(r.Path, "*", "anything"), "1")
		name := r.Method + " " + r.Path
		if isPage {
			pages++
			p := a.newBrowser().send(adminRequest(t, method, a.url+path))
			if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/admin/sign-in") {
				t.Errorf("%s without a session: %d %q, want 303 to sign-in", name, p.Status, p.Header.Get("Location"))
			}
			if method == http.MethodGet || method == http.MethodHead {
				continue
			}
			// Signed in, a state-changing form still needs this session's token.
			before := a.state()
			for _, csrf := range []string{"", foreign.csrf} {
				req := adminRequest(t, method, a.url+path)
				req.Body = io.NopCloser(strings.NewReader(url.Values{"csrf": {csrf}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if p := signedIn.send(req); p.Status != http.StatusForbidden {
					t.Errorf("%s signed in with form token %q: %d, want 403", name, csrf, p.Status)
				}
			}
			if a.state() != before {
				t.Errorf("%s without the session's form token changed data", name)
			}
			continue
		}
		apis++
		for _, auth := range []string{"", "Bearer", "Bearer " + strings.Repeat("A", 22), "Bearer " + revoked, "Basic " + token} {
			req := adminRequest(t, method, a.url+path)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := a.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var prob httpx.Problem
			_ = json.NewDecoder(resp.Body).Decode(&prob)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Content-Type") != "application/problem+json" ||
				prob.Status != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s with %q: %d %s %+v, want a 401 problem", name, auth, resp.StatusCode, resp.Header.Get("Content-Type"), prob)
			}
		}
		// A browser session is no key to the API.
		if p := signedIn.send(adminRequest(t, method, a.url+path)); p.Status != http.StatusUnauthorized {
			t.Errorf("%s with only a session cookie: %d, want 401", name, p.Status)
		}
		// The valid token is: whatever the route makes of the empty
		// request, it is not refused for want of authorisation.
		req := adminRequest(t, method, a.url+path)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := a.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden || resp.StatusCode >= 500 {
			t.Errorf("%s with a valid token: %d", name, resp.StatusCode)
		}
	}
	// Nothing above signed the practitioner out.
	if p := signedIn.get("/admin"); p.Status != http.StatusOK {
		t.Errorf("the signed-in session after the checks: %d", p.Status)
	}
	if pages < 38 || apis < 12 {
		t.Fatalf("checked %d page and %d API routes; the router lists fewer admin routes than expected", pages, apis)
	}
}

func adminRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
