package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"consult/api"
	"consult/api/httpx"
	"consult/booking"
	"consult/storage"
	"consult/storage/storagetest"
)

// spanCounter is the store, counting the reads the slot engine computes
// from: those of a few days or weeks (a patch, a booking's first look)
// and those of the whole horizon.
type spanCounter struct {
	*storage.Store
	narrow, wide atomic.Int64
}

func (c *spanCounter) ScheduleAndBusy(ctx context.Context, from, to booking.Date, busyFrom, busyTo time.Time) (booking.Schedule, []booking.Interval, error) {
	if booking.DayNumber(to)-booking.DayNumber(from) <= 30 {
		c.narrow.Add(1)
	} else {
		c.wide.Add(1)
	}
	return c.Store.ScheduleAndBusy(ctx, from, to, busyFrom, busyTo)
}

func (c *spanCounter) ScheduleBusyAndVersion(ctx context.Context, from, to booking.Date, busyFrom, busyTo time.Time) (booking.Schedule, []booking.Interval, string, error) {
	if booking.DayNumber(to)-booking.DayNumber(from) <= 30 {
		c.narrow.Add(1)
	} else {
		c.wide.Add(1)
	}
	return c.Store.ScheduleBusyAndVersion(ctx, from, to, busyFrom, busyTo)
}

// serverOn returns a function starting a server on a store (and its
// feeds) with the clock now, returning its URL.
func serverOn(t *testing.T, now func() time.Time) func(booking.Store, booking.FeedStore) string {
	renderer, pages := siteWeb(t)
	return func(st booking.Store, feeds booking.FeedStore) string {
		t.Helper()
		svc := booking.NewService(st, now)
		srv, err := api.New(api.Config{BaseURL: "http://consult.test"}, api.Deps{Service: svc, Web: renderer, Pages: pages, Feeds: feeds})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		t.Cleanup(ts.Close)
		return ts.URL
	}
}

