package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"consult/api"
	"consult/api/httpx"
	"consult/booking"
	"consult/storage/storagetest"
)

// fuzzServer is the whole site on a fresh database, called in-process so
// each fuzz input costs one handler run, not a network round trip.
func fuzzServer(f *testing.F) http.Handler {
	f.Helper()
	store := seedStore(f, storagetest.NewDB(f), false)
	// A practice with a choice of modes and places served, so the
	// decoders of mode and region are exercised too.
	if err := store.UpdateProfile(context.Background(), booking.Profile{
		PractitionerName: "Dr. Fuzz", Regions: []string{"US-CA", "DE"},
		Modes: booking.Modes{Video: booking.VideoMode{Enabled: true, BaseURL: "https://meet.example.org"}, Phone: booking.PhoneMode{Enabled: true}},
	}, testNow); err != nil {
		f.Fatal(err)
	}
	renderer, pages := siteWeb(f)
	srv, err := api.New(api.Config{BaseURL: "http://consult.test", MailFrom: "hello@consult.test"},
		api.Deps{Service: booking.NewService(store, func() time.Time { return testNow }), Web: renderer, Pages: pages})
	if err != nil {
		f.Fatal(err)
	}
	return srv
}

// serveFuzz runs one request and fails on any server error; client
// mistakes must come back as 4xx, as problem+json under /api.
func serveFuzz(t *testing.T, h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s → %d\n%s", req.Method, req.URL, rec.Code, rec.Body)
	}
	if strings.HasPrefix(req.URL.Path, "/api/") && rec.Code >= 400 {
		var p httpx.Problem
		if rec.Header().Get("Content-Type") != "application/problem+json" || json.Unmarshal(rec.Body.Bytes(), &p) != nil || p.Status != rec.Code {
			t.Fatalf("%s %s → %d without a problem body: %s", req.Method, req.URL, rec.Code, rec.Body)
		}
	}
	return rec
}

func FuzzBookingJSON(f *testing.F) {
	h := fuzzServer(f)
	for _, seed := range []string{
		`{"start":"2026-12-02T17:00:00Z","name":"Ada","email":"ada@example.org"}`,
		`{"start":"2026-12-02T17:00:00+01:00","name":"","email":"x","phone":"+1 (555) 0100","note":"n","timezone":"Europe/Berlin"}`,
		`{"start":"2026-12-02T17:00:00Z","name":"Ada","email":"ada@example.org","mode":"video","region":"US-CA"}`,
		`{"start":"2026-12-02T17:20:00Z","name":"Ada","email":"ada@example.org","mode":"phone","region":"de-be","phone":"+49 30 1234567"}`,
		`{"mode":"in_person","region":"US-ZZ"}`, `{"mode":1,"region":["US"]}`, `{"region":"\u0000US"}`,
		`{"start":null}`, `[]`, `{"name":{"a":1}}`, `{"start":"2026-02-30T25:61:00Z"}`, "\x00", `{"timezone":"../../etc/passwd"}`,
	} {
		f.Add(seed, "")
	}
	f.Fuzz(func(t *testing.T, body, idemKey string) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/bookings", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if idemKey != "" {
			req.Header.Set("Idempotency-Key", idemKey)
		}
		rec := serveFuzz(t, h, req)
		switch rec.Code {
		case 201, 400, 409, 413, 422:
		default:
			t.Fatalf("unexpected status %d for %q", rec.Code, body)
		}
	})
}

func FuzzRescheduleJSON(f *testing.F) {
	h := fuzzServer(f)
	f.Add("AAAAAAAAAAAAAAAAAAAAAA", `{"start":"2026-12-02T17:00:00Z"}`)
	f.Add("x", `{"start":1}`)
	f.Fuzz(func(t *testing.T, token, body string) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/bookings/"+url.PathEscape(token)+"/reschedule", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		serveFuzz(t, h, req)
	})
}

func FuzzSlotsQuery(f *testing.F) {
	h := fuzzServer(f)
	f.Add("2026-12-01", "2026-12-07", "Europe/Berlin")
	f.Add("2026-12-01", "2026-12-01", "")
	f.Add("0000-01-01", "9999-12-31", "Local")
	f.Add("2026-13-40", "-1", "America/../UTC")
	f.Fuzz(func(t *testing.T, from, to, tz string) {
		q := url.Values{"from": {from}, "to": {to}, "tz": {tz}}
		rec := serveFuzz(t, h, httptest.NewRequest(http.MethodGet, "/api/v1/slots?"+q.Encode(), nil))
		if rec.Code != 200 && rec.Code != 422 {
			t.Fatalf("slots %v → %d", q, rec.Code)
		}
	})
}

func FuzzTokensInPaths(f *testing.F) {
	h := fuzzServer(f)
	for _, seed := range []string{"AAAAAAAAAAAAAAAAAAAAAA", "", "%00", "..", "a b", strings.Repeat("x", 5000)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		esc := url.PathEscape(token)
		for _, p := range []string{"/api/v1/bookings/" + esc, "/manage/" + esc, "/manage/" + esc + "/consultation.ics", "/calendar/bookings/" + esc + ".ics"} {
			req := httptest.NewRequest(http.MethodGet, "http://consult.test/", nil)
			req.URL.Path, req.URL.RawPath = "", ""
			u, err := url.Parse(p)
			if err != nil {
				continue
			}
			req.URL = u
			rec := serveFuzz(t, h, req)
			if rec.Code == 200 {
				t.Fatalf("GET %s found something for a made-up token", p)
			}
		}
	})
}

func FuzzBookForm(f *testing.F) {
	h := fuzzServer(f)
	f.Add("start=2026-12-02T17%3A00%3A00Z&name=Ada&email=ada%40example.org&consent=yes")
	f.Add("date=2026-12-02&tz=Europe%2FBerlin")
	f.Add("%zz&&==")
	f.Add("start=2026-12-02T17%3A00%3A00Z&name=Ada&email=ada%40example.org&consent=yes&mode=video&region=US-CA")
	f.Add("region=elsewhere&mode=phone")
	f.Add("region=%00&mode=%FF")
	f.Fuzz(func(t *testing.T, form string) {
		req := httptest.NewRequest(http.MethodPost, "http://consult.test/book", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://consult.test")
		serveFuzz(t, h, req)
		get := httptest.NewRequest(http.MethodGet, "http://consult.test/book", nil)
		get.URL.RawQuery = form // as sent, however malformed
		serveFuzz(t, h, get)
	})
}
