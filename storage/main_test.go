package storage_test

import (
	"os"
	"testing"

	"consult/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.RunTests(m)) }
