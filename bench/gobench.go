package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
)

// goBenchPackages are the packages whose benchmarks the report includes:
// the slot engine, the iCalendar builders, and the feeds and pages over
// HTTP handlers on a real database.
var goBenchPackages = []string{"./booking", "./calendar", "./api"}

// goBenchArgs run every benchmark of the packages three times (for
// benchstat) for about 200 ms each: a count of iterations instead would
// take minutes for the 5,000-booking feeds.
var goBenchArgs = []string{"test", "-run", "^$", "-bench", ".", "-benchtime", "200ms", "-count", "3"}

// runGoBench runs the packages' benchmarks briefly and returns the lines
// benchstat reads (the goos/goarch/pkg/cpu headers and the results).
func runGoBench(ctx context.Context, goBin string) (string, error) {
	args := append(slices.Clone(goBenchArgs), goBenchPackages...)
	cmd := exec.CommandContext(ctx, goBin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go %s: %w\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return benchLines(out.String()), nil
}

// benchLines keeps the lines of go test output that benchstat reads.
func benchLines(out string) string {
	var b strings.Builder
	for line := range strings.Lines(out) {
		for _, p := range []string{"goos:", "goarch:", "pkg:", "cpu:", "Benchmark"} {
			if strings.HasPrefix(line, p) {
				b.WriteString(line)
				break
			}
		}
	}
	return b.String()
}

// goBenchNs returns the ns/op of every run of the benchmark name (with
// its sub-benchmark path, without the -N suffix) in go test output.
func goBenchNs(out, name string) []float64 {
	var ns []float64
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], name+"-") {
			continue
		}
		for i := 2; i+1 < len(f); i++ {
			if f[i+1] == "ns/op" {
				var v float64
				if _, err := fmt.Sscan(f[i], &v); err == nil {
					ns = append(ns, v)
				}
			}
		}
	}
	return ns
}

// medianFloat is the median of xs (0 for none).
func medianFloat(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
