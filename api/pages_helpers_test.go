package api_test

import (
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"consult/api"
	"consult/api/httpx"
	"consult/booking"
	"consult/booking/proof"
	"consult/storage/storagetest"
	"consult/web"
)

// testSite is the whole site (pages, API, assets) on a fresh database with
// demo hours and the fixed clock testNow.
type testSite struct {
	t      *testing.T
	url    string
	pool   *pgxpool.Pool
	svc    *booking.Service
	client *http.Client  // follows no redirects, so tests see them
	clock  *atomic.Int64 // the service's clock, in Unix nanoseconds
	// lang is the Accept-Language the site's requests send; "" sends
	// en-US, whose 12-hour clock most tests read times on.
	lang string
}

func (s *testSite) language() string {
	if s.lang == "" {
		return "en-US"
	}
	return s.lang
}

// siteOptions adjust newTestSite.
type siteOptions struct {
	baseURL string
	noHours bool // no weekly hours: nothing is bookable
	// confirmByEmail holds booked times for confirmation by email.
	confirmByEmail bool
	// proofRate, when set, asks for a proof of work from that many
	// bookings an hour.
	proofRate int
	// noCopies leaves out the feed store, and with it the version the
	// copies of slots and the booking form are kept by: every view is
	// computed afresh.
	noCopies bool
	limits   booking.ClientLimits
	now      time.Time // the clock; zero: testNow
	// settings adjusts the practice's rules.
	settings func(*booking.Settings)
	// rateLimit is the per-address budgets' size; 0 turns them off.
	rateLimit int
	// content, when set, holds the Markdown pages instead of the built-in ones.
	content fs.FS
}

func newTestSite(t *testing.T) *testSite {
	t.Helper()
	return newTestSiteWith(t, siteOptions{})
}

func newTestSiteWith(t *testing.T, opts siteOptions) *testSite {
	t.Helper()
	pool := storagetest.NewDB(t)
	tune := []func(*booking.Settings){practiceName("Harbour Therapy")}
	if opts.settings != nil {
		tune = append(tune, opts.settings)
	}
	store := seedStore(t, pool, opts.noHours, tune...)
	now := opts.now
	if now.IsZero() {
		now = testNow
	}
	clock := new(atomic.Int64)
	clock.Store(now.UnixNano())
	svcOpts := []booking.Option{booking.WithLimits(opts.limits)}
	if opts.confirmByEmail {
		svcOpts = append(svcOpts, booking.WithConfirmByEmail(30*time.Minute))
	}
	svc := booking.NewService(store, func() time.Time { return time.Unix(0, clock.Load()).UTC() }, svcOpts...)
	renderer, pages := siteWeb(t)
	if opts.content != nil {
		var err error
		if pages, err = web.LoadPages(opts.content, map[string]string{"retention_days": "180"}); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewUnstartedServer(nil)
	ts.Start()
	t.Cleanup(ts.Close)
	base := opts.baseURL
	if base == "" {
		base = ts.URL
	}
	deps := api.Deps{Service: svc, Web: renderer, Pages: pages, Feeds: store}
	if opts.noCopies {
		deps.Feeds = nil
	}
	if opts.proofRate > 0 {
		deps.Proof = proof.New(store, []byte("test key"), opts.proofRate, func() time.Time { return now }).WithMaxNumber(20_000)
	}
	srv, err := api.New(api.Config{BaseURL: base, MailFrom: "Harbour Therapy <hello@harbour.example>", RateLimitPerMinute: opts.rateLimit}, deps)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &testSite{t: t, url: ts.URL, pool: pool, svc: svc, client: client, clock: clock}
}

// fetched is a response with its body read.
type fetched struct {
	Status int
	Header http.Header
	Body   string
}

func (s *testSite) do(req *http.Request) fetched {
	s.t.Helper()
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return fetched{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
}

func (s *testSite) get(path string) fetched {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Accept-Language", s.language())
	return s.do(req)
}

func (s *testSite) post(path string, form url.Values) fetched {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Accept-Language", s.language())
	return s.do(req)
}

// count counts stored bookings by status ("" for all).
func (s *testSite) count(status string) int {
	s.t.Helper()
	var n int
	err := s.pool.QueryRow(context.Background(),
		`SELECT count(*) FROM bookings WHERE $1 = '' OR status = $1`, status).Scan(&n)
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

var (
	slotRE = regexp.MustCompile(`name="start" id="slot-\d+" value="([^"]+)"`)
	keyRE  = regexp.MustCompile(`name="key" value="([^"]+)"`)
)

// slotsOn returns the free slots the booking page lists for a day (YYYY-MM-DD) in zone tz.
func (s *testSite) slotsOn(day, tz string) []string {
	s.t.Helper()
	p := s.get("/book?" + url.Values{"date": {day}, "tz": {tz}}.Encode())
	if p.Status != http.StatusOK {
		s.t.Fatalf("GET /book: %d", p.Status)
	}
	var out []string
	for _, m := range slotRE.FindAllStringSubmatch(p.Body, -1) {
		out = append(out, m[1])
	}
	return out
}

// bookingForm returns a valid booking form for start, with a fresh key
// from the booking page as a browser would send it.
func (s *testSite) bookingForm(start string) url.Values {
	s.t.Helper()
	p := s.get("/book")
	m := keyRE.FindStringSubmatch(p.Body)
	if m == nil {
		s.t.Fatalf("no idempotency key in the booking form")
	}
	return url.Values{
		"start": {start}, "name": {"Ada Lovelace"}, "email": {"ada@example.org"},
		"phone": {""}, "note": {""}, "consent": {"yes"}, "tz": {"America/Los_Angeles"},
		"date": {"2026-12-02"}, "key": {m[1]}, "website": {""},
	}
}

// book books start through the form and returns the manage token.
func (s *testSite) book(start string) string {
	s.t.Helper()
	p := s.post("/book", s.bookingForm(start))
	loc := p.Header.Get("Location")
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(loc, "/manage/") || !strings.HasSuffix(loc, "/confirmation") {
		s.t.Fatalf("POST /book: %d Location %q\n%s", p.Status, loc, p.Body)
	}
	return strings.TrimSuffix(strings.TrimPrefix(loc, "/manage/"), "/confirmation")
}

// bookDirect books start as another client would, through the service.
func (s *testSite) bookDirect(start string) string {
	s.t.Helper()
	t, err := time.Parse(time.RFC3339, start)
	if err != nil {
		s.t.Fatal(err)
	}
	_, token, err := s.svc.Book(context.Background(), booking.Request{Start: t, Name: "Other Client", Email: "other@example.org"}, "")
	if err != nil {
		s.t.Fatal(err)
	}
	// Made past the site's HTTP handlers, as on another instance: the
	// pages show it once the data's version is read again.
	s.clock.Add(int64(httpx.VersionTTL))
	return token
}

// regexpAll returns the first group of every match of expr in s.
func regexpAll(expr, s string) []string {
	var out []string
	for _, m := range regexp.MustCompile(expr).FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}
