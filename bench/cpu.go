package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is Linux's USER_HZ, the unit of the CPU times in /proc, which
// is 100 on every architecture Go supports.
const clockTick = 10 * time.Millisecond

// cpuSample is the CPU time, user and system, used so far by the server
// process and by the PostgreSQL cluster's processes.
type cpuSample struct {
	server, db time.Duration
}

// CPU time is a steadier measure than throughput on a machine others are
// using: it counts only the work the request caused, not the waiting.
func (s cpuSample) sub(o cpuSample) cpuSample {
	return cpuSample{server: s.server - o.server, db: s.db - o.db}
}

func (s cpuSample) add(o cpuSample) cpuSample {
	return cpuSample{server: s.server + o.server, db: s.db + o.db}
}

// perRequest returns the CPU time each of n requests cost, in µs.
func (s cpuSample) perRequest(n int) (server, db float64) {
	if n == 0 {
		return 0, 0
	}
	return float64(s.server.Microseconds()) / float64(n), float64(s.db.Microseconds()) / float64(n)
}

// statFields returns the fields of /proc/<pid>/stat after the command
// name, which may itself hold spaces: fields[0] is the state (field 3).
func statFields(pid int) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	return strings.Fields(s[i+1:]), nil
}

// ticks sums the given fields (1-based field numbers of proc(5)).
func ticks(f []string, fields ...int) time.Duration {
	var n int64
	for _, k := range fields {
		if k-3 < len(f) {
			v, _ := strconv.ParseInt(f[k-3], 10, 64)
			n += v
		}
	}
	return time.Duration(n) * clockTick
}

// processCPU returns the CPU time process pid has used.
func processCPU(pid int) time.Duration {
	f, err := statFields(pid)
	if err != nil {
		return 0
	}
	return ticks(f, 14, 15) // utime, stime
}

// clusterCPU returns the CPU time of the PostgreSQL cluster in dataDir:
// the postmaster with its reaped children (cutime, cstime) and every live
// child (the backends, the checkpointer and so on).
func clusterCPU(dataDir string) time.Duration {
	b, err := os.ReadFile(filepath.Join(dataDir, "postgres", "postmaster.pid"))
	if err != nil {
		return 0
	}
	pm, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		return 0
	}
	f, err := statFields(pm)
	if err != nil {
		return 0
	}
	total := ticks(f, 14, 15, 16, 17)
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == pm {
			continue
		}
		if f, err := statFields(pid); err == nil && len(f) > 1 && f[1] == strconv.Itoa(pm) {
			total += ticks(f, 14, 15)
		}
	}
	return total
}
