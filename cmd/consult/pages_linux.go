package main

import (
	"bufio"
	"bytes"
	"os"
	"runtime/debug"
	"strconv"

	"golang.org/x/sys/unix"
)

// returnStartupMemory hands back to the system what starting took and
// serving does not need, once the service is ready: the heap's garbage
// (every template is parsed at start-up to check it, then dropped), and
// the pages of the binary itself that starting read (migrations, the
// template sources, tables built by package initialisers). Those are
// file pages: they stay mapped, and counted in the resident set, until
// the kernel runs short of memory, and they were 23 of the 37 MB a
// freshly started service held. Only the binary's read-only mappings
// are dropped, so nothing is lost: a page used again is read back from
// the file (from the page cache, as a rule) when it is touched.
func returnStartupMemory() {
	debug.FreeOSMemory()
	exe, err := os.Executable()
	if err != nil {
		return
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		start, end, ok := readOnlyMappingOf(sc.Bytes(), exe)
		if !ok {
			continue
		}
		// Advice only: a failure leaves the pages where they were. The
		// range is an address the kernel gave, not Go memory, hence the
		// system call rather than unix.Madvise's byte slice.
		_, _, _ = unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_DONTNEED)
	}
}

// readOnlyMappingOf reads a line of /proc/self/maps ("start-end perms
// offset dev inode path") and returns its range when it maps the file at
// path privately and without write permission.
func readOnlyMappingOf(line []byte, path string) (start, end uintptr, ok bool) {
	fields := bytes.Fields(line)
	if len(fields) < 6 {
		return 0, 0, false
	}
	perms := string(fields[1])
	if perms != "r-xp" && perms != "r--p" {
		return 0, 0, false
	}
	// The path is the rest of the line, spaces and all.
	i := bytes.Index(line, fields[5])
	if string(bytes.TrimSpace(line[i:])) != path {
		return 0, 0, false
	}
	lo, hi, found := bytes.Cut(fields[0], []byte("-"))
	s, err1 := strconv.ParseUint(string(lo), 16, 64)
	e, err2 := strconv.ParseUint(string(hi), 16, 64)
	if !found || err1 != nil || err2 != nil || e <= s {
		return 0, 0, false
	}
	return uintptr(s), uintptr(e), true
}
