package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// bencher holds the processes of one run, so every one of them is
// stopped whatever happens.
type bencher struct {
	o                 options
	bin, dataDir, tmp string
	rep               *Report
	logf              func(string, ...any)
	stderr            io.Writer
	server, baseline  *proc
	dbURL             string
	practiceTZ        string
	serverEnv         []string
}

// close stops the processes still running.
func (b *bencher) close() {
	for _, p := range []*proc{b.baseline, b.server} {
		if p != nil {
			if err := p.stop(); err != nil {
				b.logf("stopping %s: %v", p.name, err)
			}
		}
	}
	b.baseline, b.server = nil, nil
}

// startServer starts the consult binary on the bench's data directory.
func (b *bencher) startServer(ctx context.Context, name string, extraEnv ...string) (*proc, time.Duration, error) {
	p, err := startProc(name, b.bin, []string{"serve"}, append(b.serverEnv[:len(b.serverEnv):len(b.serverEnv)], extraEnv...))
	if err != nil {
		return nil, 0, err
	}
	ready, err := p.waitReady(ctx, "/readyz", 2*time.Minute)
	if err != nil {
		_ = p.stop()
		return nil, 0, err
	}
	return p, ready, nil
}

// measure runs every phase and fills b.rep.
func (b *bencher) measure(ctx context.Context) error {
	b.practiceTZ = defaultSeed.TimeZone
	// The per-address limit is off and the per-email caps raised for the
	// whole run: the load comes from one address, and the contention
	// clients are 1,000 different people. Unknown settings are ignored.
	b.serverEnv = []string{"DATA_DIR=" + b.dataDir, "RATE_LIMIT=0", "EMAIL_UPCOMING_LIMIT=10", "EMAIL_YEARLY_LIMIT=10", "NETWORK_UPCOMING_LIMIT=0", "PROOF_OF_WORK_RATE=0",
		"PRACTICE_TIMEZONE=" + b.practiceTZ, "PRACTICE_NAME=Harbour Therapy"}
	b.rep.ServerEnv = b.serverEnv[1:]

	// Time to ready, first start: initdb, cluster start, migrations.
	b.logf("first start on an empty data directory")
	first, ready, err := b.startServer(ctx, "consult (first start)")
	if err != nil {
		return err
	}
	logged, _ := first.logged()
	b.rep.Ready.First = readyTime{ready, logged}
	if b.dbURL, err = clusterURL(b.dataDir); err != nil {
		_ = first.stop()
		return err
	}
	if v, err := os.ReadFile(filepath.Join(b.dataDir, "postgres", "PG_VERSION")); err == nil {
		b.rep.Postgres = strings.TrimSpace(string(v))
	}
	now := time.Now()
	b.logf("seeding %d bookings", defaultSeed.Bookings)
	b.rep.Seeded, err = seed(ctx, b.dbURL, defaultSeed, now)
	if stopErr := first.stop(); err == nil {
		err = stopErr
	}
	if err != nil {
		return err
	}

	// Restarts on the initialised data directory (the cluster starts
	// again each time); the last one stays up as the measured server.
	for i := range b.o.restarts {
		b.logf("restart %d of %d", i+1, b.o.restarts)
		var extra []string
		if b.o.pprof != "" && i == b.o.restarts-1 {
			extra = append(extra, "CONSULT_PPROF_ADDR="+b.o.pprof)
		}
		p, ready, err := b.startServer(ctx, "consult", extra...)
		if err != nil {
			return err
		}
		logged, _ := p.logged()
		b.rep.Ready.Restart = append(b.rep.Ready.Restart, readyTime{ready, logged})
		if i < b.o.restarts-1 {
			if err := p.stop(); err != nil {
				return err
			}
			continue
		}
		b.server = p
	}
	if b.dbURL, err = clusterURL(b.dataDir); err != nil {
		return err
	}
	// A second instance joins the running cluster: time to ready without
	// the cluster's own start.
	for i := range b.o.restarts {
		b.logf("second instance joining the running cluster, %d of %d", i+1, b.o.restarts)
		p, ready, err := b.startServer(ctx, "consult (joining)")
		if err != nil {
			return err
		}
		logged, _ := p.logged()
		b.rep.Ready.Join = append(b.rep.Ready.Join, readyTime{ready, logged})
		if err := p.stop(); err != nil {
			return err
		}
	}
	if b.rep.Memory.Idle, err = b.server.peakRSS(); err != nil {
		return err
	}

	if b.baseline, err = b.startBaseline(ctx); err != nil {
		return err
	}
	phases, err := b.phases(ctx, now)
	if err != nil {
		return err
	}
	if len(b.o.phases) > 0 {
		phases = slices.DeleteFunc(phases, func(p Phase) bool {
			return p.Baseline != "" && !slices.Contains(b.o.phases, p.Key)
		})
	}
	for round := range b.o.rounds {
		for i := range phases {
			ph := &phases[i]
			b.logf("round %d/%d: %s, %d connections", round+1, b.o.rounds, ph.Name, ph.Conns)
			srv := b.server
			if ph.Baseline == "" {
				srv = b.baseline
			}
			res, parts, cpu := b.loadPhase(ctx, srv, ph)
			ph.Result, ph.CPU = ph.Result.merge(res), ph.CPU.add(cpu)
			for kind, r := range parts {
				if ph.Parts == nil {
					ph.Parts = map[string]Result{}
				}
				ph.Parts[kind] = ph.Parts[kind].merge(r)
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			// Peak RSS only grows: after each phase of the first round it
			// shows which phase raised it.
			if round == 0 {
				if ph.PeakRSS, err = srv.peakRSS(); err != nil {
					return err
				}
			}
		}
	}
	b.rep.Phases = phases
	if b.rep.Memory.AfterLoad, err = b.server.peakRSS(); err != nil {
		return err
	}

	if !b.o.contention {
		_, b.rep.ServerErrorLines = b.server.logged()
		return nil
	}
	b.logf("booking contention: %d clients, %d free slots", b.o.clients, b.o.slots)
	slots, err := freeSlots(ctx, b.server.url, b.practiceTZ, time.Now(), b.o.slots)
	if err != nil {
		return err
	}
	if b.rep.Contention, err = contend(ctx, b.server.url, b.dbURL, slots, b.o.clients); err != nil {
		return err
	}
	if b.rep.Memory.AfterContention, err = b.server.peakRSS(); err != nil {
		return err
	}
	if b.rep.Memory.Baseline, err = b.baseline.peakRSS(); err != nil {
		return err
	}
	_, b.rep.ServerErrorLines = b.server.logged()

	if b.o.profile {
		if err := b.profileMissed(ctx); err != nil {
			return err
		}
	}
	return nil
}

// loadPhase runs one round of a phase against srv and samples the CPU
// time of srv and of the database over the measured part of it.
func (b *bencher) loadPhase(ctx context.Context, srv *proc, ph *Phase) (Result, map[string]Result, cpuSample) {
	sample := func() cpuSample {
		return cpuSample{server: processCPU(srv.cmd.Process.Pid), db: clusterCPU(b.dataDir)}
	}
	from, to := make(chan cpuSample, 1), make(chan cpuSample, 1)
	t0 := time.Now()
	go func() {
		time.Sleep(time.Until(t0.Add(b.o.warmup)))
		from <- sample()
		time.Sleep(time.Until(t0.Add(b.o.warmup + b.o.duration)))
		to <- sample()
	}()
	res, parts := ph.run(ctx, b.o.warmup, b.o.duration)
	end := <-to
	return res, parts, end.sub(<-from)
}

// startBaseline starts this program's baseline server on the service's
// database.
func (b *bencher) startBaseline(ctx context.Context) (*proc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	p, err := startProc("baseline", self, []string{"baseline", b.dbURL}, nil)
	if err != nil {
		return nil, err
	}
	if _, err := p.waitReady(ctx, "/query", 30*time.Second); err != nil {
		_ = p.stop()
		return nil, err
	}
	return p, nil
}

// phases lists the throughput phases, each with the baseline its figures
// are compared with. Requests ask for gzip as browsers and calendar apps
// do; the bench reads the compressed bytes without unpacking them.
func (b *bencher) phases(ctx context.Context, now time.Time) ([]Phase, error) {
	loc, err := time.LoadLocation(b.practiceTZ)
	if err != nil {
		return nil, err
	}
	from := now.In(loc).AddDate(0, 0, 1)
	slotsQ := url.Values{"from": {from.Format(time.DateOnly)}, "to": {from.AddDate(0, 0, 13).Format(time.DateOnly)}}
	hdr := func(kv ...string) http.Header {
		h := http.Header{"Accept-Encoding": {"gzip"}}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	free, err := allFreeSlots(ctx, b.server.url, b.practiceTZ, now)
	if err != nil {
		return nil, err
	}
	feedURL := b.server.url + "/calendar/availability.ics"
	tag, err := entityTag(ctx, feedURL, hdr())
	if err != nil {
		return nil, err
	}
	etag := new(atomic.Pointer[string])
	etag.Store(&tag)
	n := b.o.conns
	get := func(u string, h http.Header, want int) request {
		return request{Method: http.MethodGet, URL: u, Header: h, Want: want}
	}
	slotsReq := get(b.server.url+"/api/v1/slots?"+slotsQ.Encode(), hdr("Accept", "application/json"), 200)
	bookReq := get(b.server.url+"/book", hdr("Accept", "text/html"), 200)
	homeReq := get(b.server.url+"/", hdr("Accept", "text/html"), 200)
	mixed := &mix{base: b.server.url, slots: slotsReq, book: bookReq, home: homeReq, free: free,
		emails: new(atomic.Int64), emailPrefix: fmt.Sprintf("mixed%d-", now.Unix())}
	return []Phase{
		{Key: "const", Name: "baseline: constant string", Conns: n, req: get(b.baseline.url+"/const", nil, 200)},
		{Key: "query", Name: "baseline: SELECT 1", Conns: n, req: get(b.baseline.url+"/query", nil, 200)},
		{Key: "healthz", Name: "GET /healthz (service's middleware only)", Conns: n, Baseline: "const",
			req: get(b.server.url+"/healthz", hdr(), 200)},
		{Key: "slots", Name: "GET /api/v1/slots (14 days)", Conns: n, Baseline: "query", req: slotsReq},
		{Key: "mixed", Name: "mixed: slots and pages, 5% bookings and cancellations", Conns: n, Baseline: "query", mix: mixed},
		{Key: "home", Name: "GET /", Conns: n, Baseline: "const", req: homeReq},
		{Key: "bookpage", Name: "GET /book", Conns: n, Baseline: "const", req: bookReq},
		{Key: "research", Name: "GET /clinical-research", Conns: n, Baseline: "const",
			req: get(b.server.url+"/clinical-research", hdr("Accept", "text/html"), 200)},
		{Key: "feed", Name: "GET /calendar/availability.ics", Conns: n, Baseline: "const",
			req: get(feedURL, hdr(), 200)},
		{Key: "feed304", Name: "GET /calendar/availability.ics (304)", Conns: n, Baseline: "const",
			req: request{Method: http.MethodGet, URL: feedURL, Header: hdr(), Want: http.StatusNotModified, etag: etag}},
	}, nil
}

// entityTag fetches u once and returns its ETag, as a calendar app keeps it.
func entityTag(ctx context.Context, u string, h http.Header) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	req.Header = h.Clone()
	resp, err := (&http.Client{Transport: newTransport(1)}).Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	tag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || tag == "" {
		return "", fmt.Errorf("GET %s: %s with ETag %q", u, resp.Status, tag)
	}
	return tag, nil
}
