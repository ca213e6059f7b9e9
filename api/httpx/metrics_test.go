package httpx

import (
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestMetricsSeriesStayBounded sends requests with made-up methods and
// paths, as anyone on the internet can, and finds no new series: labels
// come from closed sets only, so memory and /metrics cannot be grown.
func TestMetricsSeriesStayBounded(t *testing.T) {
	m, e := metered()
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

// TestMetricsCountEachLabelSet sends requests of several routes, methods
// and statuses, repeated, and finds each counted under its own labels.
func TestMetricsCountEachLabelSet(t *testing.T) {
	m, e := metered()
	e.POST("/book", func(c echo.Context) error { return c.String(http.StatusConflict, "taken") })
	e.GET("/status/:code", func(c echo.Context) error {
		code, _ := strconv.Atoi(c.Param("code"))
		return c.String(code, "")
	})
	sent := map[string]int{"/book GET 200": 3, "/book POST 409": 2, "unmatched GET 404": 1,
		"/status/:code GET 200": 2, "/status/:code GET 503": 1}
	for key, n := range sent {
		f := strings.Fields(key)
		path := f[0]
		switch path {
		case "unmatched":
			path = "/nowhere"
		case "/status/:code":
			path = "/status/" + f[2]
		}
		for range n {
			e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(f[1], path, nil))
		}
	}
	families, err := m.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got, observed := map[string]int{}, 0
	for _, f := range families {
		for _, mt := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range mt.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			switch f.GetName() {
			case "consult_http_requests_total":
				got[labels["route"]+" "+labels["method"]+" "+labels["status"]] = int(mt.GetCounter().GetValue())
			case "consult_http_request_duration_seconds":
				observed += int(mt.GetHistogram().GetSampleCount())
			}
		}
	}
	if !maps.Equal(got, sent) {
		t.Errorf("counted %v, want %v", got, sent)
	}
	if observed != 9 {
		t.Errorf("%d durations observed, want 9", observed)
	}
}

// metered returns fresh metrics and a server that records them, with
// GET /book answering 200.
func metered() (*Metrics, *echo.Echo) {
	m := NewMetrics(nil)
	e := echo.New()
	e.Use(LogRequests(slog.New(slog.DiscardHandler), m))
	e.GET("/book", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	return m, e
}
