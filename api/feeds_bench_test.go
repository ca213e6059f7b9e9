package api_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"consult/api"
	"consult/booking"
)

// benchOpen is a feed server whose horizon is 90 days of demo hours.
func benchOpen(b *testing.B) *feedServer {
	f := newFeedServer(b)
	f.exec(b, `UPDATE practice_settings SET horizon_days = 90`)
	return f
}

// benchBookings is a feed server with 5,000 bookings in the private feed's
// window, one every 30 minutes from 60 days back, every tenth cancelled
// yesterday: far more than any practice has, to show how the feed scales.
func benchBookings(b *testing.B) *feedServer {
	f := newFeedServer(b)
	f.exec(b, `
		INSERT INTO bookings (starts_at, ends_at, status, name, email, phone, time_zone, manage_token_hash,
			created_at, updated_at, cancelled_at)
		SELECT s, s + interval '20 minutes', CASE WHEN i % 10 = 0 THEN 'cancelled' ELSE 'confirmed' END,
			'Client Number' || i, 'c' || i || '@example.net', '+1 555 0100', 'America/Los_Angeles',
			sha256(i::text::bytea), $2::timestamptz, $2::timestamptz, CASE WHEN i % 10 = 0 THEN $2::timestamptz END
		FROM generate_series(1, 5000) i, LATERAL (SELECT $1::timestamptz + i * interval '30 minutes' AS s) x`,
		testNow.Add(-60*day), testNow.Add(-day))
	return f
}

// benchFeed requests path from f's handler in a loop and reports the
// feed's size and the queries each request cost.
func benchFeed(b *testing.B, f *feedServer, path string, header map[string]string, want int) {
	req := httptest.NewRequest("GET", path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s: %d, want %d", path, rec.Code, want)
	}
	events := bytes.Count(rec.Body.Bytes(), []byte("BEGIN:VEVENT"))
	size := rec.Body.Len()
	f.queries.n.Store(0)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, req)
		if rec.Code != want {
			b.Fatalf("%s: %d, want %d", path, rec.Code, want)
		}
	}
	b.ReportMetric(float64(f.queries.n.Load())/float64(b.N), "queries/op")
	if want == http.StatusOK {
		b.ReportMetric(float64(events), "events")
		b.ReportMetric(float64(size), "bytes/feed")
	}
}

func BenchmarkAvailabilityFeed90Days(b *testing.B) {
	f := benchOpen(b)
	// As served: a feed built once is sent again while its content stays
	// the same.
	b.Run("served", func(b *testing.B) { benchFeed(b, f, availabilityPath, nil, http.StatusOK) })
	// Built for every request, as the first request after a change is: a
	// new server each time, which keeps nothing.
	b.Run("built", func(b *testing.B) {
		req := httptest.NewRequest("GET", availabilityPath, nil)
		f.queries.n.Store(0)
		b.ReportAllocs()
		for b.Loop() {
			srv, err := api.New(api.Config{BaseURL: "http://consult.test"},
				api.Deps{Service: booking.NewService(f.store, f.clock.Now), Feeds: f.store})
			if err != nil {
				b.Fatal(err)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("%d", rec.Code)
			}
		}
		b.ReportMetric(float64(f.queries.n.Load())/float64(b.N), "queries/op")
	})
}

func BenchmarkBookingsFeed5000(b *testing.B) {
	f := benchBookings(b)
	for _, full := range []bool{false, true} {
		if err := f.srv.Feeds().SetSettings(context.Background(), booking.FeedSettings{FullDetails: full}); err != nil {
			b.Fatal(err)
		}
		name := map[bool]string{false: "initials", true: "full"}[full]
		b.Run(name, func(b *testing.B) { benchFeed(b, f, f.private, nil, http.StatusOK) })
	}
}

// BenchmarkFeedRevalidate is what calendar apps cost most of the time: a
// conditional request for a feed that has not changed.
func BenchmarkFeedRevalidate(b *testing.B) {
	open, private := benchOpen(b), benchBookings(b)
	for _, c := range []struct {
		name string
		f    *feedServer
		path string
	}{{"availability90Days", open, availabilityPath}, {"bookings5000", private, private.private}} {
		rec := httptest.NewRecorder()
		c.f.srv.ServeHTTP(rec, httptest.NewRequest("GET", c.path, nil))
		tag, lm := rec.Header().Get("ETag"), rec.Header().Get("Last-Modified")
		if tag == "" || lm == "" {
			b.Fatalf("%s: ETag %q, Last-Modified %q", c.name, tag, lm)
		}
		b.Run(c.name+"/If-None-Match", func(b *testing.B) {
			benchFeed(b, c.f, c.path, map[string]string{"If-None-Match": tag}, http.StatusNotModified)
		})
		b.Run(c.name+"/If-Modified-Since", func(b *testing.B) {
			benchFeed(b, c.f, c.path, map[string]string{"If-Modified-Since": lm}, http.StatusNotModified)
		})
	}
}
