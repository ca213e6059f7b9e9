// Command bench measures the service on this machine, beside baselines
// measured in the same run, and writes bench/RESULTS.md. It is what
// `make bench` runs:
//
//	go run ./bench [-out bench/RESULTS.md] [-duration 3s] [-rounds 2]
//
// To look into one figure: -phases mixed,slots runs only those server
// phases beside the baselines, -contention=false skips the burst, and
// -pprof 127.0.0.1:6061 serves the measured server's profiler; such runs
// print their figures and write no report.
//
// It builds cmd/consult, starts it on a fresh embedded database in a
// temporary DATA_DIR, seeds a practice, and loads it over loopback only.
// "bench baseline URL" is the baseline server it starts for itself.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "baseline" {
		if err := runBaseline(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "bench baseline:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
		os.Exit(1)
	}
}

// options are the bench's flags.
type options struct {
	out              string
	goCmd            string
	duration, warmup time.Duration
	rounds, conns    int
	clients, slots   int
	restarts         int
	goBench          bool
	profile          bool
	keep             bool
	// phases, when set, are the Keys of the only server phases to run
	// (the baselines always run); contention turns the burst off; pprof
	// builds the measured server with -tags pprof and serves its profiler
	// at that loopback address. All three are for looking into one
	// figure: a report of a partial run says so.
	phases     []string
	contention bool
	pprof      string
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.out, "out", "bench/RESULTS.md", "report file to write (empty: terminal only)")
	fs.StringVar(&o.goCmd, "go", "go", "go command used to build the service and run the benchmarks")
	fs.DurationVar(&o.duration, "duration", 3*time.Second, "measured time of each load phase per round")
	fs.DurationVar(&o.warmup, "warmup", 500*time.Millisecond, "unmeasured time before each phase")
	fs.IntVar(&o.rounds, "rounds", 2, "rounds over all phases; interleaving spreads other load on the machine evenly")
	fs.IntVar(&o.conns, "conns", 32, "connections of each throughput phase")
	fs.IntVar(&o.clients, "clients", 1000, "concurrent clients of the booking contention phase")
	fs.IntVar(&o.slots, "slots", 10, "free slots those clients race for")
	fs.IntVar(&o.restarts, "restarts", 3, "restarts measured for time to ready on an initialised database")
	fs.BoolVar(&o.goBench, "gobench", true, "also run the go test benchmarks briefly")
	fs.BoolVar(&o.profile, "profile", true, "take a CPU profile of the server for each missed throughput or latency target")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary directory (binary, data, profiles)")
	phases := fs.String("phases", "", "comma-separated keys of the only server phases to run (baselines always run), e.g. mixed,slots")
	fs.BoolVar(&o.contention, "contention", true, "run the booking contention burst")
	fs.StringVar(&o.pprof, "pprof", "", "build the measured server with -tags pprof and serve its profiler at this loopback host:port")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if *phases != "" {
		o.phases = strings.Split(*phases, ",")
	}
	if len(o.phases) > 0 || !o.contention || o.pprof != "" {
		o.out = "" // a partial or profiled run is not the report
	}
	if o.rounds < 1 || o.conns < 1 || o.clients < o.slots || o.slots < 1 || o.restarts < 1 || o.duration <= 0 {
		return o, errors.New("rounds, conns, slots and restarts must be positive, duration too, and clients at least slots")
	}
	return o, nil
}

// run is the whole bench.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	if _, err := os.Stat("cmd/consult"); err != nil {
		return errors.New("run from the repository's root (make bench)")
	}
	began := time.Now()
	tmp, err := os.MkdirTemp("", "consult-bench-")
	if err != nil {
		return err
	}
	// The embedded cluster runs as an unprivileged user when we are root:
	// it must be able to reach its data directory.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(stderr, "bench: keeping", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	logf := func(format string, a ...any) {
		fmt.Fprintf(stderr, "bench: %3.0fs "+format+"\n", append([]any{time.Since(began).Seconds()}, a...)...)
	}

	rep := &Report{Machine: readMachine(), Options: o}
	logf("building the service")
	bin := filepath.Join(tmp, "consult")
	t0 := time.Now()
	// Built as make build and the Dockerfile build it: static, without
	// cgo. A cgo build links the C library, whose pages (1.5 MiB of them)
	// count in the service's resident memory.
	build := []string{"build", "-trimpath", "-o", bin}
	if o.pprof != "" {
		build = append(build, "-tags", "pprof")
	}
	if err := goCmd(ctx, o.goCmd, stderr, []string{"CGO_ENABLED=0"}, append(build, "./cmd/consult")...); err != nil {
		return err
	}
	rep.BuildTime = time.Since(t0)

	b := &bencher{o: o, bin: bin, dataDir: filepath.Join(tmp, "data"), tmp: tmp, rep: rep, logf: logf, stderr: stderr}
	defer b.close()
	if err := b.measure(ctx); err != nil {
		return err
	}
	b.close()
	if o.goBench {
		logf("running the go test benchmarks")
		out, err := runGoBench(ctx, o.goCmd)
		if err != nil {
			return err
		}
		rep.GoBench = out
	}
	rep.Took = time.Since(began)
	formatTerminal(stdout, rep)
	if o.out == "" {
		return nil
	}
	old, _ := os.ReadFile(o.out)
	if err := os.WriteFile(o.out, []byte(formatMarkdown(rep, keptNotes(string(old)))), 0o644); err != nil {
		return err
	}
	logf("wrote %s in %s", o.out, rep.Took.Round(time.Second))
	return nil
}

// goCmd runs the go command with output to w.
func goCmd(ctx context.Context, goBin string, w io.Writer, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Stdout, cmd.Stderr = w, w
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %v: %w", goBin, args, err)
	}
	return nil
}
