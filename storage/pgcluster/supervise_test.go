package pgcluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// ownerVar names the variable that makes the test binary play a server
// process owning the cluster of its value: it opens the cluster, prints
// the postgres pid and waits to be killed.
const ownerVar = "PGCLUSTER_TEST_OWNER"

func TestMain(m *testing.M) {
	if dir := os.Getenv(ownerVar); dir != "" {
		c, err := Open(context.Background(), dir, Options{NoSync: true})
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("pid", c.PID())
		select {}
	}
	os.Exit(m.Run())
}

// ownerProcess starts a cluster in another process, returning the
// server's pid and a function that kills that process with SIGKILL, as a
// crash or the OOM killer would, leaving the server running.
func ownerProcess(t *testing.T, dataDir string) (pid int, kill func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), ownerVar+"="+dataDir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	kill = func() {
		cmd.Process.Kill()
		cmd.Wait()
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if _, err := fmt.Sscanf(line, "pid %d", &pid); err != nil || pid <= 0 {
		kill()
		t.Fatalf("owner process: %q", line)
	}
	t.Cleanup(func() { // whatever the test did, no process or server is left behind
		kill()
		if processAlive(pid) {
			syscall.Kill(pid, syscall.SIGQUIT)
		}
	})
	return pid, kill
}

// orphanCluster starts a cluster in another process and kills that
// process: the server outlives its owner. It returns the server's pid.
func orphanCluster(t *testing.T, dataDir string) int {
	t.Helper()
	pid, kill := ownerProcess(t, dataDir)
	kill()
	if !processAlive(pid) {
		t.Fatalf("postgres (pid %d) died with its owner", pid)
	}
	return pid
}

