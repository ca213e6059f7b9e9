package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/jackc/pgx/v5/pgxpool"

	"consult/api"
	"consult/api/httpx"
	"consult/booking"
	"consult/storage"
	"consult/storage/storagetest"
	"consult/web"
)

// testNow is the fixed clock of API tests: Tuesday 1 December 2026, 08:00
// in Los Angeles.
var testNow = time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)

// seedStore gives the database behind pool the practice's settings, with
// st changed by tune, and unless noHours the demo weekly hours.
func seedStore(tb testing.TB, pool *pgxpool.Pool, noHours bool, tune ...func(*booking.Settings)) *storage.Store {
	tb.Helper()
	ctx := context.Background()
	store := storage.New(pool)
	st := booking.DefaultSettings()
	for _, f := range tune {
		f(&st)
	}
	if err := store.InitSettings(ctx, st, testNow.Add(-time.Hour)); err != nil {
		tb.Fatal(err)
	}
	if !noHours {
		if _, err := store.SeedDemoHours(ctx, testNow.Add(-time.Hour)); err != nil {
			tb.Fatal(err)
		}
	}
	return store
}

// siteWeb returns the renderer and the built-in pages the site serves.
func siteWeb(tb testing.TB) (*web.Renderer, *web.Pages) {
	tb.Helper()
	renderer, err := web.NewRenderer(web.RendererOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	pages, err := web.LoadPages(web.DefaultContent(), map[string]string{"retention_days": "180"})
	if err != nil {
		tb.Fatal(err)
	}
	return renderer, pages
}

// practiceName sets the practice's name in seeded settings.
func practiceName(name string) func(*booking.Settings) {
	return func(st *booking.Settings) { st.PracticeName = name }
}

// testClock is a clock tests move by hand, safe for the server's goroutines.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

// Now reads the clock.
func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Add moves the clock on by d.
func (c *testClock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// testAPI is a server on a fresh database with demo hours, whose every
// response is checked against api/openapi.yaml.
type testAPI struct {
	t      *testing.T
	url    string
	pool   *pgxpool.Pool
	router routers.Router
	client *http.Client
}

func newTestAPI(t *testing.T) *testAPI {
	t.Helper()
	return newTestAPIWith(t, api.Config{BaseURL: "http://consult.test"})
}

// newTestAPIWith is newTestAPI with a configuration of the test's own.
func newTestAPIWith(t *testing.T, cfg api.Config, opts ...booking.Option) *testAPI {
	t.Helper()
	pool := storagetest.NewDB(t)
	store := seedStore(t, pool, false)
	svc := booking.NewService(store, func() time.Time { return testNow }, opts...)
	srv, err := api.New(cfg, api.Deps{Service: svc})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &testAPI{t: t, url: ts.URL, pool: pool, router: openAPIRouter(t), client: ts.Client()}
}

// openAPIRouter returns the router over api/openapi.yaml that checks
// responses; the document is loaded and validated once per test process.
func openAPIRouter(t *testing.T) routers.Router {
	t.Helper()
	r, err := loadOpenAPIRouter()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var loadOpenAPIRouter = sync.OnceValues(func() (routers.Router, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPISpec())
	if err != nil {
		return nil, fmt.Errorf("load openapi.yaml: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("openapi.yaml is not valid: %w", err)
	}
	return gorillamux.NewRouter(doc)
})

// response is a received response, already checked against the spec.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

func (r response) problem(t *testing.T) httpx.Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json (body %s)", ct, r.Body)
	}
	var p httpx.Problem
	r.decode(t, &p)
	if p.Status != r.Status || p.Title == "" || p.Type == "" {
		t.Fatalf("incomplete problem %+v for status %d", p, r.Status)
	}
	return p
}

// do sends a request and validates the response against the OpenAPI spec.
func (a *testAPI) do(method, path string, body any, header map[string]string) response {
	a.t.Helper()
	var rd io.Reader
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			a.t.Fatal(err)
		}
	}
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, a.url+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	r := response{Status: resp.StatusCode, Header: resp.Header, Body: got}
	if strings.HasPrefix(path, "/api/") {
		a.checkSpec(req, raw, r)
	}
	return r
}

// checkSpec fails the test when a response is not what openapi.yaml says.
func (a *testAPI) checkSpec(req *http.Request, body []byte, r response) {
	a.t.Helper()
	sreq := req.Clone(context.Background())
	sreq.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := a.router.FindRoute(sreq)
	if err != nil {
		// A request the API does not offer must be refused as a problem.
		if (r.Status == http.StatusNotFound || r.Status == http.StatusMethodNotAllowed) &&
			r.Header.Get("Content-Type") == "application/problem+json" {
			return
		}
		a.t.Fatalf("%s %s is not in openapi.yaml: %v", req.Method, req.URL.Path, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: sreq, PathParams: params, Route: route},
		Status:                 r.Status,
		Header:                 r.Header,
		Body:                   io.NopCloser(bytes.NewReader(r.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		a.t.Fatalf("%s %s → %d does not match openapi.yaml: %v\nbody: %s", req.Method, req.URL.Path, r.Status, err, r.Body)
	}
}

// bookingCount counts stored bookings by status ("" for all).
func (a *testAPI) bookingCount(status string) int {
	a.t.Helper()
	var n int
	err := a.pool.QueryRow(context.Background(),
		`SELECT count(*) FROM bookings WHERE $1 = '' OR status = $1`, status).Scan(&n)
	if err != nil {
		a.t.Fatal(err)
	}
	return n
}

type slotList struct {
	TimeZone string `json:"timezone"`
	Slots    []struct {
		Start time.Time `json:"start"`
		End   time.Time `json:"end"`
	} `json:"slots"`
}

type bookingBody struct {
	ID        int64     `json:"id"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Status    string    `json:"status"`
	TimeZone  string    `json:"timezone"`
	ManageURL string    `json:"manage_url"`
	ICSURL    string    `json:"ics_url"`
	Name      string    `json:"name"`
}

// token returns the manage token at the end of a manage URL.
func (b bookingBody) token() string { return b.ManageURL[strings.LastIndexByte(b.ManageURL, '/')+1:] }

// slots returns the free slots of a day in the practice's zone.
func (a *testAPI) slots(day string) []time.Time {
	a.t.Helper()
	return a.slotsIn(day, "")
}

// slotsIn returns the free slots of a day in zone tz.
func (a *testAPI) slotsIn(day, tz string) []time.Time {
	a.t.Helper()
	r := a.do("GET", "/api/v1/slots?from="+day+"&to="+day+"&tz="+tz, nil, nil)
	if r.Status != 200 {
		a.t.Fatalf("slots: %d %s", r.Status, r.Body)
	}
	var l slotList
	r.decode(a.t, &l)
	out := make([]time.Time, len(l.Slots))
	for i, s := range l.Slots {
		out[i] = s.Start
	}
	return out
}

func (a *testAPI) book(start time.Time, name string) bookingBody {
	a.t.Helper()
	r := a.do("POST", "/api/v1/bookings", map[string]string{
		"start": start.Format(time.RFC3339), "name": name, "email": "client@example.org",
	}, nil)
	if r.Status != 201 {
		a.t.Fatalf("book %s: %d %s", start, r.Status, r.Body)
	}
	var b bookingBody
	r.decode(a.t, &b)
	return b
}
