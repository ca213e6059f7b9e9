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
	"time"
)

// profileMissed takes a CPU profile of the server for every phase whose
// target this run missed: it restarts the service built with -tags pprof
// (profiler on a loopback port), runs the phase's load again and profiles
// the server meanwhile. The measured figures all come from the ordinary
// build; this only explains them.
func (b *bencher) profileMissed(ctx context.Context) error {
	var keys []string
	seen := map[string]bool{}
	for _, t := range b.rep.Targets() {
		if !t.Met && t.Phase != "" && !seen[t.Phase] {
			seen[t.Phase] = true
			keys = append(keys, t.Phase)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	b.logf("profiling the phases of missed targets: %v", keys)
	bin := filepath.Join(b.tmp, "consult-pprof")
	if err := goCmd(ctx, b.o.goCmd, b.stderr, "build", "-tags", "pprof", "-o", bin, "./cmd/consult"); err != nil {
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
	for _, key := range keys {
		ph, ok := (&Report{Phases: phases}).phase(key)
		if !ok {
			continue
		}
		file := filepath.Join(b.tmp, key+".pprof")
		done := make(chan struct{})
		go func() {
			defer close(done)
			load(ctx, ph.req, ph.Conns, 0, 6*time.Second)
		}()
		err := fetchProfile(ctx, "http://"+pprofAddr+"/debug/pprof/profile?seconds=5", file)
		<-done
		if err != nil {
			return err
		}
		top, err := exec.CommandContext(ctx, b.o.goCmd, "tool", "pprof", "-top", "-nodecount=25", bin, file).Output()
		if err != nil {
			return fmt.Errorf("go tool pprof: %w", err)
		}
		b.rep.Profiles = append(b.rep.Profiles, Profile{Phase: ph.Name, Top: string(top)})
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
