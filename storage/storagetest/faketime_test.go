package storagetest

import (
	"os"
	"testing"
	"time"
)

// TestFakeTimeShiftsTheServerClock proves the date-shift hook took effect:
// with CONSULT_TEST_FAKETIME set, now() in a test database is off the real
// clock by that much. Without this check a suite run under the variable
// could pass on the real date and prove nothing.
func TestFakeTimeShiftsTheServerClock(t *testing.T) {
	spec := os.Getenv(FakeTimeVar)
	if spec == "" {
		t.Skip(FakeTimeVar + " is unset: the test server runs on the real clock")
	}
	shift, err := Shift()
	if err != nil {
		t.Fatal(err)
	}
	pool := NewDB(t)
	var got time.Time
	before := time.Now()
	if err := pool.QueryRow(t.Context(), "SELECT now()").Scan(&got); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	const slack = 5 * time.Second
	if lo, hi := before.Add(shift-slack), after.Add(shift+slack); got.Before(lo) || got.After(hi) {
		t.Fatalf("server now() = %s, real now %s: shifted by %.2f days, want %.2f (%s=%s)",
			got.UTC().Format(time.RFC3339), before.UTC().Format(time.RFC3339),
			got.Sub(before).Hours()/24, shift.Hours()/24, FakeTimeVar, spec)
	}
}

func TestParseShift(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 0, "+1100d": 1100 * 24 * time.Hour, "-2h": -2 * time.Hour, "+3y": 3 * 365 * 24 * time.Hour, "+90": 90 * time.Second} {
		if got, ok := parseShift(in); !ok || got != want {
			t.Errorf("parseShift(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"1100d", "+d", "+5w", "@2030-01-01 00:00:00"} {
		if _, ok := parseShift(in); ok {
			t.Errorf("parseShift(%q) took it", in)
		}
	}
}
