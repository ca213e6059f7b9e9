package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"consult/api"
)

// TestSecurityHeadersOnEveryKindOfResponse checks the headers on pages,
// JSON, problems, refusals before routing (413, 405, 404), rate-limit
// answers, static files and calendar downloads alike.
func TestSecurityHeadersOnEveryKindOfResponse(t *testing.T) {
	a := newTestAPIWith(t, api.Config{BaseURL: "http://consult.test", RateLimitPerMinute: 1})
	big := `{"name":"` + strings.Repeat("x", 70<<10) + `"}`
	slot := a.slots(wednesday)[0].Format(time.RFC3339)
	requests := []struct {
		name, method, path, body string
		status                   int
	}{
		{"json", "GET", "/api/v1/slots?from=2026-12-02&to=2026-12-02", "", 200},
		{"problem", "GET", "/api/v1/slots", "", 422},
		{"unknown route", "GET", "/no/such/page", "", 404},
		{"wrong method", "PUT", "/api/v1/slots", "", 405},
		{"too large", "POST", "/api/v1/bookings", big, 413},
		{"booked", "POST", "/api/v1/bookings", `{"start":"` + slot + `","name":"H","email":"h@example.org"}`, 201},
		{"rate limited", "POST", "/api/v1/bookings", `{"start":"` + slot + `","name":"H","email":"h@example.org"}`, 429},
		{"health", "GET", "/healthz", "", 200},
	}
	for _, r := range requests {
		req, _ := http.NewRequest(r.method, a.url+r.path, strings.NewReader(r.body))
		if r.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := a.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != r.status {
			t.Errorf("%s: status %d, want %d", r.name, resp.StatusCode, r.status)
		}
		for h, want := range map[string]string{
			"Content-Security-Policy": "frame-ancestors 'none'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"Permissions-Policy":      "camera=()",
		} {
			if got := resp.Header.Get(h); !strings.Contains(got, want) {
				t.Errorf("%s (%d): %s = %q, want it to contain %q", r.name, resp.StatusCode, h, got, want)
			}
		}
		if resp.Header.Get("X-Request-ID") == "" {
			t.Errorf("%s: no X-Request-ID", r.name)
		}
		if resp.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS sent over plain http", r.name)
		}
	}
}

func TestHSTSOnlyWhenServedOverHTTPS(t *testing.T) {
	a := newTestAPIWith(t, api.Config{BaseURL: "https://consult.test"})
	resp, err := a.client.Get(a.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.Contains(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("HSTS = %q with an https BASE_URL", resp.Header.Get("Strict-Transport-Security"))
	}
}

func TestClientRequestIDIsNotTrusted(t *testing.T) {
	a := newTestAPI(t)
	req, _ := http.NewRequest("GET", a.url+"/healthz", nil)
	req.Header.Set("X-Request-ID", "injected\u2028value")
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-ID"); got == "" || strings.Contains(got, "injected") {
		t.Errorf("X-Request-ID = %q, want a fresh server-made id", got)
	}
}
