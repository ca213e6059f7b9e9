package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"consult/api"
	"consult/booking"
	"consult/storage"
	"consult/webhook"
)

// TestAdminWebhooksAPI drives the webhook operations: an endpoint is made
// with its secret shown once, listed without it, refused for bad input,
// sent a signed test event and told of a booking, and removed; every
// answer is checked against openapi.yaml by a.do.
func TestAdminWebhooksAPI(t *testing.T) {
	var mu sync.Mutex
	var got []*http.Request
	var bodies []string
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, string(b))
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer receiver.Close()
	var worker *webhook.Worker
	a := newAdminTest(t, api.Config{}, func(d *api.Deps, store *storage.Store) {
		worker = webhook.New(webhook.Config{AllowPrivate: true}, store, d.Service.Now, nil)
		d.Webhooks = worker
	})
	auth := map[string]string{"Authorization": "Bearer " + a.apiToken()}
	call := func(method, path string, body any, want int) response {
		t.Helper()
		r := a.do(method, path, body, auth)
		if r.Status != want {
			t.Fatalf("%s %s: %d, want %d\n%s", method, path, r.Status, want, r.Body)
		}
		return r
	}

	for _, bad := range []struct {
		body  string
		field string
	}{
		{`{"url": "ftp://hooks.example.com/x", "events": ["booking.created"]}`, "url"},
		{`{"url": "https://user:pw@hooks.example.com/x", "events": ["booking.created"]}`, "url"},
		{`{"url": "hooks.example.com", "events": ["booking.created"]}`, "url"},
		{`{"url": "https://hooks.example.com/x", "events": []}`, "events"},
		{`{"url": "https://hooks.example.com/x", "events": ["booking.eaten"]}`, "events"},
	} {
		if p := call("POST", "/api/v1/admin/webhooks", bad.body, 422).problem(t); p.Errors[bad.field] == "" {
			t.Errorf("%s: problem %+v, want errors.%s", bad.body, p, bad.field)
		}
	}
	call("POST", "/api/v1/admin/webhooks", `{"url": "https://hooks.example.com/x", "events": ["booking.created"], "secret": "mine"}`, 400)

	var made struct {
		ID     int64    `json:"id"`
		Secret string   `json:"secret"`
		Events []string `json:"events"`
	}
	call("POST", "/api/v1/admin/webhooks", map[string]any{"url": receiver.URL + "/in",
		"events": []string{"booking.cancelled", "booking.created"}, "include_client_details": true}, 201).decode(t, &made)
	if !strings.HasPrefix(made.Secret, "whsec_") || strings.Join(made.Events, ",") != "booking.created,booking.cancelled" {
		t.Fatalf("made %+v", made)
	}
	list := call("GET", "/api/v1/admin/webhooks", nil, 200)
	if strings.Contains(string(list.Body), made.Secret[6:]) || !strings.Contains(string(list.Body), receiver.URL) {
		t.Fatalf("list: %s", list.Body)
	}

	var test struct {
		Delivered  bool `json:"delivered"`
		HTTPStatus int  `json:"http_status"`
	}
	call("POST", "/api/v1/admin/webhooks/"+strconv.FormatInt(made.ID, 10)+"/test", nil, 200).decode(t, &test)
	if !test.Delivered || test.HTTPStatus != 202 || len(got) != 1 {
		t.Fatalf("test event: %+v, receiver got %d", test, len(got))
	}
	sig, err := webhook.Sign(made.Secret, got[0].Header.Get("webhook-id"), parseUnix(t, got[0].Header.Get("webhook-timestamp")), []byte(bodies[0]))
	if err != nil || sig != got[0].Header.Get("webhook-signature") || !strings.Contains(bodies[0], `"type":"webhook.test"`) {
		t.Fatalf("test event headers %v body %s (want signature %s, %v)", got[0].Header, bodies[0], sig, err)
	}

	a.book(time.Date(2026, 12, 8, 9, 0, 0, 0, adminLA), "Morning Client")
	if _, err := worker.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 2 || !strings.Contains(bodies[1], `"type":"booking.created"`) || !strings.Contains(bodies[1], "Morning Client") {
		t.Fatalf("after a booking the receiver has %q", bodies)
	}
	var log struct {
		Deliveries []struct {
			Event, Status string
		} `json:"deliveries"`
	}
	call("GET", "/api/v1/admin/webhooks/"+strconv.FormatInt(made.ID, 10)+"/deliveries", nil, 200).decode(t, &log)
	if len(log.Deliveries) != 2 || log.Deliveries[0].Event != booking.EventBookingCreated || log.Deliveries[1].Status != "delivered" {
		t.Fatalf("delivery log %+v", log)
	}
	call("POST", "/api/v1/admin/webhooks/"+strconv.FormatInt(made.ID, 10)+"/enable", nil, 200)
	call("DELETE", "/api/v1/admin/webhooks/"+strconv.FormatInt(made.ID, 10), nil, 204)
	call("DELETE", "/api/v1/admin/webhooks/"+strconv.FormatInt(made.ID, 10), nil, 404)
	call("POST", "/api/v1/admin/webhooks/"+strconv.FormatInt(made.ID, 10)+"/test", nil, 404)
	call("GET", "/api/v1/admin/webhooks/"+strconv.FormatInt(made.ID, 10)+"/deliveries", nil, 404)
	if r := a.do("GET", "/api/v1/admin/webhooks", nil, nil); r.Status != 401 {
		t.Fatalf("without a token: %d", r.Status)
	}
}

func parseUnix(t *testing.T, s string) time.Time {
	t.Helper()
	var n int64
	if err := json.Unmarshal([]byte(s), &n); err != nil {
		t.Fatalf("timestamp %q: %v", s, err)
	}
	return time.Unix(n, 0)
}
