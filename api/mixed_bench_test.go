package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkWriteCycle is what a booking and its cancellation cost with
// the reads that follow each in make bench's mixed load: every write is
// a new version of the data, so the next slots answer, booking form and
// home page are computed again. One op books a time, reads the three,
// cancels it and reads them again.
func BenchmarkWriteCycle(b *testing.B) {
	h, queries := newBenchSite(b)
	serve := func(method, path, body string, want int) []byte {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Accept", "text/html")
		req.Header.Set("Accept-Encoding", "gzip")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
		}
		return rec.Body.Bytes()
	}
	reads := func() {
		serve("GET", "/api/v1/slots?from=2026-12-02&to=2026-12-15", "", http.StatusOK)
		serve("GET", "/book", "", http.StatusOK)
		serve("GET", "/", "", http.StatusOK)
	}
	var list slotList
	req := httptest.NewRequest("GET", "/api/v1/slots?from=2026-12-02&to=2026-12-15", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Slots) == 0 {
		b.Fatalf("no slots: %v %s", err, rec.Body)
	}
	start := list.Slots[len(list.Slots)/2].Start.Format("2006-01-02T15:04:05Z07:00")
	reads()
	queries.n.Store(0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		body := serve("POST", "/api/v1/bookings",
			`{"start": "`+start+`", "name": "Ada Lovelace", "email": "ada`+strconv.Itoa(i)+`@example.org"}`, http.StatusCreated)
		var bk bookingBody
		if err := json.Unmarshal(body, &bk); err != nil {
			b.Fatal(err)
		}
		reads()
		serve("DELETE", "/api/v1/bookings/"+bk.token(), "", http.StatusOK)
		reads()
	}
	b.ReportMetric(float64(queries.n.Load())/float64(b.N), "queries/op")
}
