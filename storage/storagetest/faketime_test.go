package storagetest

import (
	"os"
	"regexp"
	"strconv"
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
	shift, ok := parseShift(spec)
	if !ok {
		t.Fatalf("%s=%q: this test understands only offsets such as +1100d, -2y, +36h", FakeTimeVar, spec)
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

// parseShift reads a libfaketime relative offset: a signed number of
// seconds, or of minutes, hours, days or (365-day) years with m, h, d or y.
func parseShift(spec string) (time.Duration, bool) {
	m := regexp.MustCompile(`^([+-][0-9]+(?:\.[0-9]+)?)([smhdy]?)$`).FindStringSubmatch(spec)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	unit := map[string]time.Duration{"": time.Second, "s": time.Second, "m": time.Minute,
		"h": time.Hour, "d": 24 * time.Hour, "y": 365 * 24 * time.Hour}[m[2]]
	return time.Duration(n * float64(unit)), true
}
