package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// request is one kind of request a load phase sends over and over.
type request struct {
	Method string
	URL    string
	Header http.Header
	// Want is the status that counts as success; anything else, or a
	// transport error, is an error.
	Want int
	// etag, when set, makes the request a revalidation as a calendar app
	// sends it: If-None-Match with the tag it holds, and a 200 with a new
	// tag (the content changed, e.g. a slot passed the minimum notice)
	// replaces the tag and counts as a success.
	etag *atomic.Pointer[string]
}

// Result is what one load phase measured. Latencies are kept whole (a few
// hundred thousand samples at most) so percentiles are exact.
type Result struct {
	Requests  int
	Errors    int
	Elapsed   time.Duration
	Latencies []time.Duration // sorted
	Statuses  map[int]int
	FirstErr  string
}

// RPS is the throughput: successful and failed requests per second.
func (r Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Percentile returns the p-th percentile latency (0 < p ≤ 100).
func (r Result) Percentile(p float64) time.Duration { return percentile(r.Latencies, p) }

// percentile returns the nearest-rank p-th percentile of sorted: the
// smallest sample with at least p% of the samples at or below it. Zero for
// no samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// merge adds o's samples to r, for a phase measured over several rounds.
func (r Result) merge(o Result) Result {
	out := Result{
		Requests: r.Requests + o.Requests, Errors: r.Errors + o.Errors, Elapsed: r.Elapsed + o.Elapsed,
		Latencies: append(slices.Clone(r.Latencies), o.Latencies...), Statuses: map[int]int{},
		FirstErr: r.FirstErr,
	}
	if out.FirstErr == "" {
		out.FirstErr = o.FirstErr
	}
	for _, m := range []map[int]int{r.Statuses, o.Statuses} {
		for k, v := range m {
			out.Statuses[k] += v
		}
	}
	slices.Sort(out.Latencies)
	return out
}

// newTransport returns a keep-alive transport for conns connections that
// leaves response bodies as sent (no transparent gunzip), so the load
// generator spends as little of the shared CPU as it can.
func newTransport(conns int) *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		DisableCompression:  true,
		IdleConnTimeout:     time.Minute,
	}
}

// load sends req from conns workers, each waiting for its answer before
// sending the next (a closed loop), for warmup and then for d, recording
// only what completes within d.
func load(ctx context.Context, req request, conns int, warmup, d time.Duration) Result {
	res, _ := drive(ctx, conns, warmup, d, func(int) step {
		return func(ctx context.Context, client *http.Client) outcome {
			status, refreshed, err := once(ctx, client, req)
			return outcome{status: status, ok: err == nil && (status == req.Want || refreshed), err: err, want: req.Want}
		}
	})
	return res
}

// outcome is what one step of a load phase brought: the kind of request
// ("" for a phase of one kind), its status, and whether it counts as an
// answer (ok) or an error.
type outcome struct {
	kind   string
	status int
	ok     bool
	err    error
	want   int // the status wanted, for the first error's message
}

// step sends one request of a phase.
type step func(ctx context.Context, client *http.Client) outcome

// drive runs the closed loop: conns workers, each sending the steps its
// next returns one after another, for warmup and then for d, recording
// only what completes within d. It returns the whole and, for phases of
// several kinds of request, each kind.
func drive(ctx context.Context, conns int, warmup, d time.Duration, worker func(w int) step) (Result, map[string]Result) {
	tr := newTransport(conns)
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	type sample struct {
		lats     []time.Duration
		kinds    []string
		statuses map[int]int
		errs     map[string]int
		firstErr string
	}
	samples := make([]sample, conns)
	start := time.Now()
	measureFrom, end := start.Add(warmup), start.Add(warmup+d)
	var wg sync.WaitGroup
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &samples[w]
			s.statuses, s.errs = map[int]int{}, map[string]int{}
			next := worker(w)
			for ctx.Err() == nil {
				t0 := time.Now()
				o := next(ctx, client)
				t1 := time.Now()
				if t1.After(end) {
					return
				}
				if t0.Before(measureFrom) {
					continue
				}
				s.lats = append(s.lats, t1.Sub(t0))
				s.kinds = append(s.kinds, o.kind)
				if o.err == nil {
					s.statuses[o.status]++
				}
				if o.ok {
					continue
				}
				s.errs[o.kind]++
				if s.firstErr == "" {
					if o.err != nil {
						s.firstErr = o.err.Error()
					} else {
						s.firstErr = fmt.Sprintf("status %d, want %d", o.status, o.want)
					}
					if o.kind != "" {
						s.firstErr = o.kind + ": " + s.firstErr
					}
				}
			}
		}()
	}
	wg.Wait()
	res := Result{Elapsed: d, Statuses: map[int]int{}}
	kinds := map[string]*Result{}
	for _, s := range samples {
		res.Requests += len(s.lats)
		res.Latencies = append(res.Latencies, s.lats...)
		for k, v := range s.statuses {
			res.Statuses[k] += v
		}
		for i, kind := range s.kinds {
			if kind == "" {
				continue
			}
			k := kinds[kind]
			if k == nil {
				k = &Result{Elapsed: d, Statuses: map[int]int{}}
				kinds[kind] = k
			}
			k.Requests++
			k.Latencies = append(k.Latencies, s.lats[i])
		}
		for kind, n := range s.errs {
			res.Errors += n
			if k := kinds[kind]; k != nil {
				k.Errors += n
			}
		}
		if res.FirstErr == "" {
			res.FirstErr = s.firstErr
		}
	}
	slices.Sort(res.Latencies)
	if len(kinds) == 0 {
		return res, nil
	}
	out := map[string]Result{}
	for kind, k := range kinds {
		slices.Sort(k.Latencies)
		out[kind] = *k
	}
	return res, out
}

// once sends one request and reads the whole answer, as a client would,
// and reports whether it brought a revalidating request a new entity tag.
func once(ctx context.Context, client *http.Client, req request) (status int, refreshed bool, err error) {
	r, err := http.NewRequestWithContext(ctx, req.Method, req.URL, nil)
	if err != nil {
		return 0, false, err
	}
	for k, v := range req.Header {
		r.Header[k] = v
	}
	if req.etag != nil {
		r.Header.Set("If-None-Match", *req.etag.Load())
	}
	resp, err := client.Do(r)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, false, err
	}
	if tag := resp.Header.Get("ETag"); req.etag != nil && resp.StatusCode == http.StatusOK && tag != "" {
		req.etag.Store(&tag)
		refreshed = true
	}
	return resp.StatusCode, refreshed, nil
}
