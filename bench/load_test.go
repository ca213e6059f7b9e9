package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"no samples", nil, 50, 0},
		{"one sample", []time.Duration{7}, 99, 7},
		{"median of 100", hundred, 50, 50 * time.Millisecond},
		{"p99 of 100", hundred, 99, 99 * time.Millisecond},
		{"p99.5 rounds up", hundred, 99.5, 100 * time.Millisecond},
		{"max", hundred, 100, 100 * time.Millisecond},
		{"p0 is the smallest", hundred, 0, time.Millisecond},
		{"median of 4 is the second", []time.Duration{1, 2, 3, 4}, 50, 2},
	} {
		if got := percentile(tc.sorted, tc.p); got != tc.want {
			t.Errorf("%s: percentile(%v) = %v, want %v", tc.name, tc.p, got, tc.want)
		}
	}
}

func TestResultMerge(t *testing.T) {
	a := Result{Requests: 2, Errors: 1, Elapsed: time.Second, Latencies: []time.Duration{1, 5},
		Statuses: map[int]int{200: 1, 500: 1}, FirstErr: "status 500, want 200"}
	b := Result{Requests: 2, Elapsed: time.Second, Latencies: []time.Duration{2, 3}, Statuses: map[int]int{200: 2}}
	got := a.merge(b)
	if got.Requests != 4 || got.Errors != 1 || got.Elapsed != 2*time.Second || got.Statuses[200] != 3 ||
		got.Statuses[500] != 1 || got.FirstErr != a.FirstErr {
		t.Errorf("merge = %+v", got)
	}
	if want := []time.Duration{1, 2, 3, 5}; len(got.Latencies) != 4 || got.Latencies[1] != want[1] || got.Latencies[3] != want[3] {
		t.Errorf("latencies %v, want %v", got.Latencies, want)
	}
	if got.RPS() != 2 {
		t.Errorf("RPS = %v, want 2", got.RPS())
	}
	if a.Latencies[1] != 5 {
		t.Error("merge changed its receiver")
	}
}

func TestLoadCountsAnswersAndErrors(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fail" {
			http.Error(w, "no", http.StatusInternalServerError)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer ts.Close()
	ok := load(context.Background(), request{Method: "GET", URL: ts.URL + "/", Want: 200}, 2, 20*time.Millisecond, 150*time.Millisecond)
	if ok.Requests == 0 || ok.Errors != 0 || ok.Statuses[200] != ok.Requests || len(ok.Latencies) != ok.Requests {
		t.Errorf("good phase: %d requests, %d errors, statuses %v", ok.Requests, ok.Errors, ok.Statuses)
	}
	bad := load(context.Background(), request{Method: "GET", URL: ts.URL + "/fail", Want: 200}, 2, 0, 100*time.Millisecond)
	if bad.Requests == 0 || bad.Errors != bad.Requests || bad.FirstErr != "status 500, want 200" {
		t.Errorf("failing phase: %d requests, %d errors (%q)", bad.Requests, bad.Errors, bad.FirstErr)
	}
}

// A revalidating client takes the new tag from a 200, as calendar apps
// do, and then gets 304s again.
func TestLoadRevalidationFollowsNewTags(t *testing.T) {
	var version atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tag := `"v` + strconv.FormatInt(version.Load(), 10) + `"`
		w.Header().Set("ETag", tag)
		if r.Header.Get("If-None-Match") == tag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write([]byte("calendar"))
	}))
	defer ts.Close()
	etag := new(atomic.Pointer[string])
	old := `"v0"`
	etag.Store(&old)
	version.Store(1) // the content changed before the phase began
	req := request{Method: "GET", URL: ts.URL, Want: http.StatusNotModified, etag: etag}
	res := load(context.Background(), req, 1, 0, 100*time.Millisecond)
	if res.Errors != 0 || res.Statuses[200] != 1 || res.Statuses[304] != res.Requests-1 || *etag.Load() != `"v1"` {
		t.Errorf("%d errors, statuses %v, tag %s", res.Errors, res.Statuses, *etag.Load())
	}
}