// waitQuery runs sql at url until it succeeds, for up to 30 s.
func waitQuery(t *testing.T, url, sql string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		conn, err := pgx.Connect(ctx, url)
		if err == nil {
			_, err = conn.Exec(ctx, sql)
			conn.Close(context.Background())
		}
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still failing after 30 s: %v", sql, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// killAndWaitRestart kills the server with SIGKILL and waits for c to
// have started another that answers queries.
func killAndWaitRestart(t *testing.T, c *Cluster) {
	t.Helper()
	old := c.PID()
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for c.PID() == old || !processAlive(c.PID()) {
		if time.Now().After(deadline) {
			t.Fatalf("postgres (pid %d) killed: not restarted in 30 s", old)
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitQuery(t, c.URL("postgres"), "SELECT x FROM kept")
	if processAlive(old) {
		t.Errorf("killed postgres pid %d still alive", old)
	}
}

func TestClusterRestartsKilledServer(t *testing.T) {
	t.Parallel()
	c := openTestCluster(t, clusterDir(t, "postgres"))
	queryOne(t, c.URL("postgres"), "CREATE TABLE kept (x int)")
	for range 2 { // the second restart comes as quickly: the backoff is short
		killAndWaitRestart(t, c)
	}
	stopAndCheck(t, c)
}

func TestClusterAdoptsOrphan(t *testing.T) {
	t.Parallel()
	dataDir := clusterDir(t, "postgres")
	pid := orphanCluster(t, dataDir)

	c := openTestCluster(t, dataDir)
	if !c.adopted.Load() || c.PID() != pid {
		t.Fatalf("open beside an orphaned server: adopted=%v pid=%d, want adopted pid %d", c.adopted.Load(), c.PID(), pid)
	}
	queryOne(t, c.URL("postgres"), "CREATE TABLE kept (x int)")
	// The adopter owns the server now: another process joins it.
	joiner := openTestCluster(t, dataDir)
	if joiner.adopted.Load() || joiner.PID() != 0 {
		t.Fatalf("open beside an adopting server: adopted=%v pid=%d, want a joiner", joiner.adopted.Load(), joiner.PID())
	}
	queryOne(t, joiner.URL("postgres"), "SELECT x FROM kept")
	if err := joiner.Close(); err != nil {
		t.Fatal(err)
	}
	queryOne(t, c.URL("postgres"), "SELECT x FROM kept")
	stopAndCheck(t, c)
	if processAlive(pid) {
		t.Fatalf("adopted postgres pid %d alive after Close", pid)
	}
}

func TestClusterRestartsAdoptedServer(t *testing.T) {
	t.Parallel()
	dataDir := clusterDir(t, "postgres")
	orphanCluster(t, dataDir)
	c := openTestCluster(t, dataDir)
	if !c.adopted.Load() {
		t.Fatal("the orphaned server was not adopted")
	}
	queryOne(t, c.URL("postgres"), "CREATE TABLE kept (x int)")
	killAndWaitRestart(t, c)
	if !isChild(c) {
		t.Error("the restarted server is not this process's child")
	}
	stopAndCheck(t, c)
}

func TestClusterJoinerTakesOverFromKilledOwner(t *testing.T) {
	t.Parallel()
	dataDir := clusterDir(t, "postgres")
	pid, kill := ownerProcess(t, dataDir)
	c := openTestCluster(t, dataDir)
	if c.PID() != 0 {
		t.Fatalf("open beside a live owner: pid %d, want a joiner", c.PID())
	}
	queryOne(t, c.URL("postgres"), "CREATE TABLE kept (x int)")
	kill()
	deadline := time.Now().Add(30 * time.Second)
	for c.PID() != pid {
		if time.Now().After(deadline) {
			t.Fatalf("the joiner did not adopt postgres pid %d after its owner was killed", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
	queryOne(t, c.URL("postgres"), "SELECT x FROM kept")
	stopAndCheck(t, c)
}

func TestClusterJoinerTakesOverAfterOwnerStops(t *testing.T) {
	t.Parallel()
	dataDir := clusterDir(t, "postgres")
	owner := openTestCluster(t, dataDir)
	queryOne(t, owner.URL("postgres"), "CREATE TABLE kept (x int)")
	joiner := openTestCluster(t, dataDir)
	if err := owner.Close(); err != nil {
		t.Fatal(err)
	}
	// The joiner, still serving, starts the server again on the same socket.
	waitQuery(t, joiner.URL("postgres"), "SELECT x FROM kept")
	if !isChild(joiner) {
		t.Fatal("a server answers, but not one the joiner started")
	}
	stopAndCheck(t, joiner)
}

// stopAndCheck closes c and checks its server is gone, pid file included.
func stopAndCheck(t *testing.T, c *Cluster) {
	t.Helper()
	pid := c.PID()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if processAlive(pid) {
		t.Fatalf("postgres pid %d alive after Close", pid)
	}
	if _, err := os.Stat(filepath.Join(c.dataDir, "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("postmaster.pid after Close: %v", err)
	}
}

func TestIsZombie(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	deadline := time.Now().Add(10 * time.Second)
	for !isZombie(pid) { // exited, not yet waited for
		if time.Now().After(deadline) {
			t.Fatal("an exited child never showed as a zombie")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("kill 0 of a zombie: %v, want success", err)
	}
	if processAlive(pid) {
		t.Error("a zombie counts as alive")
	}
	cmd.Wait()
	if !processAlive(os.Getpid()) {
		t.Error("this process counts as dead")
	}
}

// isChild reports whether c's server is one this process started.
func isChild(c *Cluster) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cmd != nil
}

func TestBackoff(t *testing.T) {
	ms := time.Millisecond
	var b backoff
	b.exited(time.Second)
	var got []time.Duration
	for range 10 {
		got = append(got, b.next())
	}
	want := []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms, 3200 * ms, 6400 * ms, 12800 * ms, 15 * time.Second, 15 * time.Second}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("waits while restarts fail: %v, want %v", got, want)
	}
	b.exited(time.Second) // restarted, but down again at once: no reset
	if w := b.next(); w != 15*time.Second {
		t.Errorf("wait after a server that crashed at once: %s, want 15s", w)
	}
	b.exited(stableAfter) // stayed up long enough to count as healthy
	if w := b.next(); w != minBackoff {
		t.Errorf("wait after a server that stayed up %s: %s, want %s", stableAfter, w, minBackoff)
	}
}
