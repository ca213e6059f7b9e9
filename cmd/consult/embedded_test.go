package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEmbeddedClusterIsJoinedBySecondCommand is the two-command setup: a
// server on the embedded default database, then "consult migrate" run
// beside it, which joins the running cluster instead of starting another.
// Migrating down makes the server unready; migrating up makes it ready.
func TestEmbeddedClusterIsJoinedBySecondCommand(t *testing.T) {
	root, err := os.MkdirTemp("", "consult-embedded-")
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
	pid, err := os.ReadFile(filepath.Join(dataDir, "postgres", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}

	migrate := func(action string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(context.Background(), []string{"migrate", action}, env("DATA_DIR", dataDir), testNow, nil, &out, io.Discard); err != nil {
			t.Fatalf("migrate %s beside the server: %v", action, err)
		}
		return out.String()
	}
	if st := migrate("status"); !strings.Contains(st, "00001") || strings.Contains(st, "pending") {
		t.Errorf("status beside a migrated server:\n%s", st)
	}
	migrate("down")
	if code := status(t, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with a migration rolled back: %d, want 503", code)
	}
	migrate("up")
	if code := status(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz after migrating up again: %d, want 200", code)
	}
	after, err := os.ReadFile(filepath.Join(dataDir, "postgres", "postmaster.pid"))
	if err != nil || strings.Fields(string(after))[0] != strings.Fields(string(pid))[0] {
		t.Errorf("the second command did not join the running cluster (pid file %q then %q)", firstLine(pid), firstLine(after))
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
	if _, err := os.Stat(filepath.Join(dataDir, "postgres", "postmaster.pid")); !os.IsNotExist(err) {
		t.Error("the embedded cluster still runs after the server stopped")
	}
}

func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func firstLine(b []byte) string { return strings.SplitN(string(b), "\n", 2)[0] }