// TestPatchedSlotsReadAsComputedAfresh books and cancels at random through
// one server, mostly in the first days so that buffers and daily caps
// come into play, now and then through another instance on the same
// database, and after every change expects the first server's slots over
// the whole horizon (patched around the times it changed itself) to be
// those a server that computes them afresh gives.
func TestPatchedSlotsReadAsComputedAfresh(t *testing.T) {
	pool := storagetest.NewDB(t)
	store := &spanCounter{Store: seedStore(t, pool, false)}
	clock := &testClock{t: testNow}
	serve := serverOn(t, clock.Now)
	here := serve(store, store)
	other := storage.New(pool)
	elsewhere := serve(other, other)
	// A server of its own for every reading: one kept would go on
	// answering from the version it read last for a while.
	afresh := func() string {
		fresh := storage.New(pool)
		return serve(fresh, fresh)
	}

	site := &testSite{t: t, client: http.DefaultClient}
	horizon := "/api/v1/slots?from=2026-12-01&to=2027-02-01"
	slotsAt := func(base, query string) (body string, starts []string) {
		t.Helper()
		p := site.get(base + query)
		if p.Status != http.StatusOK {
			t.Fatalf("slots: %d %s", p.Status, p.Body)
		}
		var l slotList
		if err := json.Unmarshal([]byte(p.Body), &l); err != nil {
			t.Fatal(err)
		}
		for _, s := range l.Slots {
			starts = append(starts, s.Start.UTC().Format(time.RFC3339))
		}
		return p.Body, starts
	}
	// formPage is the booking form at url, its one-off key blanked.
	formKey := regexp.MustCompile(`name="key" value="[^"]*"`)
	formPage := func(url string) string {
		t.Helper()
		p := site.get(url)
		if p.Status != http.StatusOK {
			t.Fatalf("%s: %d", url, p.Status)
		}
		return formKey.ReplaceAllString(p.Body, `name="key" value=""`)
	}
	rnd := rand.New(rand.NewPCG(7, 20))
	var tokens []string
	n := 0
	book := func(base string, free []string) {
		t.Helper()
		n++
		// Mostly among the first free times, so that days fill up.
		start := free[rnd.IntN(min(len(free), 40))]
		r := site.do(jsonRequest(t, "POST", base+"/api/v1/bookings",
			fmt.Sprintf(`{"start": %q, "name": "Client %d", "email": "client%d@example.org"}`, start, n, n)))
		if r.Status != http.StatusCreated {
			t.Fatalf("book %s: %d %s", start, r.Status, r.Body)
		}
		var b bookingBody
		if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
			t.Fatal(err)
		}
		if base == here {
			tokens = append(tokens, b.token())
		}
	}
	cancel := func() {
		t.Helper()
		i := rnd.IntN(len(tokens))
		token := tokens[i]
		tokens = append(tokens[:i], tokens[i+1:]...)
		if r := site.do(jsonRequest(t, "DELETE", here+"/api/v1/bookings/"+token, "")); r.Status != http.StatusOK {
			t.Fatalf("cancel: %d %s", r.Status, r.Body)
		}
	}

	elsewhereSteps := 0
	for step := range 60 {
		_, free := slotsAt(here, horizon)
		if len(free) == 0 {
			t.Fatalf("step %d: no free time left", step)
		}
		madeElsewhere := false
		switch op := rnd.IntN(10); {
		case op < 4 || len(tokens) == 0:
			book(here, free)
		case op < 7:
			cancel()
		case op < 8:
			book(elsewhere, free)
			madeElsewhere = true
			elsewhereSteps++
		default:
			// Several changes between two reads.
			book(here, free)
			cancel()
			_, free = slotsAt(afresh(), horizon)
			book(here, free)
		}
		if madeElsewhere {
			// A change made elsewhere shows here once the version is
			// read again, after httpx.VersionTTL; one made here at once.
			clock.Add(httpx.VersionTTL + time.Second)
		}
		fresh := afresh()
		// The booking form, kept while the changes fall on days it does
		// not show.
		for _, q := range []string{"/book", "/book?date=2026-12-21", "/book?tz=Asia/Tokyo&date=2026-12-04"} {
			want, got := formPage(fresh+q), formPage(here+q)
			if got != want {
				t.Fatalf("step %d, %s: the booking form differs from one built afresh", step, q)
			}
		}
		// The whole horizon, and weeks whose answers are kept while the
		// changes fall on other days.
		for _, q := range []string{horizon, "/api/v1/slots?from=2026-12-01&to=2026-12-07",
			"/api/v1/slots?from=2026-12-15&to=2026-12-28&tz=Asia/Tokyo"} {
			want, wantStarts := slotsAt(fresh, q)
			got, gotStarts := slotsAt(here, q)
			if got != want {
				t.Fatalf("step %d, %s: the slots patched differ from those computed afresh: only patched %v, only afresh %v",
					step, q, without(gotStarts, wantStarts), without(wantStarts, gotStarts))
			}
		}
	}
	// Only the first computation and those after a change made elsewhere
	// read the whole horizon: every change made here was patched in.
	if wide := store.wide.Load(); wide != int64(1+elsewhereSteps) {
		t.Errorf("the whole horizon was read %d times; want %d: once at first, once after each of the %d changes made elsewhere",
			wide, 1+elsewhereSteps, elsewhereSteps)
	}
}

