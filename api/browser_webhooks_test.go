package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"consult/api"
	"consult/booking"
	"consult/storage"
	"consult/webhook"
)

// TestWebhooksPageInBrowser: the practitioner adds an endpoint in a real
// browser, is told at the field what is missing, sees the secret once,
// sends a test event that the receiver gets, and the page passes axe-core
// and fits a phone's width.
func TestWebhooksPageInBrowser(t *testing.T) {
	b := needBrowser(t)
	var hits atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("webhook-signature") != "" {
			hits.Add(1)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()
	a := newAdminTest(t, api.Config{}, func(d *api.Deps, store *storage.Store) {
		d.Webhooks = webhook.New(webhook.Config{AllowPrivate: true}, store, d.Service.Now, nil)
	})
	tb := signedInTab(t, b, a, 1280)
	if code := tb.open(a.url + "/admin/webhooks"); code != 200 {
		t.Fatalf("/admin/webhooks: %d", code)
	}

	// Every event is ticked to begin with. None chosen: told at the
	// field, the address kept.
	if n := evalIn[int](tb, `document.querySelectorAll("input[name=events]:checked").length`); n != len(booking.WebhookEvents) {
		t.Fatalf("%d events ticked at first, want all %d", n, len(booking.WebhookEvents))
	}
	tb.must(
		chromedp.SendKeys(chromedp.ID("url"), receiver.URL+"/in"),
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("input[name=events]").forEach(function (b) { b.checked = false; })`),
	)
	if code := tb.follow(chromedp.Click(chromedp.CSS(`form[action="/admin/webhooks"] button`))); code != 422 {
		t.Fatalf("without events: %d", code)
	}
	if msg := tb.text("#events-error"); !strings.Contains(msg, "at least one event") {
		t.Fatalf("events error: %q", msg)
	}
	if v := evalIn[string](tb, `document.getElementById("url").value`); v != receiver.URL+"/in" {
		t.Fatalf("the address was not kept: %q", v)
	}

	tb.must(
		chromedp.Click(chromedp.CSS(`input[name=events][value="booking.created"]`)),
		chromedp.Click(chromedp.CSS(`input[name=events][value="booking.cancelled"]`)),
	)
	if code := tb.follow(chromedp.Click(chromedp.CSS(`form[action="/admin/webhooks"] button`))); code != 200 {
		t.Fatalf("adding: %d", code)
	}
	if secret := tb.text("#new-secret"); !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret shown: %q", secret)
	}
	tb.follow(chromedp.Click(chromedp.CSS(`form[action$="/test"] button`)))
	if flash := tb.text("p.flash"); !strings.Contains(flash, "delivered: the endpoint answered 204") || hits.Load() != 1 {
		t.Fatalf("after the test event: %q, receiver got %d", flash, hits.Load())
	}
	tb.must(chromedp.Click(chromedp.CSS(`details summary`)))
	if log := tb.text("table.deliveries"); !strings.Contains(log, "Test event") || !strings.Contains(log, "Delivered") {
		t.Fatalf("delivery log: %q", log)
	}
	if strings.Contains(tb.text("main"), "whsec_") {
		t.Fatal("the secret is shown again")
	}
	tb.auditWidths(b, "admin-webhooks")
}
