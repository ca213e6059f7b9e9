package storagetest

import (
	"fmt"
	"os"
	"path/filepath"
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
