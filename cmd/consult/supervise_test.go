package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestEmbeddedClusterRestartsAfterKill kills the embedded PostgreSQL under
// a running server with SIGKILL: /readyz answers 503 while it is down, the
// cluster restarts it by itself, and the service answers again from its
// pool with no one's help.
func TestEmbeddedClusterRestartsAfterKill(t *testing.T) {
	root, err := os.MkdirTemp("", "consult-restart-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	if err := os.Chmod(root, 0o755); err != nil { // the cluster's own user must reach it
		t.Fatal(err)
	}
	dataDir := filepath.Join(root, "data")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		done <- run(ctx, []string{"serve", "--demo"}, env("DATA_DIR", dataDir, "LISTEN_ADDR", "127.0.0.1:0"), testNow, nil, pw, io.Discard)
		pw.Close()
		close(finished)
	}()
	t.Cleanup(func() { cancel(); <-finished })
	line, err := readLine(pr)
	if err != nil || !strings.Contains(line, "http://") {
		t.Fatalf("server did not start: %q %v", line, err)
	}
	go io.Copy(io.Discard, pr)
	base := strings.Fields(line[strings.Index(line, "http://"):])[0]
	waitReady(t, base)
	day := testNow().AddDate(0, 0, 7).Format(time.DateOnly)
	slotsURL := base + "/api/v1/slots?from=" + day + "&to=" + day

	pidFile := filepath.Join(dataDir, "postgres", "postmaster.pid")
	killed := postmasterPID(t, pidFile)
	if err := syscall.Kill(killed, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	get := func(url string) int {
		resp, err := client.Get(url)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	waitFor(t, "/readyz to answer 503 with the database down", func() bool { return get(base+"/readyz") == http.StatusServiceUnavailable })
	waitFor(t, "/readyz to answer 200 after the restart", func() bool { return get(base+"/readyz") == http.StatusOK })
	if code := get(slotsURL); code != http.StatusOK {
		t.Errorf("slots after the restart: %d, want 200", code)
	}
	if pid := postmasterPID(t, pidFile); pid == killed {
		t.Errorf("postmaster.pid still names the killed server %d", pid)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Error("the restarted cluster still runs after the server stopped")
	}
}

// postmasterPID reads the server's pid from its postmaster.pid.
func postmasterPID(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(firstLine(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return pid
}
