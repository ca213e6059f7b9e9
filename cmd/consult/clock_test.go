package main

import (
	"time"

	"consult/storage/storagetest"
)

// testNow is the clock the tests give the service: the real one, moved as
// far as CONSULT_TEST_FAKETIME moves the test database server's, so a run
// with both years ahead proves nothing depends on today's date.
func testNow() time.Time { return storagetest.Now() }
