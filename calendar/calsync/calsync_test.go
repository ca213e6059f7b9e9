package calsync_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"consult/booking"
	"consult/calendar/calsync"
	"consult/calendar/fetch"
	"consult/notify"
	"consult/storage"
	"consult/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.RunTests(m)) }

var testNow = time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)

// goodICS holds four weekly hours from 3 December 2026.
const goodICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:weekly@example.org\r\n" +
	"DTSTART:20261203T180000Z\r\nDTEND:20261203T190000Z\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Client\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// clock is a test clock safe for the syncer's goroutines.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// provider is a loopback calendar server whose answer a test chooses.
type provider struct {
	mode           atomic.Value // string
	inFlight, peak atomic.Int32
	delay          time.Duration
	url            string
}

func newProvider(t *testing.T) *provider {
	t.Helper()
	p := &provider{}
	p.mode.Store("good")
	big := strings.Repeat("BEGIN:VEVENT\r\n", 1<<16) // 896 KB a write
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := p.inFlight.Add(1)
		defer p.inFlight.Add(-1)
		for {
			peak := p.peak.Load()
			if n <= peak || p.peak.CompareAndSwap(peak, n) {
				break
			}
		}
		if p.delay > 0 {
			time.Sleep(p.delay)
		}
		switch p.mode.Load().(string) {
		case "good":
			_, _ = w.Write([]byte(goodICS))
		case "500":
			http.Error(w, "oops", http.StatusInternalServerError)
		case "garbage":
			_, _ = w.Write([]byte("<!doctype html><title>Sign in to continue</title>"))
		case "crash":
			// A line that makes the iCalendar decoder panic.
			_, _ = w.Write([]byte("BEGIN:VCALENDAR\r\nX;Y=\r\n"))
		case "50MB":
			for range 57 {
				if _, err := w.Write([]byte(big)); err != nil {
					return
				}
			}
		case "loop":
			http.Redirect(w, r, r.URL.Path+"/again", http.StatusFound)
		case "metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/iam", http.StatusFound)
		case "drip":
			w.WriteHeader(http.StatusOK)
			for range 500 { // 10 s, past the fetch deadline
				if _, err := w.Write([]byte("BEGIN:VCALENDAR\r\n")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}
	}))
	t.Cleanup(srv.Close)
	p.url = srv.URL + "/secret-token-123/basic.ics"
	return p
}

type env struct {
	store *storage.Store
	clock *clock
	src   *booking.CalendarSource
	prov  *provider
}

