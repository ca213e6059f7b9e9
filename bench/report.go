package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Phase is one throughput phase and what it measured.
type Phase struct {
	Key, Name string
	Conns     int
	// Baseline is the Key of the phase this one is compared with; empty
	// for the baselines themselves.
	Baseline string
	Result   Result
	// PeakRSS is the serving process's VmHWM after the phase's first round.
	PeakRSS int64
	// CPU is what the serving process and the database used while the
	// phase was measured, over all rounds.
	CPU cpuSample
	// Parts are the figures of each kind of request of a mixed phase.
	Parts map[string]Result
	req   request
	mix   *mix
}

// run loads the phase once: its one request, or its mix.
func (p *Phase) run(ctx context.Context, warmup, d time.Duration) (Result, map[string]Result) {
	if p.mix != nil {
		return drive(ctx, p.Conns, warmup, d, p.mix.worker)
	}
	return load(ctx, p.req, p.Conns, warmup, d), nil
}

// readyTime is one start's time to ready: to the first 200 from /readyz
// as seen from outside, and as the server logged it (ready_after_ms).
type readyTime struct {
	Outside, Logged time.Duration
}

// Report is everything one run measured.
type Report struct {
	Machine    Machine
	Options    options
	ServerEnv  []string
	Postgres   string
	BuildTime  time.Duration
	Seeded     seeded
	Phases     []Phase
	Contention Contention
	Ready      struct {
		First         readyTime
		Restart, Join []readyTime
	}
	Memory struct {
		Idle, AfterLoad, AfterContention, Baseline int64
	}
	ServerErrorLines int
	Profiles         []Profile
	GoBench          string
	Took             time.Duration
}

// Profile is a profile of the server taken during a phase whose target
// was missed, as the top of `go tool pprof -top`.
type Profile struct {
	Phase, Kind, Top string
}

// Target is one of the goals and how this run did against it.
type Target struct {
	Name, Want, Got string
	Met             bool
	// Phase is the Key of the phase to profile when the target is missed,
	// and Profile the kind of profile: "cpu" or "allocs".
	Phase, Profile string
}

// calendarsBench is the Go benchmark (package api) of the slots of a
// 90-day horizon without and with linked calendars.
const calendarsBench = "BenchmarkSlots90DaysCalendars"

// Targets are compared, never asserted: the report says which were met.
const (
	minRatio        = 0.5
	minBookRatio    = 0.3
	maxSlotsP99     = 20 * time.Millisecond
	maxAnswer       = 2 * time.Second
	maxMemory       = 64 << 20
	maxSteadyMemory = 40 << 20
	maxReadyWarm    = time.Second
	// maxCalendarCost bounds the slots of a 90-day horizon with three
	// linked calendars holding 5,000 busy times, against none.
	maxCalendarCost = 1.5
	memoryUnitName  = "MiB"
)

func (r *Report) phase(key string) (Phase, bool) {
	i := slices.IndexFunc(r.Phases, func(p Phase) bool { return p.Key == key })
	if i < 0 {
		return Phase{}, false
	}
	return r.Phases[i], true
}

// ratio is p's throughput over its baseline's; 0 when either is missing.
func (r *Report) ratio(p Phase) float64 {
	b, ok := r.phase(p.Baseline)
	if !ok || b.Result.RPS() == 0 {
		return 0
	}
	return p.Result.RPS() / b.Result.RPS()
}

