package api_test

import (
	"os"
	"testing"

	"consult/storage"
)

func TestMain(m *testing.M) { os.Exit(storage.RunTests(m)) }
