package httpx

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// gateServer serves /work, which blocks until release is closed, and the
// health paths, behind g and the service's error handler.
func gateServer(g *Gate, started chan<- struct{}, release <-chan struct{}) *echo.Echo {
	e := echo.New()
	e.HTTPErrorHandler = ErrorHandler(slog.New(slog.DiscardHandler), func(c echo.Context, p Problem) { WriteProblem(c, p) })
	e.Use(g.Limit)
	e.GET("/work", func(c echo.Context) error {
		started <- struct{}{}
		<-release
		return c.String(http.StatusOK, "done")
	})
	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		e.GET(p, func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	}
	return e
}

func get(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// wantBusy checks a refusal: 503, Retry-After, a problem+json body.
func wantBusy(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", rec.Code)
	}
	if got := rec.Header().Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After %q, want 2", got)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != http.StatusServiceUnavailable || p.Detail == "" {
		t.Errorf("problem %+v (%v) from %q", p, err, rec.Body.String())
	}
}

// With every handler slot taken and the queue full, the next request is
// turned away at once, health checks still pass, and the queued request
// runs when a slot frees.
func TestGateRefusesBeyondActiveAndQueued(t *testing.T) {
	const active, queued = 3, 2
	g := NewGate(active, queued, time.Minute, "/healthz", "/readyz", "/metrics")
	started, release := make(chan struct{}, active+queued), make(chan struct{})
	e := gateServer(g, started, release)

	var wg sync.WaitGroup
	codes := make(chan int, active+queued)
	for range active + queued {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- get(e, "/work").Code
		}()
	}
	for range active {
		<-started
	}
	// The other two are queued, not running.
	deadline := time.Now().Add(5 * time.Second)
	for g.queued.Load() != queued {
		if time.Now().After(deadline) {
			t.Fatalf("%d queued, want %d", g.queued.Load(), queued)
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case <-started:
		t.Fatal("a handler beyond the limit started")
	default:
	}

	wantBusy(t, get(e, "/work"))
	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		if rec := get(e, p); rec.Code != http.StatusOK {
			t.Errorf("%s while busy: %d, want 200", p, rec.Code)
		}
	}

	close(release)
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != http.StatusOK {
			t.Errorf("an admitted request got %d", code)
		}
	}
	if n := g.queued.Load(); n != 0 || len(g.slots) != 0 {
		t.Errorf("after all finished: %d queued, %d slots taken", n, len(g.slots))
	}
	// Free again: a request passes.
	release2 := make(chan struct{})
	close(release2)
	e = gateServer(g, make(chan struct{}, 1), release2)
	if rec := get(e, "/work"); rec.Code != http.StatusOK {
		t.Errorf("after the burst: %d, want 200", rec.Code)
	}
}

// A queued request waits at most the gate's wait.
func TestGateQueueWaitIsBounded(t *testing.T) {
	g := NewGate(1, 5, 50*time.Millisecond)
	started, release := make(chan struct{}, 1), make(chan struct{})
	defer close(release)
	e := gateServer(g, started, release)
	go get(e, "/work")
	<-started
	t0 := time.Now()
	wantBusy(t, get(e, "/work"))
	if waited := time.Since(t0); waited < 50*time.Millisecond {
		t.Errorf("refused after %s, before the wait of 50ms", waited)
	}
}

// No limit: everything passes.
func TestGateOff(t *testing.T) {
	g := NewGate(0, 0, time.Second)
	release := make(chan struct{})
	close(release)
	e := gateServer(g, make(chan struct{}, 10), release)
	for range 10 {
		if rec := get(e, "/work"); rec.Code != http.StatusOK {
			t.Fatalf("status %d with no limit", rec.Code)
		}
	}
}