// without returns the elements of a not in b.
func without(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// TestATimeSeenFreeIsBookedWithoutAFirstLook books a time the slots API's
// copy offers and expects no read of the schedule and bookings before
// the booking's own transaction; and a time booked meanwhile through
// another instance, still offered by the copy, to be refused all the
// same, as the transaction's check decides.
func TestATimeSeenFreeIsBookedWithoutAFirstLook(t *testing.T) {
	pool := storagetest.NewDB(t)
	store := &spanCounter{Store: seedStore(t, pool, false)}
	serve := serverOn(t, func() time.Time { return testNow })
	here := serve(store, store)
	other := storage.New(pool)
	elsewhere := serve(other, other)
	site := &testSite{t: t, client: http.DefaultClient}
	free := func() []string {
		t.Helper()
		p := site.get(here + "/api/v1/slots?from=2026-12-01&to=2026-12-14")
		var l slotList
		if err := json.Unmarshal([]byte(p.Body), &l); err != nil || p.Status != http.StatusOK {
			t.Fatalf("slots: %d %s", p.Status, p.Body)
		}
		var out []string
		for _, s := range l.Slots {
			out = append(out, s.Start.UTC().Format(time.RFC3339))
		}
		return out
	}
	book := func(base, start, email string) fetched {
		t.Helper()
		return site.do(jsonRequest(t, "POST", base+"/api/v1/bookings",
			fmt.Sprintf(`{"start": %q, "name": "Ada Lovelace", "email": %q}`, start, email)))
	}

	offered := free()
	reads := store.narrow.Load() + store.wide.Load()
	if r := book(here, offered[0], "ada@example.org"); r.Status != http.StatusCreated {
		t.Fatalf("book %s: %d %s", offered[0], r.Status, r.Body)
	}
	if n := store.narrow.Load() + store.wide.Load() - reads; n != 0 {
		t.Errorf("booking a time the copy offers read the schedule and bookings %d times before its transaction, want none", n)
	}

	// Booked elsewhere: this instance's copy offers it until it reads
	// the version again.
	offered = free()
	taken := offered[len(offered)-1]
	if r := book(elsewhere, taken, "bo@example.org"); r.Status != http.StatusCreated {
		t.Fatalf("book %s elsewhere: %d %s", taken, r.Status, r.Body)
	}
	if !slices.Contains(free(), taken) {
		t.Fatal("the copy already knows of the booking made elsewhere; the test needs it not to")
	}
	r := book(here, taken, "cy@example.org")
	if r.Status != http.StatusConflict || !strings.Contains(r.Body, `"type":"/problems/taken"`) {
		t.Fatalf("booking %s, taken elsewhere: %d %s; want 409, /problems/taken", taken, r.Status, r.Body)
	}
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM bookings WHERE starts_at = $1 AND status = 'confirmed'`, taken).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d bookings at %s (%v), want the one made elsewhere", n, taken, err)
	}
}

// TestPatchedSlotsHoldUnderConcurrentChanges books and cancels from
// several clients at once while others read the slots, so that copies
// are computed and patched while bookings commit, and expects the slots
// once all is quiet (every booking cancelled) to be those a server
// computing them afresh gives: a copy whose busy times were read a
// moment after the version it is kept for would count a change twice.
func TestPatchedSlotsHoldUnderConcurrentChanges(t *testing.T) {
	pool := storagetest.NewDB(t)
	store := seedStore(t, pool, false)
	serve := serverOn(t, func() time.Time { return testNow })
	here := serve(store, store)
	horizon := "/api/v1/slots?from=2026-12-01&to=2027-02-01"
	get := func(base string) ([]string, error) {
		resp, err := http.Get(base + horizon)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var l slotList
		if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
			return nil, err
		}
		var out []string
		for _, s := range l.Slots {
			out = append(out, s.Start.UTC().Format(time.RFC3339))
		}
		return out, nil
	}
	free, err := get(here)
	if err != nil || len(free) < 40 {
		t.Fatalf("slots: %d, %v", len(free), err)
	}
	do := func(method, url, body string) (int, []byte, error) {
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for r := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := get(here); err != nil {
					t.Errorf("reader %d: %v", r, err)
					return
				}
			}
		}()
	}
	var writers sync.WaitGroup
	for w := range 6 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := range 12 {
				start := free[(w*5+i)%20] // the first days, contended
				status, body, err := do("POST", here+"/api/v1/bookings",
					fmt.Sprintf(`{"start": %q, "name": "Client %d", "email": "c%d-%d@example.org"}`, start, w, w, i))
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				if status == http.StatusConflict {
					continue
				}
				var b bookingBody
				if status != http.StatusCreated || json.Unmarshal(body, &b) != nil {
					t.Errorf("writer %d: book %s: %d %s", w, start, status, body)
					return
				}
				if _, err := get(here); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				if status, body, err := do("DELETE", here+"/api/v1/bookings/"+b.token(), ""); err != nil || status != http.StatusOK {
					t.Errorf("writer %d: cancel: %d %s %v", w, status, body, err)
					return
				}
			}
		}()
	}
	writers.Wait()
	close(stop)
	wg.Wait()

	got, err := get(here)
	if err != nil {
		t.Fatal(err)
	}
	fresh := storage.New(pool)
	want, err := get(serve(fresh, fresh))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) || !slices.Equal(want, free) {
		t.Errorf("once quiet, the patched slots differ from those computed afresh: only patched %v, only afresh %v (afresh equals the start: %v)",
			without(got, want), without(want, got), slices.Equal(want, free))
	}
}
