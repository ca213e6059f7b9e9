package main

import (
	"fmt"
	"strings"
	"time"
)

// notesMarker starts the part of RESULTS.md written by hand (findings,
// before/after figures); every run keeps what follows it.
const notesMarker = "<!-- Everything below this line is written by hand; make bench keeps it. -->"

// keptNotes returns the hand-written part of an earlier report, or a
// starting text when there is none.
func keptNotes(old string) string {
	if _, after, ok := strings.Cut(old, notesMarker); ok {
		return strings.TrimLeft(after, "\n")
	}
	return "(No findings recorded yet.)\n"
}

// mdTable writes a Markdown table.
func mdTable(b *strings.Builder, header []string, rows [][]string) {
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	line := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + cell(c) + " |")
		}
		b.WriteString("\n")
	}
	line(header)
	sep := make([]string, len(header))
	for i := range sep {
		sep[i] = "---"
	}
	line(sep)
	for _, r := range rows {
		line(r)
	}
	b.WriteString("\n")
}

// formatMarkdown renders the report as bench/RESULTS.md, ending with the
// hand-written notes.
func formatMarkdown(r *Report, notes string) string {
	var b strings.Builder
	m, o := r.Machine, r.Options
	fmt.Fprintf(&b, "# Benchmark results\n\nWritten by `make bench` (`bench/`) on %s; the run took %s. "+
		"Figures are from one run on a shared machine: compare the ratios to the baselines measured in the same run, "+
		"not the absolute numbers.\n\n", m.Date.Format("2006-01-02 15:04 MST"), r.Took.Round(time.Second))

	b.WriteString("## Machine\n\n")
	mdTable(&b, []string{"", ""}, [][]string{
		{"CPU", m.CPU}, {"cores", fmt.Sprint(m.Cores)}, {"memory", m.Memory}, {"Go", m.GoVersion},
		{"OS", m.OS}, {"PostgreSQL", r.Postgres}, {"load average at start", m.Load},
	})

	b.WriteString("## Setup\n\n")
	fmt.Fprintf(&b, "- The service is built from this tree and started as its own process with `DATABASE_URL` unset, "+
		"so it starts its embedded PostgreSQL cluster in a fresh temporary `DATA_DIR`.\n")
	fmt.Fprintf(&b, "- Seeded over the cluster's socket with SQL (settings and weekly hours directly rather than through "+
		"the admin API, bookings with `COPY`, past ones because the API refuses the past): weekly hours Monday to Friday "+
		"09:00–12:00 and 13:00–17:00, Saturday 10:00–14:00 (%s), 20-minute slots with 10 minutes' buffer, "+
		"a %d-day horizon, a daily cap of %d; %d bookings: %d past (completed, no-show, cancelled) and %d upcoming "+
		"(%d confirmed).\n", defaultSeed.TimeZone, defaultSeed.Horizon, defaultSeed.DailyCap,
		r.Seeded.Past+r.Seeded.Upcoming, r.Seeded.Past, r.Seeded.Upcoming, r.Seeded.UpcomingConfirmed)
	fmt.Fprintf(&b, "- Settings for the whole run: `%s`. `RATE_LIMIT=0` turns the per-address rate limit off "+
		"(all load comes from 127.0.0.1); the per-email caps are raised, and the contention clients use "+
		"distinct email addresses anyway.\n", strings.Join(r.ServerEnv, " "))
	fmt.Fprintf(&b, "- Load: a closed loop (each connection waits for its answer) from `bench/load.go` on loopback, "+
		"%d rounds over all phases, each phase %s measured after %s of warm-up; phases are interleaved so other "+
		"load on the machine falls on all of them alike. Requests ask for gzip, as browsers and calendar apps do; "+
		"the load generator reads the bytes without unpacking them.\n", o.rounds, o.duration, o.warmup)
	b.WriteString("- Baselines, served by a process of their own on the same machine and database: a bare Echo " +
		"handler returning a constant string, and one running `SELECT 1` through a pgx pool of the service's size (20).\n")
	b.WriteString("- The 304 phase revalidates as a calendar app does: `If-None-Match` with the tag from a first GET; " +
		"a `200` with a new tag (the content changes when a slot passes the minimum notice) replaces the tag and counts " +
		"as an answer, not an error.\n")
	b.WriteString("- CPU per request: user and system CPU time of the serving process (the service, or the baseline " +
		"process for the baselines) and of all the PostgreSQL cluster's processes over the measured seconds, divided by " +
		"the requests answered. It is steadier than req/s on a shared machine, since waiting does not count, and it " +
		"includes the service's background work (mail worker, retention), which is small.\n")
	fmt.Fprintf(&b, "- The mixed phase: of every %d requests a connection sends, one is a write, by turns a booking of a free "+
		"time (a new client each) and the cancellation of that booking through its manage token, both over the JSON API; "+
		"every write moves the data's version, so the service's copies of slots and pages are computed again. The reads "+
		"are slots (the slots phase's query), `GET /book` and `GET /` in the ratio 2:1:1. A `409` for a time another "+
		"connection has just taken counts as an answer. Its figures are the whole phase's, then each kind's.\n", mixWriteEvery)
	b.WriteString("- Peak memory is the server process's `VmHWM` (its PostgreSQL cluster runs in processes of its own). " +
		"Steady: the peak over all throughput rounds, read before the burst; burst: the peak once the booking " +
		"contention's clients have all been answered. The service runs with its default settings (`CONCURRENCY_LIMIT`, " +
		"`QUEUE_LIMIT`, `MEMORY_LIMIT`) unless the settings above say otherwise.\n\n")

	b.WriteString("## Targets\n\n")
	var rows [][]string
	for _, t := range r.Targets() {
		mark := "✅ met"
		if !t.Met {
			mark = "❌ missed"
		}
		rows = append(rows, []string{t.Name, t.Want, t.Got, mark})
	}
	mdTable(&b, []string{"target", "wanted", "measured", ""}, rows)

	b.WriteString("## Throughput and latency\n\n")
	rows = nil
	for _, p := range r.Phases {
		rows = append(rows, r.phaseRow(p))
		rows = append(rows, r.partRows(p)...)
	}
	mdTable(&b, phaseHeader, rows)
	fmt.Fprintf(&b, "The server logged %d lines at level ERROR during the run.\n\n", r.ServerErrorLines)

	c := r.Contention
	b.WriteString("## Booking contention\n\n")
	fmt.Fprintf(&b, "%d clients, each on its own open connection and with its own email address, sent "+
		"`POST /api/v1/bookings` at the same moment for %d free slots on %d different days (%d clients per slot).\n\n",
		c.Clients, c.Slots, c.Slots, c.Clients/max(c.Slots, 1))
	mdTable(&b, []string{"", ""}, [][]string{
		{"201 Created", fmt.Sprint(c.Created)},
		{"confirmed bookings stored at those times", fmt.Sprint(c.Stored)},
		{"409 with a problem+json body", fmt.Sprint(c.CleanConflicts)},
		{"409 without one", fmt.Sprint(c.OtherConflicts)},
		{"5xx", fmt.Sprint(c.ServerErrors)},
		{"other answers or transport errors", fmt.Sprintf("%d %s", c.OtherStatuses+c.TransportErrors, c.FirstErr)},
		{"latency p50 / p99 / slowest", fmt.Sprintf("%s / %s / %s", ms(percentile(c.Latencies, 50)),
			ms(percentile(c.Latencies, 99)), ms(percentile(c.Latencies, 100)))},
		{"from the start signal to the last answer", secs(c.Wall)},
	})

	b.WriteString("## Time to ready\n\n")
	b.WriteString("From starting the process to the first `200` from `/readyz` (polled every 5 ms), and the " +
		"`ready_after_ms` the server logs when it starts serving.\n\n")
	mdTable(&b, []string{"start", "to /readyz 200", "server's ready_after_ms"}, r.readyRows())

	b.WriteString("## Memory\n\n")
	b.WriteString("Peak resident memory (`VmHWM`) of the process serving each phase, read after the phase's first " +
		"round; it only grows, so a jump belongs to the phase where it shows.\n\n")
	rows = [][]string{{"service, after start (idle)", mib(r.Memory.Idle)}}
	for _, p := range r.Phases {
		who := "service"
		if p.Baseline == "" {
			who = "baseline process"
		}
		rows = append(rows, []string{fmt.Sprintf("%s, after %s", who, p.Name), mib(p.PeakRSS)})
	}
	rows = append(rows, []string{"service, after all throughput rounds", mib(r.Memory.AfterLoad)},
		[]string{"service, after booking contention", mib(r.Memory.AfterContention)},
		[]string{"baseline process, at the end", mib(r.Memory.Baseline)})
	mdTable(&b, []string{"peak RSS", ""}, rows)

	if len(r.Profiles) > 0 {
		b.WriteString("## Profiles of missed targets\n\n")
		b.WriteString("Profiles of the server (built with `-tags pprof`, profiler on a loopback port) taken over 5 s while " +
			"the phase's load ran again after the measurements. For throughput and latency targets: CPU, first the hottest " +
			"functions, then the service's own functions by cumulative time; for the memory target: bytes allocated.\n\n")
		for _, p := range r.Profiles {
			fmt.Fprintf(&b, "### %s (%s)\n\n```\n%s\n```\n\n", p.Phase, p.Kind, strings.TrimSpace(p.Top))
		}
	}

	if r.GoBench != "" {
		b.WriteString("## go test benchmarks\n\n")
		fmt.Fprintf(&b, "`go %s %s`: the slot engine, the iCalendar builders, and the feeds, pages and slots API "+
			"over HTTP handlers on a real database; the lines suit `benchstat`.\n\n```\n%s\n```\n\n",
			strings.Join(goBenchArgs, " "), strings.Join(goBenchPackages, " "), strings.TrimSpace(r.GoBench))
	}

	b.WriteString("## Findings\n\n" + notesMarker + "\n\n" + notes)
	return b.String()
}