// Targets evaluates the targets against the run.
func (r *Report) Targets() []Target {
	var ts []Target
	ratioTargetOf := func(name, key string, least float64) {
		p, ok := r.phase(key)
		if !ok {
			return
		}
		b, _ := r.phase(p.Baseline)
		got := r.ratio(p)
		ts = append(ts, Target{Name: name, Want: fmt.Sprintf("≥ %.1f× %s", least, strings.TrimPrefix(b.Name, "baseline: ")),
			Got: fmt.Sprintf("%.2f×", got), Met: got >= least && p.Result.Errors == 0, Phase: key, Profile: "cpu"})
	}
	ratioTarget := func(name, key string) { ratioTargetOf(name, key, minRatio) }
	p99Target := func(name, key string, res func(Phase) (Result, bool)) {
		p, ok := r.phase(key)
		if !ok {
			return
		}
		if res, ok := res(p); ok {
			p99 := res.Percentile(99)
			ts = append(ts, Target{Name: name, Want: fmt.Sprintf("< %s at %d connections", ms(maxSlotsP99), p.Conns),
				Got: ms(p99), Met: p99 < maxSlotsP99, Phase: key, Profile: "cpu"})
		}
	}
	ratioTarget("Slots throughput", "slots")
	p99Target("Slots p99", "slots", func(p Phase) (Result, bool) { return p.Result, true })
	ratioTarget("Mixed load throughput (all its requests)", "mixed")
	p99Target("Mixed load slots p99", "mixed", func(p Phase) (Result, bool) {
		res, ok := p.Parts[kindSlots]
		return res, ok
	})
	ratioTarget("Page / throughput", "home")
	ratioTargetOf("Page /book throughput", "bookpage", minBookRatio)
	ratioTarget("Page /clinical-research throughput", "research")
	ratioTarget("Feed 304 throughput", "feed304")

	if base, cal := medianFloat(goBenchNs(r.GoBench, calendarsBench+"/sources=0")),
		medianFloat(goBenchNs(r.GoBench, calendarsBench+"/sources=3")); base > 0 && cal > 0 {
		ts = append(ts, Target{Name: "Slots of 90 days with three calendars (5,000 busy times)",
			Want: fmt.Sprintf("≤ %.1f× without calendars", maxCalendarCost),
			Got:  fmt.Sprintf("%.2f× (%s against %s a computation)", cal/base, time.Duration(cal), time.Duration(base)),
			Met:  cal/base <= maxCalendarCost})
	}
	if c := r.Contention; c.Clients > 0 {
		slowest := time.Duration(0)
		if len(c.Latencies) > 0 {
			slowest = c.Latencies[len(c.Latencies)-1]
		}
		ts = append(ts, Target{Name: "Booking contention",
			Want: fmt.Sprintf("%d bookings, %d clean 409s, no 5xx, all within %s", c.Slots, c.Clients-c.Slots, secs(maxAnswer)),
			Got: fmt.Sprintf("%d stored (%d×201), %d clean 409s, %d×5xx, %d other, slowest %s",
				c.Stored, c.Created, c.CleanConflicts, c.ServerErrors, c.OtherConflicts+c.OtherStatuses+c.TransportErrors, secs(slowest)),
			Met: c.Stored == c.Slots && c.Created == c.Slots && c.CleanConflicts == c.Clients-c.Slots &&
				c.ServerErrors == 0 && c.OtherConflicts+c.OtherStatuses+c.TransportErrors == 0 && slowest <= maxAnswer})
	}
	if steady := r.Memory.AfterLoad; steady > 0 {
		ts = append(ts, Target{Name: "Server memory, steady load",
			Want: fmt.Sprintf("≤ %d %s peak RSS over the throughput phases", maxSteadyMemory>>20, memoryUnitName),
			Got:  mib(steady), Met: steady <= maxSteadyMemory, Phase: r.memoryPhase(), Profile: "allocs"})
	}
	if peak := max(r.Memory.AfterLoad, r.Memory.AfterContention); peak > 0 {
		ts = append(ts, Target{Name: "Server memory, burst", Want: fmt.Sprintf("≤ %d %s peak RSS with %d connections at once",
			maxMemory>>20, memoryUnitName, r.Contention.Clients), Got: mib(peak), Met: peak <= maxMemory})
	}
	if len(r.Ready.Restart) > 0 {
		med := median(r.Ready.Restart)
		ts = append(ts, Target{Name: "Ready on an initialised database", Want: "< " + secs(maxReadyWarm),
			Got: fmt.Sprintf("%s (median of %d restarts, cluster start included)", secs(med), len(r.Ready.Restart)),
			Met: med < maxReadyWarm})
	}
	return ts
}

// memoryPhase returns the Key of the server phase that raised the peak
// RSS most, or "" when the booking contention raised it more.
func (r *Report) memoryPhase() string {
	key, most, prev := "", int64(0), r.Memory.Idle
	for _, p := range r.Phases {
		if p.Baseline == "" || p.PeakRSS == 0 {
			continue
		}
		if grew := p.PeakRSS - prev; grew > most {
			key, most = p.Key, grew
		}
		prev = max(prev, p.PeakRSS)
	}
	if r.Memory.AfterContention-r.Memory.AfterLoad > most {
		return ""
	}
	return key
}

