package storagetest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// FakeTimeVar names the environment variable that shifts the private test
// cluster's clock: when set (e.g. "+1100d", in libfaketime's FAKETIME
// syntax), the postgres server runs under Debian's libfaketime, so now()
// in SQL is that far from the real date while the tests' own clocks are
// not. A suite that passes both ways decides nothing by the server's date.
// Only postgres is shifted, not initdb, and not a TEST_DATABASE_URL server,
// which cannot be: setting both is an error, as is a missing libfaketime.
const FakeTimeVar = "CONSULT_TEST_FAKETIME"

// fakeTimeLibs are where libfaketime may be installed: Debian's faketime
// package puts it under the multiarch directory.
var fakeTimeLibs = []string{"/usr/lib/*/faketime/libfaketime.so.1", "/usr/lib/faketime/libfaketime.so.1"}

// fakeTimeEnv returns the environment that runs the test server under
// libfaketime when FakeTimeVar is set, or nothing when it is not. A missing
// library is an error: the shift would silently not happen.
func fakeTimeEnv() ([]string, error) {
	spec := os.Getenv(FakeTimeVar)
	if spec == "" {
		return nil, nil
	}
	var lib string
	for _, pattern := range fakeTimeLibs {
		if m, _ := filepath.Glob(pattern); len(m) > 0 {
			lib = m[0]
			break
		}
	}
	if lib == "" {
		return nil, fmt.Errorf("storagetest: %s=%s needs libfaketime, not found at %s: install Debian's faketime package (apt-get install faketime), or unset %s", FakeTimeVar, spec, fakeTimeLibs[0], FakeTimeVar)
	}
	return []string{
		"LD_PRELOAD=" + lib,
		"FAKETIME=" + spec,
		// PostgreSQL times its waits and timeouts on the monotonic clock.
		"FAKETIME_DONT_FAKE_MONOTONIC=1",
		// Backends are forked: with an "@" start time they would each
		// restart the clock from it.
		"FAKETIME_DONT_RESET=1",
	}, nil
}

// Shift returns how far FakeTimeVar moves the test server's clock (zero
// when it is unset), so tests can move the service's clock the same way.
func Shift() (time.Duration, error) { return shift() }

// shift reads FakeTimeVar once: Now runs on every request of a test server.
var shift = sync.OnceValues(func() (time.Duration, error) {
	spec := os.Getenv(FakeTimeVar)
	d, ok := parseShift(spec)
	if !ok {
		return 0, fmt.Errorf("storagetest: %s=%q: want a relative offset such as +1100d, -2y or +36h", FakeTimeVar, spec)
	}
	return d, nil
})

// Now is the clock for tests that run the service on a moving clock: the
// real one, shifted as the test server's is. It panics on a bad
// FakeTimeVar, which Shift reports.
func Now() time.Time {
	d, err := Shift()
	if err != nil {
		panic(err)
	}
	return time.Now().Add(d) // the tests' moving clock, shifted as the server's
}

// parseShift reads a libfaketime relative offset: a signed number of
// seconds, or of minutes, hours, days or (365-day) years with m, h, d or y.
func parseShift(spec string) (time.Duration, bool) {
	if spec == "" {
		return 0, true
	}
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
