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
	tr := newTransport(conns)
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	type sample struct {
		lats     []time.Duration
		statuses map[int]int
		errs     int
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
			s.statuses = map[int]int{}
			for ctx.Err() == nil {
				t0 := time.Now()
				status, refreshed, err := once(ctx, client, req)
				t1 := time.Now()
				if t1.After(end) {
					return
				}
				if t0.Before(measureFrom) {
					continue
				}
				s.lats = append(s.lats, t1.Sub(t0))
				if err != nil {
					s.errs++
					if s.firstErr == "" {
						s.firstErr = err.Error()
					}
					continue
				}
				s.statuses[status]++
				if status != req.Want && !refreshed {
					s.errs++
					if s.firstErr == "" {
						s.firstErr = fmt.Sprintf("status %d, want %d", status, req.Want)
					}
				}
			}
		}()
	}
	wg.Wait()
	res := Result{Elapsed: d, Statuses: map[int]int{}}
	for _, s := range samples {
		res.Requests += len(s.lats)
		res.Errors += s.errs
		res.Latencies = append(res.Latencies, s.lats...)
		for k, v := range s.statuses {
			res.Statuses[k] += v
		}
		if res.FirstErr == "" {
			res.FirstErr = s.firstErr
		}
	}
	slices.Sort(res.Latencies)
	return res
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
