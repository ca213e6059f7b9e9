package api_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"consult/api"
	"consult/booking"
	"consult/calendar/icaltest"
	"consult/storage"
	"consult/storage/storagetest"
)

// queryCounter counts the queries a pool sends, to hold a revalidation to
// its budget of one.
// queryCounter counts the queries sent on their own (n) and the batches
// (batches): together, the round trips.
type queryCounter struct{ n, batches atomic.Int64 }

func (q *queryCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	q.batches.Add(1)
	return ctx
}

func (q *queryCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (q *queryCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func (q *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	q.n.Add(1)
	return ctx
}

func (q *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// feedServer is a server with feeds on a fresh database with demo hours,
// whose pool counts its queries, and a private feed secret.
type feedServer struct {
	srv      *api.Server
	pool     *pgxpool.Pool
	store    *storage.Store
	clock    *testClock
	queries  *queryCounter
	private  string // path of the private feed
	rotateTo func() string
}

func newFeedServer(tb testing.TB) *feedServer {
	tb.Helper()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(storagetest.NewDBURL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	f := &feedServer{clock: &testClock{t: testNow}, queries: &queryCounter{}}
	cfg.ConnConfig.Tracer = f.queries
	if f.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(f.pool.Close)
	f.store = seedStore(tb, f.pool, false)
	svc := booking.NewService(f.store, f.clock.Now)
	if f.srv, err = api.New(api.Config{BaseURL: "http://consult.test"}, api.Deps{Service: svc, Feeds: f.store}); err != nil {
		tb.Fatal(err)
	}
	f.rotateTo = func() string {
		tb.Helper()
		u, err := f.srv.Feeds().RotateSecret(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		f.private = strings.TrimPrefix(u, "http://consult.test")
		return f.private
	}
	f.rotateTo()
	return f
}

// exec runs SQL on the test database.
func (f *feedServer) exec(tb testing.TB, sql string, args ...any) {
	tb.Helper()
	if _, err := f.pool.Exec(context.Background(), sql, args...); err != nil {
		tb.Fatal(err)
	}
}

// insert stores a booking as the admin area or time would leave it, for
// states the public API cannot reach (past, long cancelled).
func (f *feedServer) insert(tb testing.TB, b booking.Booking) int64 {
	tb.Helper()
	if b.Status == "" {
		b.Status = booking.StatusConfirmed
	}
	if b.End.IsZero() {
		b.End = b.Start.Add(20 * time.Minute)
	}
	if b.UpdatedAt.IsZero() {
		b.UpdatedAt = testNow.Add(-time.Hour)
	}
	var id int64
	err := f.pool.QueryRow(context.Background(), `
		INSERT INTO bookings (starts_at, ends_at, status, name, email, phone, time_zone, manage_token_hash,
			created_at, updated_at, cancelled_at)
		VALUES ($1, $2, $3, $4, $5, $6, 'America/Los_Angeles', $7, $8, $8, $9) RETURNING id`,
		b.Start, b.End, string(b.Status), b.Name, b.Email, b.Phone, booking.HashToken(b.Name+b.Start.String()),
		b.UpdatedAt, b.CancelledAt).Scan(&id)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// feedTest adds the API test helpers to a feed server.
type feedTest struct {
	*feedServer
	*testAPI
}

func newFeedTest(t *testing.T) *feedTest {
	t.Helper()
	f := newFeedServer(t)
	ts := httptest.NewServer(f.srv)
	t.Cleanup(ts.Close)
	// Go's client would ask for gzip and unpack it unseen; feed tests ask
	// for an encoding themselves, and see what was sent.
	client := ts.Client()
	client.Transport.(*http.Transport).DisableCompression = true
	return &feedTest{f, &testAPI{t: t, url: ts.URL, pool: f.pool, router: openAPIRouter(t), client: client}}
}

// fetch requests a feed, checks the response against openapi.yaml and
// reports how many queries it cost.
func (f *feedTest) fetch(method, path string, header map[string]string) (response, int64) {
	f.t.Helper()
	f.queries.n.Store(0)
	r := f.do(method, path, nil, header)
	n := f.queries.n.Load()
	req, _ := http.NewRequest(method, f.url+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if r.Status != http.StatusNotFound {
		f.checkSpec(req, nil, r)
	}
	return r, n
}

// get fetches a feed and expects a 200 with the feed's headers.
func (f *feedTest) get(path string) response {
	f.t.Helper()
	r, _ := f.fetch("GET", path, nil)
	if r.Status != http.StatusOK {
		f.t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		f.t.Errorf("Content-Type %q", ct)
	}
	if tag := r.Header.Get("ETag"); !strings.HasPrefix(tag, `"`) || !strings.HasSuffix(tag, `"`) || len(tag) < 20 {
		f.t.Errorf("ETag %q is not a strong entity tag", tag)
	}
	return r
}

// events decodes a feed with go-ical.
func feedEvents(t *testing.T, body []byte) []ical.Event {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("go-ical: %v\n%s", err, body)
	}
	return cal.Events()
}

func feedEventStart(t *testing.T, ev ical.Event) time.Time {
	t.Helper()
	s, err := ev.DateTimeStart(time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func feedProp(t *testing.T, ev ical.Event, name string) string {
	t.Helper()
	p := ev.Props.Get(name)
	if p == nil {
		return ""
	}
	s, err := p.Text()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// openNow is what the booking service itself offers at the clock's time
// over the whole horizon: the reference the open-slots feed must match.
func (f *feedTest) openNow() []time.Time {
	f.t.Helper()
	la, _ := time.LoadLocation("America/Los_Angeles")
	now := f.clock.Now().In(la)
	from := time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, la)
	slots, _, err := booking.NewService(f.store, f.clock.Now).Slots(context.Background(), from, from.AddDate(0, 0, 400))
	if err != nil {
		f.t.Fatal(err)
	}
	out := make([]time.Time, len(slots))
	for i, s := range slots {
		out[i] = s.Start
	}
	return out
}

func feedStarts(t *testing.T, body []byte) []time.Time {
	t.Helper()
	var out []time.Time
	for _, ev := range feedEvents(t, body) {
		out = append(out, feedEventStart(t, ev))
	}
	return out
}

func sameInstants(a, b []time.Time) bool {
	return slices.EqualFunc(a, b, func(x, y time.Time) bool { return x.Equal(y) })
}

const availabilityPath = "/calendar/availability.ics"

func TestAvailabilityFeedShowsOpenSlotsOnly(t *testing.T) {
	f := newFeedTest(t)
	wed := f.slots(wednesday)
	booked := f.book(wed[2], "Ada Lovelace")

	r := f.get(availabilityPath)
	h := r.Header
	if got := h.Get("Cache-Control"); got != "public, max-age=300" {
		t.Errorf("Cache-Control %q", got)
	}
	body := string(r.Body)
	for _, line := range []string{"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n", "\r\nX-PUBLISHED-TTL:PT15M\r\n",
		"\r\nX-WR-CALNAME:Consult — open consultation times\r\n", "\r\nNAME:Consult — open consultation times\r\n", "\r\nMETHOD:PUBLISH\r\n"} {
		if !strings.Contains(body, line) {
			t.Errorf("feed lacks %q", strings.TrimSpace(line))
		}
	}
	// Nobody's data: not the client's, not even that a booking exists.
	for _, secret := range []string{"Ada", "Lovelace", "A. L.", "client@example.org", "ATTENDEE", "booking-"} {
		if strings.Contains(body, secret) {
			t.Errorf("public feed holds %q", secret)
		}
	}
	got, want := feedStarts(t, r.Body), f.openNow()
	if len(want) < 100 || !sameInstants(got, want) {
		t.Fatalf("feed has %d slots, the service offers %d:\n%v\n%v", len(got), len(want), got, want)
	}
	if slices.ContainsFunc(got, booked.Start.Equal) {
		t.Error("the booked slot is still in the feed")
	}

	js := icaltest.Parse(t, map[string][]byte{"open": r.Body})["open"]
	if js.Method != "PUBLISH" || js.CalName != "Consult — open consultation times" || len(js.Events) != len(want) {
		t.Fatalf("ical.js read %s, %q, %d events", js.Method, js.CalName, len(js.Events))
	}
	for i, ev := range js.Events {
		if !ev.DTStart.Equal(want[i]) || ev.DTEnd.Sub(ev.DTStart) != 20*time.Minute || len(ev.Attendees) != 0 {
			t.Errorf("ical.js event %d: %v – %v, %d attendees; want %v", i, ev.DTStart, ev.DTEnd, len(ev.Attendees), want[i])
		}
	}
}

// TestOpenSlotsFollowTheClock moves the clock through a day, across
// midnight and a DST change, and expects the feed to match the booking
// service exactly at every moment, its entity tag to hold exactly as long
// as the content does, and the same tag always to mean the same bytes.
func TestOpenSlotsFollowTheClock(t *testing.T) {
	f := newFeedTest(t)
	la, _ := time.LoadLocation("America/Los_Angeles")
	at := []time.Time{
		time.Date(2026, 12, 1, 0, 0, 0, 0, la),
		time.Date(2026, 12, 1, 8, 0, 0, 0, la),
		time.Date(2026, 12, 1, 20, 59, 59, 0, la),
		time.Date(2026, 12, 1, 21, 0, 0, 0, la), // the first Wednesday slot's last bookable moment
		time.Date(2026, 12, 1, 21, 0, 0, 1, la),
		time.Date(2026, 12, 2, 9, 10, 0, 0, la),
		time.Date(2026, 12, 2, 23, 59, 59, 0, la),
		time.Date(2026, 11, 1, 1, 30, 0, 0, la),                    // 01:30 PDT
		time.Date(2026, 11, 1, 1, 30, 0, 0, la).Add(time.Hour),     // 01:30 PST, the repeated hour
		time.Date(2026, 11, 2, 13, 30, 0, 0, la).Add(-time.Minute), // Monday after the change
	}
	for _, now := range at {
		f.clock.Set(now)
		r := f.get(availabilityPath)
		if got, want := feedStarts(t, r.Body), f.openNow(); !sameInstants(got, want) {
			t.Fatalf("at %v: feed has %d slots, the service %d", now, len(got), len(want))
		}
		tag := r.Header.Get("ETag")
		until := tagUntil(t, tag)
		if until.Before(now.Truncate(time.Second)) {
			t.Fatalf("at %v: tag valid until %v, in the past", now, until)
		}
		// Still valid at its last moment, with the very same bytes. A
		// revalidation costs at most one query (none while the version
		// read a moment ago may be used).
		f.clock.Set(until)
		if r2, n := f.fetch("GET", availabilityPath, map[string]string{"If-None-Match": tag}); r2.Status != http.StatusNotModified || n > 1 {
			t.Errorf("at %v, revalidating at %v: %d after %d queries, want 304 after at most 1", now, until, r2.Status, n)
		}
		if r2 := f.get(availabilityPath); r2.Header.Get("ETag") != tag || !bytes.Equal(r2.Body, r.Body) {
			t.Errorf("at %v and %v: tags %s and %s, bodies equal %v; want the same content under the same tag",
				now, until, tag, r2.Header.Get("ETag"), bytes.Equal(r2.Body, r.Body))
		}
		// A second later the content differs, and so does the tag.
		f.clock.Set(until.Add(time.Second))
		r3, _ := f.fetch("GET", availabilityPath, map[string]string{"If-None-Match": tag})
		if r3.Status != http.StatusOK || r3.Header.Get("ETag") == tag {
			t.Fatalf("after %v: %d with tag %s; want 200 with a new tag", until, r3.Status, r3.Header.Get("ETag"))
		}
		// At midnight the horizon may gain a day without hours; any other
		// end of validity is a slot falling within the minimum notice.
		if midnight := until.Add(time.Second).In(la); midnight.Hour()+midnight.Minute() > 0 &&
			sameInstants(feedStarts(t, r3.Body), feedStarts(t, r.Body)) {
			t.Errorf("after %v: same slots as at %v, yet the tag ran out", until, now)
		}
		if got, want := feedStarts(t, r3.Body), f.openNow(); !sameInstants(got, want) {
			t.Errorf("after %v: feed has %d slots, the service %d", until, len(got), len(want))
		}
	}
}

// tagUntil reads the end of validity an open-slots tag carries.
func tagUntil(t *testing.T, tag string) time.Time {
	t.Helper()
	_, enc, ok := strings.Cut(strings.Trim(tag, `"`), ".")
	if !ok {
		t.Fatalf("tag %s has no validity", tag)
	}
	var secs int64
	for _, c := range enc {
		secs = secs*36 + int64(strings.IndexRune("0123456789abcdefghijklmnopqrstuvwxyz", c))
	}
	return time.Unix(secs, 0).UTC()
}

// TestFeedsRevalidateCheaply sends every kind of conditional request to
// both feeds and expects a 304 at the cost of at most one query whenever
// the client's copy is current, and the full feed otherwise. (The
// open-slots feed answers from a version read less than a second before
// with none.)
func TestFeedsRevalidateCheaply(t *testing.T) {
	f := newFeedTest(t)
	f.book(f.slots(wednesday)[0], "Ada Lovelace")
	f.clock.Set(testNow.Add(time.Minute)) // let the booking settle for Last-Modified
	for _, path := range []string{availabilityPath, f.private} {
		first, n := f.fetch("GET", path, nil)
		t.Logf("%s: 200 after %d queries", path, n)
		tag, lm := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
		if first.Status != 200 || lm == "" {
			t.Fatalf("%s: %d, Last-Modified %q", path, first.Status, lm)
		}
		modified, _ := http.ParseTime(lm)
		earlier := modified.Add(-time.Second).Format(http.TimeFormat)
		for _, c := range []struct {
			name   string
			method string
			header map[string]string
			want   int
		}{
			{"If-None-Match", "GET", map[string]string{"If-None-Match": tag}, 304},
			{"weak If-None-Match", "GET", map[string]string{"If-None-Match": "W/" + tag}, 304},
			{"one of several tags", "GET", map[string]string{"If-None-Match": `"other", ` + tag}, 304},
			{"If-None-Match: *", "GET", map[string]string{"If-None-Match": "*"}, 304},
			{"If-Modified-Since", "GET", map[string]string{"If-Modified-Since": lm}, 304},
			{"HEAD If-None-Match", "HEAD", map[string]string{"If-None-Match": tag}, 304},
			{"other tag", "GET", map[string]string{"If-None-Match": `"other"`}, 200},
			{"other tag wins over date", "GET", map[string]string{"If-None-Match": `"other"`, "If-Modified-Since": lm}, 200},
			{"earlier date", "GET", map[string]string{"If-Modified-Since": earlier}, 200},
			{"HEAD", "HEAD", nil, 200},
		} {
			r, n := f.fetch(c.method, path, c.header)
			if r.Status != c.want {
				t.Errorf("%s, %s: %d, want %d", path, c.name, r.Status, c.want)
				continue
			}
			if got := r.Header.Get("ETag"); got != tag && !(c.name == "weak If-None-Match" && got == "W/"+tag) {
				t.Errorf("%s, %s: ETag %q, want %q", path, c.name, got, tag)
			}
			if r.Header.Get("Cache-Control") != first.Header.Get("Cache-Control") {
				t.Errorf("%s, %s: Cache-Control %q", path, c.name, r.Header.Get("Cache-Control"))
			}
			if c.want == 304 {
				if n > 1 || len(r.Body) != 0 {
					t.Errorf("%s, %s: 304 after %d queries with %d bytes, want at most 1 query and none", path, c.name, n, len(r.Body))
				}
				continue
			}
			if c.method == "HEAD" {
				if len(r.Body) != 0 || r.Header.Get("Content-Length") != strconv.Itoa(len(first.Body)) ||
					r.Header.Get("Content-Type") != "text/calendar; charset=utf-8" || r.Header.Get("Last-Modified") != lm {
					t.Errorf("%s, HEAD: %d bytes, headers %v", path, len(r.Body), r.Header)
				}
			} else if !bytes.Equal(r.Body, first.Body) {
				t.Errorf("%s, %s: other bytes than the first response", path, c.name)
			}
		}
	}

	// A process that has not built the open-slots feed yet still answers
	// If-Modified-Since correctly, by building it.
	other, err := api.New(api.Config{BaseURL: "http://consult.test"}, api.Deps{
		Service: booking.NewService(f.store, f.clock.Now), Feeds: f.store})
	if err != nil {
		t.Fatal(err)
	}
	lm := f.get(availabilityPath).Header.Get("Last-Modified")
	for date, want := range map[string]int{lm: 304, "Mon, 30 Nov 2026 00:00:00 GMT": 200} {
		req := httptest.NewRequest("GET", availabilityPath, nil)
		req.Header.Set("If-Modified-Since", date)
		rec := httptest.NewRecorder()
		other.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("fresh process, If-Modified-Since %s: %d, want %d", date, rec.Code, want)
		}
	}
}

// TestFeedsSendNoDateForFreshChanges expects Last-Modified to wait until a
// change has settled, while the entity tag validates at once.
func TestFeedsSendNoDateForFreshChanges(t *testing.T) {
	f := newFeedTest(t)
	f.book(f.slots(wednesday)[0], "Ada Lovelace") // stamped with the clock, now
	for _, path := range []string{availabilityPath, f.private} {
		r := f.get(path)
		if lm := r.Header.Get("Last-Modified"); lm != "" {
			t.Errorf("%s: Last-Modified %s for a change made this second", path, lm)
		}
		if r2, _ := f.fetch("GET", path, map[string]string{"If-Modified-Since": testNow.Format(http.TimeFormat)}); r2.Status != 200 {
			t.Errorf("%s: If-Modified-Since the change's own second: %d, want 200", path, r2.Status)
		}
		if r2, _ := f.fetch("GET", path, map[string]string{"If-None-Match": r.Header.Get("ETag")}); r2.Status != 304 {
			t.Errorf("%s: If-None-Match: %d, want 304", path, r2.Status)
		}
	}
}
