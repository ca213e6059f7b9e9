package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// testReport is a run that meets some targets and misses others.
func testReport() *Report {
	lat := func(ms ...int) []time.Duration {
		var out []time.Duration
		for _, m := range ms {
			out = append(out, time.Duration(m)*time.Millisecond)
		}
		return out
	}
	phase := func(key, base string, reqs int, peak int64, lats []time.Duration) Phase {
		return Phase{Key: key, Name: "phase " + key, Conns: 32, Baseline: base, PeakRSS: peak << 20,
			Result: Result{Requests: reqs, Elapsed: time.Second, Latencies: lats, Statuses: map[int]int{200: reqs}},
			CPU:    cpuSample{server: time.Duration(reqs) * 100 * time.Microsecond, db: time.Duration(reqs) * 50 * time.Microsecond}}
	}
	r := &Report{Machine: Machine{CPU: "Test CPU", Cores: 2, GoVersion: "go1.x", Date: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)},
		Options: options{rounds: 2, duration: 3 * time.Second, warmup: time.Second}}
	constant := phase("const", "", 10000, 18, lat(1, 1, 2))
	constant.Name = "baseline: constant string"
	r.Phases = []Phase{
		constant,
		{Key: "query", Name: "baseline: SELECT 1", Conns: 32, Result: Result{Requests: 5000, Elapsed: time.Second}},
		phase("slots", "query", 3000, 30, lat(5, 10, 19)),  // 0.6×, p99 19 ms: met
		phase("mixed", "query", 2400, 31, lat(5, 10, 30)),  // 0.48×: missed
		phase("home", "const", 4000, 70, lat(3, 4, 5)),     // 0.4×: missed; memory jumps here
		phase("bookpage", "const", 3000, 70, lat(3, 4, 5)), // 0.3×: met
		phase("research", "const", 6000, 71, lat(3, 4, 5)),
		phase("feed304", "const", 5000, 72, lat(1, 2, 3)),
	}
	r.Phases[3].Parts = map[string]Result{
		kindSlots: {Requests: 1200, Elapsed: time.Second, Latencies: lat(5, 10, 19)},
		kindBook:  {Requests: 60, Elapsed: time.Second, Latencies: lat(20, 30)},
	}
	r.Memory.Idle, r.Memory.AfterLoad, r.Memory.AfterContention = 25<<20, 72<<20, 73<<20
	r.Contention = Contention{Clients: 1000, Slots: 10, Created: 10, Stored: 10, CleanConflicts: 990,
		Latencies: lat(100, 900, 1900), Wall: 1900 * time.Millisecond}
	r.Ready.First = readyTime{2 * time.Second, 1900 * time.Millisecond}
	r.Ready.Restart = []readyTime{{300 * time.Millisecond, 250 * time.Millisecond}, {200 * time.Millisecond, 150 * time.Millisecond},
		{1500 * time.Millisecond, 1400 * time.Millisecond}}
	return r
}

func TestTargets(t *testing.T) {
	r := testReport()
	got := map[string]Target{}
	for _, tg := range r.Targets() {
		got[tg.Name] = tg
	}
	for name, want := range map[string]bool{
		"Slots throughput": true, "Slots p99": true, "Page / throughput": false,
		"Page /clinical-research throughput": true, "Feed 304 throughput": true,
		"Booking contention": true, "Server memory, steady load": false, "Server memory, burst": false,
		"Ready on an initialised database": true, "Page /book throughput": true,
		"Mixed load throughput (all its requests)": false, "Mixed load slots p99": true,
	} {
		tg, ok := got[name]
		if !ok {
			t.Errorf("no target %q", name)
			continue
		}
		if tg.Met != want {
			t.Errorf("%s: met = %t, want %t (%s against %s)", name, tg.Met, want, tg.Got, tg.Want)
		}
	}
	if g := got["Slots throughput"].Got; g != "0.60×" {
		t.Errorf("slots ratio %q, want 0.60×", g)
	}
	if g := got["Page /book throughput"]; g.Got != "0.30×" || g.Want != "≥ 0.3× constant string" {
		t.Errorf("/book target %q against %q", g.Got, g.Want)
	}
	if g := got["Mixed load slots p99"]; g.Got != "19.00 ms" {
		t.Errorf("mixed slots p99 %q, want that of the slot reads, 19.00 ms", g.Got)
	}
	if m := got["Server memory, steady load"]; m.Phase != "home" || m.Profile != "allocs" {
		t.Errorf("memory target profiles %q (%s), want home (allocs)", m.Phase, m.Profile)
	}
	if g := got["Ready on an initialised database"].Got; !strings.HasPrefix(g, "0.30 s") {
		t.Errorf("ready %q, want the median 0.30 s", g)
	}

	// One 5xx, or one answer over 2 s, misses the contention target.
	r.Contention.ServerErrors, r.Contention.CleanConflicts = 1, 989
	r.Phases[2].Result.Errors = 1
	for _, tg := range r.Targets() {
		if (tg.Name == "Booking contention" || tg.Name == "Slots throughput") && tg.Met {
			t.Errorf("%s met despite errors", tg.Name)
		}
	}
	// Memory: the steady figure is the peak before the burst, the burst's
	// the peak after it; each meets its target at the target exactly.
	r = testReport()
	r.Memory.AfterLoad, r.Memory.AfterContention = 40<<20, 64<<20
	for _, tg := range r.Targets() {
		if (tg.Name == "Server memory, steady load" || tg.Name == "Server memory, burst") && !tg.Met {
			t.Errorf("%s missed at %s (%s)", tg.Name, tg.Got, tg.Want)
		}
	}
	r.Memory.AfterLoad, r.Memory.AfterContention = 41<<20, 41<<20
	for _, tg := range r.Targets() {
		if tg.Name == "Server memory, steady load" && tg.Met || tg.Name == "Server memory, burst" && !tg.Met {
			t.Errorf("%s: met %t at %s", tg.Name, tg.Met, tg.Got)
		}
	}

	r = testReport()
	r.Contention.Latencies = append(r.Contention.Latencies, 2100*time.Millisecond)
	for _, tg := range r.Targets() {
		if tg.Name == "Booking contention" && tg.Met {
			t.Error("contention met with an answer after 2.1 s")
		}
	}
}

