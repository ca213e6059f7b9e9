package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// profileMissed takes a CPU profile of the server for every phase whose
// target this run missed: it restarts the service built with -tags pprof
// (profiler on a loopback port), runs the phase's load again and profiles
// the server meanwhile. The measured figures all come from the ordinary
// build; this only explains them.
func (b *bencher) profileMissed(ctx context.Context) error {
	type want struct{ phase, kind string }
	var wants []want
	seen := map[want]bool{}
	for _, t := range b.rep.Targets() {
		w := want{t.Phase, t.Profile}
		if !t.Met && t.Phase != "" && !seen[w] {
			seen[w] = true
			wants = append(wants, w)
		}
	}
	if len(wants) == 0 {
		return nil
	}
	b.logf("profiling the phases of missed targets: %v", wants)
	bin := filepath.Join(b.tmp, "consult-pprof")
	if err := goCmd(ctx, b.o.goCmd, b.stderr, []string{"CGO_ENABLED=0"}, "build", "-trimpath", "-tags", "pprof", "-o", bin, "./cmd/consult"); err != nil {
		return err
	}
	if err := b.server.stop(); err != nil {
		return err
	}
	b.server = nil
	port, err := freePort()
	if err != nil {
		return err
	}
	pprofAddr := "127.0.0.1:" + strconv.Itoa(port)
	p, err := startProc("consult (profiling)", bin, []string{"serve"}, append(b.serverEnv[:len(b.serverEnv):len(b.serverEnv)],
		"CONSULT_PPROF_ADDR="+pprofAddr))
	if err != nil {
		return err
	}
	b.server = p
	if _, err := p.waitReady(ctx, "/readyz", time.Minute); err != nil {
		return err
	}
	phases, err := b.phases(ctx, time.Now())
	if err != nil {
		return err
	}
	for _, w := range wants {
		ph, ok := (&Report{Phases: phases}).phase(w.phase)
		if !ok {
			continue
		}
		file := filepath.Join(b.tmp, w.phase+"."+w.kind+".pprof")
		// Both endpoints return what happened in the next 5 s: CPU time,
		// or the allocations made (a delta of the allocs profile). A CPU
		// profile is shown twice: the hottest functions, and the
		// service's own functions by cumulative time, which says where
		// in the code the time goes.
		endpoint, views := "profile", [][]string{{"-top", "-nodecount=15"}, {"-top", "-cum", "-show=^consult/", "-nodecount=20"}}
		if w.kind == "allocs" {
			endpoint, views = "allocs", [][]string{{"-sample_index=alloc_space", "-top", "-nodecount=20"}}
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			ph.run(ctx, 0, 6*time.Second)
		}()
		err := fetchProfile(ctx, "http://"+pprofAddr+"/debug/pprof/"+endpoint+"?seconds=5", file)
		<-done
		if err != nil {
			return err
		}
		var tops []string
		for _, args := range views {
			top, err := exec.CommandContext(ctx, b.o.goCmd, append(append([]string{"tool", "pprof"}, args...), bin, file)...).Output()
			if err != nil {
				return fmt.Errorf("go tool pprof %v: %w", args, err)
			}
			tops = append(tops, strings.TrimSpace(string(top)))
		}
		b.rep.Profiles = append(b.rep.Profiles, Profile{Phase: ph.Name, Kind: w.kind, Top: strings.Join(tops, "\n\n")})
	}
	return nil
}

// fetchProfile saves the profile at u to file.
func fetchProfile(ctx context.Context, u, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