func newEnv(t *testing.T) *env {
	t.Helper()
	pool := storagetest.NewDB(t)
	keys, err := notify.NewKeyring(make([]byte, notify.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	store := storage.New(pool, storage.WithSecretSealer(keys))
	st := booking.DefaultSettings()
	if err := store.InitSettings(context.Background(), st, testNow.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	e := &env{store: store, clock: &clock{t: testNow}, prov: newProvider(t)}
	e.src, err = store.AddCalendarSource(context.Background(), booking.NewCalendarSource{Kind: booking.SourceICS, URL: e.prov.url, IgnoreDeclined: true}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) syncer(allowPrivate bool, cfg calsync.Config) *calsync.Syncer {
	zone := func(context.Context) (*time.Location, error) { return time.LoadLocation("America/Los_Angeles") }
	f := fetch.New(fetch.Options{AllowPrivate: allowPrivate, Timeout: 2 * time.Second, MaxBody: 10 << 20})
	return calsync.New(cfg, e.store, f, nil, zone, e.clock.Now, slog.New(slog.DiscardHandler))
}

func (e *env) busy(t *testing.T) []booking.Interval {
	t.Helper()
	m, err := e.store.CalendarBusy(context.Background(), testNow.Add(-time.Hour), testNow.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return m[e.src.ID]
}

// A source that fails in any of these ways fails cleanly: the error is
// said (without the address), the last good busy time stays, and
// /metrics counts the failure.
func TestSyncFailureKeepsLastGoodBusyTime(t *testing.T) {
	e := newEnv(t)
	s := e.syncer(true, calsync.Config{})
	ctx := context.Background()
	got, err := s.Sync(ctx, e.src.ID)
	if err != nil {
		t.Fatal(err)
	}
	good := e.busy(t)
	if got.Status != booking.SourceOK || len(good) != 4 || got.BusyIntervals != 4 {
		t.Fatalf("good sync: %+v, busy %v", got, good)
	}
	if good[0].Start != time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC) {
		t.Errorf("first busy interval %v", good[0])
	}
	lastSuccess := *got.LastSuccess
	strict := e.syncer(false, calsync.Config{})
	failures := 0
	for _, tt := range []struct {
		mode, want string
		s          *calsync.Syncer
	}{
		{"500", "500", s},
		{"garbage", "did not return an iCalendar file", s},
		{"crash", "did not return an iCalendar file", s},
		{"50MB", "larger than the server reads", s},
		{"loop", "redirects too many times", s},
		{"metadata", "may not reach", s},
		{"drip", "did not answer in time", s},
		{"good", "may not reach", strict}, // loopback without CALENDAR_ALLOW_PRIVATE
	} {
		e.clock.Add(time.Minute)
		e.prov.mode.Store(tt.mode)
		got, err := tt.s.Sync(ctx, e.src.ID)
		if err != nil {
			t.Fatalf("%s: %v", tt.mode, err)
		}
		if tt.s == s {
			failures++
		}
		if got.Status != booking.SourceError || !strings.Contains(got.LastError, tt.want) {
			t.Errorf("%s: status %s, error %q; want error with %q", tt.mode, got.Status, got.LastError, tt.want)
		}
		if strings.Contains(got.LastError, "secret-token") || strings.Contains(got.LastError, "127.0.0.1") {
			t.Errorf("%s: error %q quotes the address", tt.mode, got.LastError)
		}
		if b := e.busy(t); len(b) != len(good) || b[0] != good[0] || got.BusyIntervals != 4 {
			t.Errorf("%s: busy time after the failure %v, want the last good %v", tt.mode, b, good)
		}
		if got.LastSuccess == nil || !got.LastSuccess.Equal(lastSuccess) || got.Stale {
			t.Errorf("%s: last success %v, stale %v", tt.mode, got.LastSuccess, got.Stale)
		}
	}
	if n := testutil.ToFloat64(s.Collectors()[1]); int(n) != failures {
		t.Errorf("failures counted: %v, want %d", n, failures)
	}
	// Fixed again, it reads again.
	e.prov.mode.Store("good")
	if got, err := s.Sync(ctx, e.src.ID); err != nil || got.Status != booking.SourceOK || got.LastError != "" {
		t.Errorf("after the fix: %+v, %v", got, err)
	}
}

// A source unseen for StaleAfter blocks booking until it is read again;
// every change that matters to booking moves the availability version,
// and a sync that changes nothing does not.
func TestSyncStaleAndVersion(t *testing.T) {
	e := newEnv(t)
	s := e.syncer(true, calsync.Config{StaleAfter: 6 * time.Hour})
	ctx := context.Background()
	version := func() string {
		v, _, err := e.store.AvailabilityFeedVersion(ctx, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version()
	mustSync := func() *booking.CalendarSource {
		t.Helper()
		got, err := s.Sync(ctx, e.src.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	mustSync()
	v1 := version()
	if v1 == v0 {
		t.Error("new busy time did not move the availability version")
	}
	e.clock.Add(10 * time.Minute)
	mustSync()
	if version() != v1 {
		t.Error("an unchanged calendar moved the availability version")
	}
	e.prov.mode.Store("500")
	e.clock.Add(5 * time.Hour)
	if got := mustSync(); got.Stale {
		t.Error("stale after 5 hours unseen, with 6 allowed")
	}
	if version() != v1 {
		t.Error("a failure that changes nothing moved the version")
	}
	e.clock.Add(2 * time.Hour)
	if got := mustSync(); !got.Stale {
		t.Error("not stale after 7 hours unseen")
	}
	v2 := version()
	if v2 == v1 {
		t.Error("becoming stale did not move the version")
	}
	e.prov.mode.Store("good")
	if got := mustSync(); got.Stale || got.Status != booking.SourceOK {
		t.Errorf("read again: %+v", got)
	}
	if version() == v2 {
		t.Error("no longer stale did not move the version")
	}
}

// Two instances never sync one source at once: the lease in the store
// turns the second away while the first reads.
func TestTwoInstancesNeverSyncOneSourceAtOnce(t *testing.T) {
	e := newEnv(t)
	e.prov.delay = 150 * time.Millisecond
	a, b := e.syncer(true, calsync.Config{}), e.syncer(true, calsync.Config{})
	var wg sync.WaitGroup
	var ok, refused atomic.Int32
	for i := range 6 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Sync(context.Background(), e.src.ID)
			switch {
			case err == nil:
				ok.Add(1)
			case booking.ErrorCode(err) == booking.ECONFLICT:
				refused.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if p := e.prov.peak.Load(); p != 1 {
		t.Errorf("the provider saw %d reads of the source at once", p)
	}
	if ok.Load() == 0 || refused.Load() == 0 {
		t.Errorf("%d syncs ran, %d were turned away; want some of each", ok.Load(), refused.Load())
	}
}

// A lease whose holder died runs out, and the late holder cannot write
// over the new one's result.
func TestSyncLeaseRunsOut(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.store.ClaimCalendarSync(ctx, e.src.ID, "dead", testNow, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.ClaimCalendarSync(ctx, e.src.ID, "other", testNow.Add(30*time.Second), time.Minute); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("claim during the lease: %v, want ECONFLICT", err)
	}
	if _, err := e.store.ClaimCalendarSync(ctx, e.src.ID, "other", testNow.Add(61*time.Second), time.Minute); err != nil {
		t.Fatalf("claim after the lease: %v", err)
	}
	_, err := e.store.FinishCalendarSync(ctx, e.src.ID, "dead", booking.CalendarSyncResult{Busy: []booking.Interval{{Start: testNow, End: testNow.Add(time.Hour)}}}, testNow.Add(62*time.Second), 0)
	if booking.ErrorCode(err) != booking.ECONFLICT {
		t.Errorf("finish by the lease's late holder: %v, want ECONFLICT", err)
	}
	if _, err := e.store.ClaimCalendarSync(ctx, 999, "x", testNow, time.Minute); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Errorf("claim of no source: %v", err)
	}
}

// The background loop reads a new source without being asked.
func TestRunSyncsInTheBackground(t *testing.T) {
	e := newEnv(t)
	s := e.syncer(true, calsync.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second) // a duration only: waiting for the sync to run
	for len(e.busy(t)) != 4 {
		if time.Now().After(deadline) {
			t.Fatal("the source was not read in the background")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

// The address and the password are stored sealed, and opened again only
// for a sync.
func TestCredentialsStoredSealed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	src, err := e.store.AddCalendarSource(ctx, booking.NewCalendarSource{Kind: booking.SourceCalDAV,
		URL: "https://dav.example.org/cal/secret-path/", Username: "ana", Password: "pw-Zq81x", IgnoreDeclined: true}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	var url, password string
	if err := e.store.Pool().QueryRow(ctx, `SELECT url_sealed, password_sealed FROM calendar_sources WHERE id = $1`, src.ID).Scan(&url, &password); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(url, "secret-path") || strings.Contains(password, "pw-Zq81x") || url == "" || password == "" {
		t.Fatalf("stored readable: %q, %q", url, password)
	}
	job, err := e.store.ClaimCalendarSync(ctx, src.ID, "me", testNow, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if job.Credentials != (booking.CalendarCredentials{URL: "https://dav.example.org/cal/secret-path/", Username: "ana", Password: "pw-Zq81x"}) {
		t.Errorf("opened %+v", job.Credentials)
	}
	if src.Host != "dav.example.org" {
		t.Errorf("host %q", src.Host)
	}
}

// A booking racing a sync that has just found a conflicting event is
// refused. The booking lock is held while the sync (which takes it to
// record what it found) and then a booking (which takes it to check and
// insert) queue behind it; once it is released the sync records the
// event first, and the booking, whose first look saw the time free,
// is refused in its own transaction.
func TestBookingRacingASyncIsRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.store.SeedDemoHours(ctx, testNow); err != nil {
		t.Fatal(err)
	}
	svc := booking.NewService(e.store, e.clock.Now)
	// goodICS holds 10:00–11:00 in Los Angeles on Thursday 3 December.
	start := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	if slots, _, err := svc.Slots(ctx, start, start.Add(time.Minute)); err != nil || len(slots) != 1 {
		t.Fatalf("the time is not free before the sync: %v, %v", slots, err)
	}
	pool := e.store.Pool()
	holder, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(ctx)
	const bookingLockKey = 7_310_001 // storage's booking lock
	if _, err := holder.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, bookingLockKey); err != nil {
		t.Fatal(err)
	}
	waiting := func(n int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second) // a duration only: waiting for the syncs
		for {
			var got int
			if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
				AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d waiting for the booking lock, want %d", got, n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	s := e.syncer(true, calsync.Config{})
	synced := make(chan error, 1)
	go func() {
		_, err := s.Sync(ctx, e.src.ID)
		synced <- err
	}()
	waiting(1)
	booked := make(chan error, 1)
	go func() {
		_, _, err := svc.Book(ctx, booking.Request{Start: start, Name: "Ada Lovelace", Email: "ada@example.org"}, "")
		booked <- err
	}()
	waiting(2)
	if err := holder.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-synced; err != nil {
		t.Fatal(err)
	}
	err = <-booked
	var de *booking.Error
	if !errors.As(err, &de) || de.Code != booking.ECONFLICT || de.Kind != booking.RefusedTaken {
		t.Fatalf("booking racing the sync: %v, want refused as taken", err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM bookings`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d bookings stored, %v", n, err)
	}
}
