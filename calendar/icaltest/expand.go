package icaltest

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Moment is one end of a busy occurrence as ical.js read it: exactly one
// of UTC (an instant), Local (a floating wall-clock time,
// "2006-01-02T15:04:05") and Date ("2006-01-02") is set.
type Moment struct {
	UTC   *time.Time `json:"utc"`
	Local string     `json:"local"`
	Date  string     `json:"date"`
}

// Occurrence is one busy occurrence.
type Occurrence struct {
	Start Moment `json:"start"`
	End   Moment `json:"end"`
}

// Expand has ical.js expand the busy occurrences of the calendar file at
// path between from and to (with two days of slack each way): recurring
// series with their exceptions, without events marked free, cancelled or
// declined by one of owners. Without node or ical.js it skips the test,
// except under CI=true.
func Expand(t testing.TB, path string, from, to time.Time, owners ...string) []Occurrence {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("icaltest: cannot locate the ical.js expander")
	}
	dir := filepath.Join(filepath.Dir(self), "..", "testdata", "icaljs")
	if !available(t, dir) {
		t.Skip(unavailableMsg)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{filepath.Join(dir, "expand.mjs"), abs, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339)}, owners...)
	cmd := exec.Command("node", args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ical.js expand %s: %v\n%s", path, err, stderr.String())
	}
	var occ []Occurrence
	if err := json.Unmarshal(out, &occ); err != nil {
		t.Fatalf("ical.js expand output: %v\n%s", err, out)
	}
	return occ
}
