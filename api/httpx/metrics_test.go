package httpx

import (
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestMetricsSeriesStayBounded sends requests with made-up methods and
// paths, as anyone on the internet can, and finds no new series: labels
// come from closed sets only, so memory and /metrics cannot be grown.
func TestMetricsSeriesStayBounded(t *testing.T) {
	m := NewMetrics(nil)
	e := echo.New()
	e.Use(LogRequests(slog.New(slog.DiscardHandler), m))
	e.GET("/book", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/manage/:token", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })

	serve := func(method, path string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Method = method
		e.ServeHTTP(httptest.NewRecorder(), req)
	}
	// Every known method on every route, and an unknown one, once.
	for _, method := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE", "BREW"} {
		for _, path := range []string{"/book", "/manage/abc", "/nowhere"} {
			serve(method, path)
		}
	}
	before := seriesCount(t, m)

	r := rand.New(rand.NewPCG(1, 2))
	letters := "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(letters[r.IntN(len(letters))])
		}
		return b.String()
	}
	for range 10_000 {
		serve(word(1+r.IntN(40)), "/"+strings.ToLower(word(1+r.IntN(30)))+"/"+word(5))
		serve("GET", "/manage/"+word(22))
	}
	if after := seriesCount(t, m); after != before {
		t.Errorf("random methods and paths grew the series from %d to %d", before, after)
	}
}

// seriesCount counts the request metrics' series.
func seriesCount(t *testing.T, m *Metrics) int {
	t.Helper()
	families, err := m.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range families {
		if strings.HasPrefix(f.GetName(), "consult_http_") {
			n += len(f.GetMetric())
		}
	}
	return n
}
