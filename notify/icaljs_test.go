package notify_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// jsCalendar is what calendar/testdata/icaljs/check.mjs reports.
type jsCalendar struct {
	Method string `json:"method"`
	Events []struct {
		UID      string    `json:"uid"`
		DTStart  time.Time `json:"dtstart"`
		DTEnd    time.Time `json:"dtend"`
		Status   string    `json:"status"`
		Sequence int       `json:"sequence"`
	} `json:"events"`
}

// icalJS parses invitations with Mozilla's ical.js, independent of go-ical,
// through the calendar package's checker. Without node or its installed
// modules it returns nothing (the go-ical checks still run), except under
// CI=true, where that is a failure.
func icalJS(t *testing.T, objects map[string][]byte) map[string]jsCalendar {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "calendar", "testdata", "icaljs"))
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "ical.js", "package.json"))
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("ical.js check unavailable: %v (run `npm ci` in calendar/testdata/icaljs)", err)
		}
		t.Logf("ical.js check skipped: %v", err)
		return nil
	}
	tmp := t.TempDir()
	args := []string{filepath.Join(dir, "check.mjs")}
	paths := map[string]string{}
	for name, data := range objects {
		p := filepath.Join(tmp, name+".ics")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
		paths[name] = p
	}
	cmd := exec.Command(node, args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ical.js refused an invitation: %v\n%s", err, stderr.String())
	}
	var byPath map[string]jsCalendar
	if err := json.Unmarshal(out, &byPath); err != nil {
		t.Fatalf("ical.js output: %v\n%s", err, out)
	}
	got := map[string]jsCalendar{}
	for name, p := range paths {
		got[name] = byPath[p]
	}
	return got
}
