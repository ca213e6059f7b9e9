package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"consult/api"
	"consult/booking"
	"consult/storage/storagetest"
)

// newBenchSite is the public site (pages and JSON API) on a fresh database
// with demo hours and a 90-day horizon, at the fixed clock testNow, and
// the counter of the queries it sends.
func newBenchSite(b testing.TB) (http.Handler, *queryCounter) {
	b.Helper()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(storagetest.NewDBURL(b))
	if err != nil {
		b.Fatal(err)
	}
	queries := &queryCounter{}
	cfg.ConnConfig.Tracer = queries
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	store := seedStore(b, pool, false, func(st *booking.Settings) {
		st.PracticeName, st.HorizonDays = "Harbour Therapy", 90
	})
	renderer, pages := siteWeb(b)
	svc := booking.NewService(store, func() time.Time { return testNow })
	// With the feed store, as in production: the slots API reads the
	// data's version through it to keep its answers.
	srv, err := api.New(api.Config{BaseURL: "http://consult.test", MailFrom: "Harbour Therapy <hello@harbour.example>"},
		api.Deps{Service: svc, Web: renderer, Pages: pages, Feeds: store})
	if err != nil {
		b.Fatal(err)
	}
	return srv, queries
}

// serveOK sends a request to h, JSON when body is given (else one that
// takes accept), and returns the answer's body, failing on any status
// of 300 or more.
func serveOK(tb testing.TB, h http.Handler, method, path, body, accept string) []byte {
	tb.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Accept", accept)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code >= 300 {
		tb.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// benchGet requests path from h in a loop, with header, and reports the
// response's size and the queries each request cost.
func benchGet(b *testing.B, h http.Handler, queries *queryCounter, path string, header http.Header) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header = header
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d", path, rec.Code)
	}
	size := rec.Body.Len()
	queries.n.Store(0)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", path, rec.Code)
		}
	}
	b.ReportMetric(float64(queries.n.Load())/float64(b.N), "queries/op")
	b.ReportMetric(float64(size), "bytes/resp")
}

// BenchmarkPages renders the public pages as a browser asks for them, and
// without compression to show what rendering alone costs.
func BenchmarkPages(b *testing.B) {
	h, queries := newBenchSite(b)
	for _, path := range []string{"/", "/clinical-research", "/how-ketamine-works", "/book"} {
		for _, enc := range []string{"identity", "gzip"} {
			name := strings.TrimPrefix(path, "/")
			if name == "" {
				name = "home"
			}
			header := http.Header{"Accept": {"text/html"}, "Accept-Encoding": {enc}}
			b.Run(name+"/"+enc, func(b *testing.B) { benchGet(b, h, queries, path, header) })
		}
	}
}

// BenchmarkSlotsAPI14Days is GET /api/v1/slots for two weeks of demo hours.
func BenchmarkSlotsAPI14Days(b *testing.B) {
	h, queries := newBenchSite(b)
	path := "/api/v1/slots?from=2026-12-02&to=2026-12-15"
	for _, enc := range []string{"identity", "gzip"} {
		header := http.Header{"Accept": {"application/json"}, "Accept-Encoding": {enc}}
		b.Run(enc, func(b *testing.B) { benchGet(b, h, queries, path, header) })
	}
}
