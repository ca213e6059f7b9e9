package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// clusterDir returns a data directory path in a fresh temporary directory.
// t.TempDir makes 0700 directories; as root they are opened up so the
// server's unprivileged user can reach the data directory.
func clusterDir(t *testing.T, elems ...string) string {
	t.Helper()
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		for _, d := range []string{filepath.Dir(dir), dir} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	return filepath.Join(append([]string{dir}, elems...)...)
}

func openTestCluster(t *testing.T, dataDir string) *Cluster {
	t.Helper()
	c, err := Open(t.Context(), dataDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() }) // in case the test fails before closing
	return c
}

func queryOne(t *testing.T, url, sql string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func postmasterPID(t *testing.T, dataDir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	fmt.Sscan(string(b), &pid)
	return pid
}

func TestClusterJoinCloseReopen(t *testing.T) {
	t.Parallel()
	dataDir := clusterDir(t, "postgres")
	owner := openTestCluster(t, dataDir)
	if !owner.ranInitdb || owner.cmd == nil {
		t.Fatalf("first open: ranInitdb=%v started=%v, want both", owner.ranInitdb, owner.cmd != nil)
	}
	for range 2 { // the second call finds the database
		if err := owner.EnsureDatabase(t.Context(), "consult"); err != nil {
			t.Fatal(err)
		}
	}
	queryOne(t, owner.URL("consult"), "CREATE TABLE kept (x int)")
	pid := owner.cmd.Process.Pid

	joiner := openTestCluster(t, dataDir)
	if joiner.cmd != nil || joiner.ranInitdb {
		t.Fatalf("second open started a server or ran initdb")
	}
	if got := postmasterPID(t, dataDir); got != pid {
		t.Fatalf("postmaster pid = %d, want %d", got, pid)
	}
	queryOne(t, joiner.URL("consult"), "SELECT x FROM kept")
	if err := joiner.Close(); err != nil {
		t.Fatal(err)
	}
	queryOne(t, owner.URL("consult"), "SELECT 1") // the joiner left it running

	if err := owner.Close(); err != nil {
		t.Fatal(err)
	}
	if err := owner.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("postgres pid %d after Close: kill 0 = %v, want ESRCH", pid, err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("postmaster.pid after Close: %v", err)
	}

	again := openTestCluster(t, dataDir)
	if again.ranInitdb || again.cmd == nil {
		t.Fatalf("reopen: ranInitdb=%v started=%v, want reuse and start", again.ranInitdb, again.cmd != nil)
	}
	queryOne(t, again.URL("consult"), "SELECT x FROM kept")
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestClusterLongPathSocket(t *testing.T) {
	t.Parallel()
	dataDir := clusterDir(t, strings.Repeat("a", 60), strings.Repeat("b", 60), "postgres")
	c := openTestCluster(t, dataDir)
	if !c.tmpSocket || !strings.HasPrefix(c.socketDir, "/tmp/consult-") {
		t.Fatalf("socket dir = %q, want one under /tmp", c.socketDir)
	}
	queryOne(t, c.URL("postgres"), "SELECT 1")
	joiner := openTestCluster(t, dataDir)
	if joiner.socketDir != c.socketDir {
		t.Fatalf("joiner socket dir = %q, want %q", joiner.socketDir, c.socketDir)
	}
	queryOne(t, joiner.URL("postgres"), "SELECT 1")
	joiner.Close()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.socketDir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket dir after Close: %v", err)
	}
}

func TestClusterConcurrentOpen(t *testing.T) {
	t.Parallel()
	dataDir := clusterDir(t, "postgres")
	var wg sync.WaitGroup
	clusters := make([]*Cluster, 2)
	for i := range clusters {
		wg.Go(func() {
			c, err := Open(t.Context(), dataDir, Options{})
			if err != nil {
				t.Error(err)
				return
			}
			clusters[i] = c
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	owners := 0
	for _, c := range clusters {
		queryOne(t, c.URL("postgres"), "SELECT 1")
		if c.cmd != nil {
			owners++
		}
	}
	if owners != 1 {
		t.Fatalf("%d processes started a server, want 1", owners)
	}
	for _, c := range clusters {
		if c.cmd == nil {
			c.Close() // the joiner first, so the owner's Close ends the server
		}
	}
	for _, c := range clusters {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestClusterStalePostmasterPID(t *testing.T) {
	t.Parallel()
	dataDir := clusterDir(t, "postgres")
	c := openTestCluster(t, dataDir)
	pidFile := filepath.Join(dataDir, "postmaster.pid")
	content, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	// A crashed server leaves its pid behind; after a reboot the pid may
	// be gone or belong to another program (here, this test).
	for _, pid := range []int{dead.Process.Pid, os.Getpid()} {
		_, rest, _ := strings.Cut(string(content), "\n")
		if err := os.WriteFile(pidFile, fmt.Appendf(nil, "%d\n%s", pid, rest), 0o600); err != nil {
			t.Fatal(err)
		}
		if cred, _ := clusterUser(); cred != nil {
			os.Chown(pidFile, int(cred.uid), int(cred.gid)) // as the server would have left it
		}
		c := openTestCluster(t, dataDir)
		if c.cmd == nil {
			t.Fatalf("stale pid %d: joined instead of starting", pid)
		}
		queryOne(t, c.URL("postgres"), "SELECT 1")
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestClusterUnsearchableParent(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root hands the server to another user")
	}
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "postgres") // t.TempDir is 0700 root
	_, err := Open(t.Context(), dataDir, Options{})
	if err == nil || !strings.Contains(err.Error(), "not searchable") {
		t.Fatalf("Open under a 0700 root directory: %v, want a 'not searchable' error", err)
	}
}

func TestClusterNoServerBinaries(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	saved := serverBinGlob
	serverBinGlob = "/nonexistent/*/bin"
	t.Cleanup(func() { serverBinGlob = saved })
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err := Open(ctx, clusterDir(t, "postgres"), Options{})
	if !errors.Is(err, ErrNoServer) || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Fatalf("Open without binaries: %v, want ErrNoServer naming DATABASE_URL", err)
	}
}