func TestFormatMarkdownKeepsNotes(t *testing.T) {
	r := testReport()
	r.GoBench = "goos: linux\nBenchmarkX-2 \t 100\t 5 ns/op\n"
	notes := "### Slots\n\nHand-written finding, before 0.1×, after 0.2×.\n"
	md := formatMarkdown(r, notes)
	for _, want := range []string{
		"# Benchmark results", "| CPU | Test CPU |", "| phase slots | 32 | 3000 |", "0.60× SELECT 1",
		"| Slots throughput | ≥ 0.5× SELECT 1 | 0.60× | ✅ met |", "| Page / throughput | ≥ 0.5× constant string", "❌ missed",
		"| 409 with a problem+json body | 990 |", "BenchmarkX-2", "100 µs", "50 µs",
		"| … slots |  | 1200 | 10.00 ms | 19.00 ms | 0 |", "| … booking |  | 60 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if got := keptNotes(md); got != notes {
		t.Errorf("kept notes %q, want %q", got, notes)
	}
	// The next run keeps them again, unchanged.
	if got := keptNotes(formatMarkdown(r, keptNotes(md))); got != notes {
		t.Errorf("notes changed on the second run: %q", got)
	}
	if got := keptNotes("# an old report without notes"); !strings.Contains(got, "No findings") {
		t.Errorf("notes of a report without any: %q", got)
	}
}

func TestFormatTerminal(t *testing.T) {
	var b bytes.Buffer
	formatTerminal(&b, testReport())
	out := b.String()
	for _, want := range []string{"Test CPU, 2 cores", "phase slots", "0.40× constant string", "MISSED", "met",
		"10×201 (10 stored), 990 clean 409", "restart on the initialised data directory"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q:\n%s", want, out)
		}
	}
}

func TestBenchLines(t *testing.T) {
	out := "goos: linux\ngoarch: amd64\npkg: consult/booking\ncpu: X\nBenchmarkA-2 \t 100 \t 10 ns/op\nPASS\nok  \tconsult/booking\t0.1s\n"
	want := "goos: linux\ngoarch: amd64\npkg: consult/booking\ncpu: X\nBenchmarkA-2 \t 100 \t 10 ns/op\n"
	if got := benchLines(out); got != want {
		t.Errorf("benchLines = %q, want %q", got, want)
	}
}

// The calendars target reads the two Go benchmarks' medians from the run.
func TestCalendarsTarget(t *testing.T) {
	out := "pkg: consult/api\n" +
		"BenchmarkSlots90DaysCalendars/sources=0-2 \t 100 \t 400000 ns/op \t 1344 slots \t 205454 B/op \t 30 allocs/op\n" +
		"BenchmarkSlots90DaysCalendars/sources=0-2 \t 100 \t 500000 ns/op \t 1344 slots\n" +
		"BenchmarkSlots90DaysCalendars/sources=0-2 \t 100 \t 900000 ns/op \t 1344 slots\n" +
		"BenchmarkSlots90DaysCalendars/sources=3-2 \t 100 \t 700000 ns/op \t 233.0 slots\n" +
		"BenchmarkSlots90DaysCalendars/sources=3-2 \t 100 \t 800000 ns/op \t 233.0 slots\n" +
		"BenchmarkSlots90DaysCalendars/sources=3-2 \t 100 \t 600000 ns/op \t 233.0 slots\n"
	find := func(r *Report) (Target, bool) {
		for _, tg := range r.Targets() {
			if strings.HasPrefix(tg.Name, "Slots of 90 days with three calendars") {
				return tg, true
			}
		}
		return Target{}, false
	}
	tg, ok := find(&Report{GoBench: out})
	if !ok || !tg.Met || !strings.HasPrefix(tg.Got, "1.40×") {
		t.Errorf("target %+v, found %v; want met at 1.40×", tg, ok)
	}
	slow := strings.ReplaceAll(out, "0000 ns/op \t 233.0", "00000 ns/op \t 233.0")
	if tg, _ := find(&Report{GoBench: slow}); tg.Met {
		t.Errorf("a tenfold cost met the target: %+v", tg)
	}
	if _, ok := find(&Report{}); ok {
		t.Error("a target without the benchmarks")
	}
}
