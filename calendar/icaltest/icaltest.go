// Package icaltest checks calendar objects with Mozilla's ical.js, an
// RFC 5545 implementation independent of go-ical that Thunderbird and many
// web calendars use, for tests outside the calendar package (such as the
// HTTP feeds). It runs calendar/testdata/icaljs/check.mjs with node.
package icaltest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Calendar is what ical.js read from one object.
type Calendar struct {
	Method  string  `json:"method"`
	CalName string  `json:"calname"` // X-WR-CALNAME
	Name    string  `json:"name"`    // NAME (RFC 7986)
	Events  []Event `json:"events"`
}

// Event is what ical.js read from one VEVENT; times are instants.
type Event struct {
	UID         string `json:"uid"`
	Summary     string `json:"summary"`
	Description string `json:"description"`
	// SummaryLanguage and DescriptionLanguage are the LANGUAGE
	// parameters of SUMMARY and DESCRIPTION, "" when none.
	SummaryLanguage     string `json:"summaryLanguage"`
	DescriptionLanguage string `json:"descriptionLanguage"`
	URL                 string `json:"url"`
	Location            string `json:"location"`
	// Conferences are RFC 7986 CONFERENCE properties.
	Conferences []Conference `json:"conferences"`
	DTStart     time.Time    `json:"dtstart"`
	DTEnd       time.Time    `json:"dtend"`
	DTStamp     time.Time    `json:"dtstamp"`
	Status      string       `json:"status"`
	Sequence    int          `json:"sequence"`
	Organizer   string       `json:"organizer"`
	OrganizerCN string       `json:"organizerCN"`
	Attendees   []Attendee   `json:"attendees"`
}

// Conference is one CONFERENCE property: its URI, FEATURE and LABEL.
type Conference struct {
	Value   string `json:"value"`
	Feature string `json:"feature"`
	Label   string `json:"label"`
}

// Attendee is one ATTENDEE property: its URI and CN.
type Attendee struct {
	Value string `json:"value"`
	CN    string `json:"cn"`
}

// Parse parses each object with ical.js and returns what it read, by
// name; a parse error fails the test. Without node or an installed
// calendar/testdata/icaljs/node_modules it skips the test, except under
// CI=true, where a skip would hide a broken set-up.
func Parse(t testing.TB, objects map[string][]byte) map[string]Calendar {
	t.Helper()
	got, ok := parse(t, objects)
	if !ok {
		t.Skip(unavailableMsg)
	}
	return got
}

// Check is Parse for tests that have more to check after the ical.js
// step: where ical.js is unavailable it returns nil and the test goes on
// (but under CI=true that is a failure, as with Parse).
func Check(t testing.TB, objects map[string][]byte) map[string]Calendar {
	t.Helper()
	got, ok := parse(t, objects)
	if !ok {
		t.Log(unavailableMsg)
	}
	return got
}

const unavailableMsg = "ical.js check unavailable: node or calendar/testdata/icaljs/node_modules missing (run `npm ci` there)"

func parse(t testing.TB, objects map[string][]byte) (map[string]Calendar, bool) {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("icaltest: cannot locate the ical.js checker")
	}
	dir := filepath.Join(filepath.Dir(self), "..", "testdata", "icaljs")
	if !available(t, dir) {
		return nil, false
	}
	node := "node"

	tmp := t.TempDir()
	args := []string{filepath.Join(dir, "check.mjs")}
	paths := map[string]string{}
	for name, data := range objects {
		path := filepath.Join(tmp, name+".ics")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
		paths[name] = path
	}
	cmd := exec.Command(node, args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ical.js: %v\n%s", err, stderr.String())
	}
	var byPath map[string]Calendar
	if err := json.Unmarshal(out, &byPath); err != nil {
		t.Fatalf("ical.js output: %v\n%s", err, out)
	}
	got := map[string]Calendar{}
	for name, path := range paths {
		c, ok := byPath[path]
		if !ok {
			t.Fatalf("ical.js did not report %s", name)
		}
		got[name] = c
	}
	return got, true
}

// available reports whether node and the ical.js of dir can be run; under
// CI=true their absence fails the test instead.
func available(t testing.TB, dir string) bool {
	t.Helper()
	_, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "ical.js", "package.json"))
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s: %v", unavailableMsg, err)
		}
		return false
	}
	return true
}
