package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestReadOnlyMappingOf(t *testing.T) {
	const exe = "/srv/consult/bin/consult"
	for _, tc := range []struct {
		line       string
		start, end uintptr
		ok         bool
	}{
		{"00400000-00ece000 r-xp 00000000 fe:00 9994860    /srv/consult/bin/consult", 0x400000, 0xece000, true},
		{"00ece000-01d63000 r--p 00ace000 fe:00 9994860    /srv/consult/bin/consult", 0xece000, 0x1d63000, true},
		// Written data would be lost: never.
		{"01d63000-01fdb000 rw-p 01963000 fe:00 9994860    /srv/consult/bin/consult", 0, 0, false},
		{"7f4cbd2ad000-7f4cbd403000 r-xp 00026000 fe:00 326269   /usr/lib/x86_64-linux-gnu/libc.so.6", 0, 0, false},
		{"239d2ac00000-239d2bc00000 rw-p 00000000 00:00 0 ", 0, 0, false},
		{"00400000-00ece000 r-xp 00000000 fe:00 9994860    /srv/consult/bin/consult-old", 0, 0, false},
		{"00400000-00ece000 r-xp 00000000 fe:00 9994860    /srv/consult/bin/consult (deleted)", 0, 0, false},
		{"zz-00ece000 r-xp 00000000 fe:00 9994860    /srv/consult/bin/consult", 0, 0, false},
	} {
		start, end, ok := readOnlyMappingOf([]byte(tc.line), exe)
		if start != tc.start || end != tc.end || ok != tc.ok {
			t.Errorf("readOnlyMappingOf(%q) = %#x, %#x, %v; want %#x, %#x, %v", tc.line, start, end, ok, tc.start, tc.end, tc.ok)
		}
	}
	// A path with spaces is read whole.
	line := "00400000-00ece000 r--p 00000000 fe:00 1    /opt/my practice/consult"
	if _, _, ok := readOnlyMappingOf([]byte(line), "/opt/my practice/consult"); !ok {
		t.Errorf("a path with a space was not matched")
	}
}

// The test binary, like the service, holds file pages of itself that its
// start touched; handing them back must show in its resident set (and
// the test goes on running the code it dropped).
func TestReturnStartupMemoryShrinksTheResidentSet(t *testing.T) {
	before := residentFileKB(t)
	returnStartupMemory()
	after := residentFileKB(t)
	if after >= before {
		t.Fatalf("file pages resident: %d kB before, %d kB after; want fewer", before, after)
	}
	t.Logf("file pages resident: %d kB before, %d kB after", before, after)
}

func residentFileKB(t *testing.T) int {
	t.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "RssFile:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}