func TestVmHWM(t *testing.T) {
	dir := t.TempDir()
	status := filepath.Join(dir, "status")
	if err := os.WriteFile(status, []byte("Name:\tconsult\nVmPeak:\t 2000000 kB\nVmHWM:\t   65536 kB\nVmRSS:\t 1000 kB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := vmHWM(status); err != nil || got != 64<<20 {
		t.Errorf("vmHWM = %d, %v; want %d", got, err, 64<<20)
	}
	if err := os.WriteFile(status, []byte("Name:\tconsult\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := vmHWM(status); err == nil {
		t.Error("no error for a status without VmHWM")
	}
	if got, err := vmHWM("/proc/self/status"); err != nil || got <= 0 {
		t.Errorf("own VmHWM = %d, %v", got, err)
	}
}

func TestMergeEnvDropsDatabaseURL(t *testing.T) {
	got := mergeEnv([]string{"PATH=/bin", "DATABASE_URL=postgres://x", "RATE_LIMIT=5", "HOME=/root"},
		[]string{"RATE_LIMIT=0", "DATA_DIR=/tmp/d"})
	want := []string{"PATH=/bin", "HOME=/root", "RATE_LIMIT=0", "DATA_DIR=/tmp/d"}
	if len(got) != len(want) {
		t.Fatalf("mergeEnv = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("mergeEnv = %v, want %v", got, want)
			break
		}
	}
}

// A phase of several kinds of request is counted as a whole and by kind.
func TestDriveCountsEachKind(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fail" {
			http.Error(w, "no", http.StatusInternalServerError)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer ts.Close()
	res, kinds := drive(context.Background(), 2, 0, 150*time.Millisecond, func(int) step {
		i := 0
		return func(ctx context.Context, client *http.Client) outcome {
			i++
			kind, path := "good", "/"
			if i%3 == 0 {
				kind, path = "bad", "/fail"
			}
			status, _, err := once(ctx, client, request{Method: "GET", URL: ts.URL + path})
			return outcome{kind: kind, status: status, ok: err == nil && status == 200, err: err, want: 200}
		}
	})
	good, bad := kinds["good"], kinds["bad"]
	if good.Requests == 0 || bad.Requests == 0 || good.Requests+bad.Requests != res.Requests {
		t.Fatalf("%d good and %d bad of %d", good.Requests, bad.Requests, res.Requests)
	}
	if good.Errors != 0 || bad.Errors != bad.Requests || res.Errors != bad.Requests || len(good.Latencies) != good.Requests {
		t.Errorf("errors: %d good, %d bad, %d in all", good.Errors, bad.Errors, res.Errors)
	}
	if res.FirstErr != "bad: status 500, want 200" {
		t.Errorf("first error %q", res.FirstErr)
	}
}

// The mixed phase sends one write in 20, a booking and then its
// cancellation, and reads slots, /book and / in between.
func TestMixSendsOneWriteInTwenty(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	booked := map[string]bool{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen[r.Method+" "+r.URL.Path]++
		switch {
		case r.Method == "POST" && r.URL.Path == "/api/v1/bookings":
			token := "tok" + strconv.Itoa(len(booked))
			booked[token] = true
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"manage_url": "http://x/manage/%s"}`, token)
		case r.Method == "DELETE" && strings.HasPrefix(r.URL.Path, "/api/v1/bookings/"):
			token := strings.TrimPrefix(r.URL.Path, "/api/v1/bookings/")
			if !booked[token] {
				http.Error(w, "unknown", http.StatusNotFound)
				return
			}
			delete(booked, token)
			w.Write([]byte("{}"))
		default:
			w.Write([]byte("page"))
		}
	}))
	defer ts.Close()
	get := func(path string) request { return request{Method: "GET", URL: ts.URL + path, Want: 200} }
	m := &mix{base: ts.URL, slots: get("/api/v1/slots"), book: get("/book"), home: get("/"),
		free: []time.Time{time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)}, emails: new(atomic.Int64), emailPrefix: "t"}
	next := m.worker(0)
	kinds := map[string]int{}
	for range 400 {
		o := next(context.Background(), ts.Client())
		if !o.ok {
			t.Fatalf("%s: status %d, %v", o.kind, o.status, o.err)
		}
		kinds[o.kind]++
	}
	if kinds[kindBook] != 10 || kinds[kindCancel] != 10 || kinds[kindSlots] != 190 || kinds[kindBookPage] != 95 || kinds[kindHome] != 95 {
		t.Errorf("kinds %v", kinds)
	}
	if len(booked) != 0 {
		t.Errorf("%d bookings left uncancelled", len(booked))
	}
}