// median returns the median outside-measured time of ts.
func median(ts []readyTime) time.Duration {
	ds := make([]time.Duration, len(ts))
	for i, t := range ts {
		ds[i] = t.Outside
	}
	slices.Sort(ds)
	return ds[(len(ds)-1)/2]
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func mib(n int64) string { return fmt.Sprintf("%.1f %s", float64(n)/(1<<20), memoryUnitName) }

// phaseRow is a phase's table row: name, connections, req/s, p50, p99,
// errors and the ratio to its baseline.
func (r *Report) phaseRow(p Phase) []string {
	vs := "—"
	if b, ok := r.phase(p.Baseline); ok {
		vs = fmt.Sprintf("%.2f× %s", r.ratio(p), strings.TrimPrefix(b.Name, "baseline: "))
	}
	errs := fmt.Sprint(p.Result.Errors)
	if p.Result.FirstErr != "" {
		errs += " (" + p.Result.FirstErr + ")"
	}
	srv, db := p.CPU.perRequest(p.Result.Requests)
	return []string{p.Name, fmt.Sprint(p.Conns), fmt.Sprintf("%.0f", p.Result.RPS()),
		ms(p.Result.Percentile(50)), ms(p.Result.Percentile(99)), errs, vs,
		fmt.Sprintf("%.0f µs", srv), fmt.Sprintf("%.0f µs", db)}
}

// partRows are the rows of a mixed phase's kinds of request, after its
// own: throughput, latency and errors of each.
func (r *Report) partRows(p Phase) [][]string {
	var rows [][]string
	for _, kind := range mixKinds {
		res, ok := p.Parts[kind]
		if !ok {
			continue
		}
		res.Elapsed = p.Result.Elapsed
		rows = append(rows, []string{"… " + kind, "", fmt.Sprintf("%.0f", res.RPS()),
			ms(res.Percentile(50)), ms(res.Percentile(99)), fmt.Sprint(res.Errors), "", "", ""})
	}
	return rows
}

var phaseHeader = []string{"phase", "conns", "req/s", "p50", "p99", "errors", "vs baseline", "server CPU/req", "PostgreSQL CPU/req"}

// readyRows are the time-to-ready table's rows.
func (r *Report) readyRows() [][]string {
	span := func(ts []readyTime) (string, string) {
		if len(ts) == 0 {
			return "—", "—"
		}
		lo, hi := ts[0], ts[0]
		for _, t := range ts {
			if t.Outside < lo.Outside {
				lo = t
			}
			if t.Outside > hi.Outside {
				hi = t
			}
		}
		logged := make([]string, len(ts))
		for i, t := range ts {
			logged[i] = fmt.Sprint(t.Logged.Milliseconds())
		}
		return fmt.Sprintf("%s (%s–%s, %d runs)", secs(median(ts)), secs(lo.Outside), secs(hi.Outside), len(ts)),
			strings.Join(logged, ", ")
	}
	rs, rl := span(r.Ready.Restart)
	js, jl := span(r.Ready.Join)
	return [][]string{
		{"first start: initdb, cluster start, migrations", secs(r.Ready.First.Outside), fmt.Sprint(r.Ready.First.Logged.Milliseconds())},
		{"restart on the initialised data directory (cluster start included)", rs, rl},
		{"second instance joining the running cluster (no cluster start)", js, jl},
	}
}

// formatTerminal prints the tables a person at the terminal wants.
func formatTerminal(w io.Writer, r *Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(cells []string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
	fmt.Fprintf(w, "\n%s, %d cores, Go %s — %s\n\n", r.Machine.CPU, r.Machine.Cores, r.Machine.GoVersion,
		r.Machine.Date.Format("2006-01-02 15:04 MST"))
	row(phaseHeader)
	for _, p := range r.Phases {
		row(r.phaseRow(p))
		for _, pr := range r.partRows(p) {
			row(pr)
		}
	}
	tw.Flush()
	c := r.Contention
	fmt.Fprintf(w, "\nbooking contention: %d clients for %d slots: %d×201 (%d stored), %d clean 409, %d×5xx, "+
		"other %d; p50 %s, p99 %s, all answered in %s\n",
		c.Clients, c.Slots, c.Created, c.Stored, c.CleanConflicts, c.ServerErrors,
		c.OtherConflicts+c.OtherStatuses+c.TransportErrors, ms(percentile(c.Latencies, 50)), ms(percentile(c.Latencies, 99)), secs(c.Wall))
	fmt.Fprintln(w)
	row([]string{"start", "to /readyz 200", "server's ready_after_ms"})
	for _, rr := range r.readyRows() {
		row(rr)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nserver peak RSS: %s idle, %s after throughput phases, %s after contention (baseline process %s)\n\n",
		mib(r.Memory.Idle), mib(r.Memory.AfterLoad), mib(r.Memory.AfterContention), mib(r.Memory.Baseline))
	row([]string{"target", "wanted", "measured", ""})
	for _, t := range r.Targets() {
		row([]string{t.Name, t.Want, t.Got, metMark(t.Met)})
	}
	tw.Flush()
	fmt.Fprintln(w)
}

func metMark(met bool) string {
	if met {
		return "met"
	}
	return "MISSED"
}
