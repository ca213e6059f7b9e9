package main

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// testShift is how far the service's clock runs ahead of the real one in
// these tests: the offset CONSULT_TEST_FAKETIME gives the test database
// server (see storagetest), such as "+1100d", so that a second run of the
// suite with both clocks years ahead proves nothing depends on today's
// date. Zero when the variable is unset.
var testShift = mustShift(os.Getenv("CONSULT_TEST_FAKETIME"))

// testNow is the clock the tests give the service: the real one, shifted.
func testNow() time.Time { return time.Now().Add(testShift) }

// mustShift parses a libfaketime relative offset: a sign, a number and a
// unit (s, m, h, d or y), such as "+1100d".
func mustShift(s string) time.Duration {
	d, err := parseShift(s)
	if err != nil {
		panic(err)
	}
	return d
}

func parseShift(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	units := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'y': 365 * 24 * time.Hour}
	unit, ok := units[s[len(s)-1]]
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
	if !ok || err != nil || (s[0] != '+' && s[0] != '-') {
		return 0, fmt.Errorf("CONSULT_TEST_FAKETIME %q: want a relative offset such as +1100d", s)
	}
	return time.Duration(n) * unit, nil
}

func TestParseShift(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 0, "+1100d": 1100 * 24 * time.Hour, "-2h": -2 * time.Hour, "+3y": 3 * 365 * 24 * time.Hour} {
		if got, err := parseShift(in); err != nil || got != want {
			t.Errorf("parseShift(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"1100d", "+d", "+5w", "@2030-01-01 00:00:00"} {
		if _, err := parseShift(in); err == nil {
			t.Errorf("parseShift(%q) took it", in)
		}
	}
}
