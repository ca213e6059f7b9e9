package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Restart backoff: the first restart comes quickly, since a crash is
// usually a one-off; a server that keeps failing (a full disk, a bad
// setting) is retried ever less often, and a server that has stayed up
// for stableAfter counts as healthy again.
const (
	minBackoff  = 100 * time.Millisecond
	maxBackoff  = 15 * time.Second
	stableAfter = 30 * time.Second
	// pollEvery is how often an adopted server, which is not this process's
	// child and so cannot be waited for, is checked for life.
	pollEvery = 100 * time.Millisecond
	// ownerPollEvery is how often a joiner checks whether the server's
	// owner has ended, leaving the server to it.
	ownerPollEvery = time.Second
)

// supervise restarts the server whenever it exits until Close. In a
// process that joined the server it first waits to take the server over.
func (c *Cluster) supervise() {
	defer close(c.superDone)
	if c.owner == nil && !c.awaitTakeOver() {
		return
	}
	var delays backoff
	for {
		c.mu.Lock()
		pid, gone := c.pid, c.gone
		c.mu.Unlock()
		up := time.Now() // to measure how long the server stayed up
		select {
		case <-c.done:
			return
		case <-gone:
		}
		if c.stopping.Load() {
			return
		}
		delays.exited(time.Since(up))
		if pid != 0 { // else taken over with no server running
			c.logger.Error("pgcluster: postgres exited unexpectedly; restarting", "pid", pid, "err", c.exitErr(), "log", c.logPath)
		}
		for {
			wait := delays.next()
			select {
			case <-c.done:
				return
			case <-time.After(wait):
			}
			err := c.restart()
			if err == nil {
				c.logger.Info("pgcluster: restarted postgres", "data_dir", c.dataDir, "pid", c.PID())
				break
			}
			if c.stopping.Load() {
				return
			}
			c.logger.Warn("pgcluster: postgres restart failed; retrying", "err", err, "retry_in", delays.wait.String())
		}
	}
}

// backoff spaces restarts: each failed attempt doubles the wait before the
// next, up to maxBackoff; a server that stayed up for stableAfter before it
// exited is restarted after minBackoff again.
type backoff struct{ wait time.Duration }

// exited records that the server exited after running for up.
func (b *backoff) exited(up time.Duration) {
	if b.wait == 0 || up >= stableAfter {
		b.wait = minBackoff
	}
}

// next returns the wait before the next restart attempt.
func (b *backoff) next() time.Duration {
	w := max(b.wait, minBackoff)
	b.wait = min(2*w, maxBackoff)
	return w
}

// awaitTakeOver waits, in a process that joined the server, until its
// owner has ended, then takes the server over: it adopts it if it still
// runs, or leaves it to the supervisor to start. It reports false when
// Close comes first.
func (c *Cluster) awaitTakeOver() bool {
	for {
		select {
		case <-c.done:
			return false
		case <-time.After(ownerPollEvery):
		}
		took, err := c.tryTakeOver()
		if err != nil {
			c.logger.Warn("pgcluster: checking the owner of postgres", "err", err)
		}
		if took {
			return true
		}
	}
}

// tryTakeOver takes the owner lock if it is free, under the data
// directory's lock so that no other process starts a server meanwhile.
// The socket stays the one joined: this process's connections know it.
func (c *Cluster) tryTakeOver() (bool, error) {
	if err := syscall.Flock(int(c.lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return false, nil // busy: another process is starting or stopping it
	}
	defer syscall.Flock(int(c.lock.Fd()), syscall.LOCK_UN)
	owner, err := tryOwnerLock(c.dataDir + ".owner")
	if owner == nil {
		return false, err
	}
	c.owner = owner
	if pid, _, _, ok := c.livePostmaster(); ok {
		c.adopt(pid)
		return true, nil
	}
	gone := make(chan struct{})
	close(gone)
	c.tmpSocket = c.socketDir != c.dataDir && strings.HasPrefix(c.socketDir, "/tmp/consult-")
	c.setServer(nil, 0, gone, nil)
	c.logger.Warn("pgcluster: the owner of postgres ended; taking over", "data_dir", c.dataDir)
	return true, nil
}

// restart starts the server again under the data directory's lock, giving
// up when Close begins.
func (c *Cluster) restart() error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-c.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := flock(ctx, c.lock); err != nil {
		return err
	}
	defer syscall.Flock(int(c.lock.Fd()), syscall.LOCK_UN)
	return c.start(ctx)
}

// setServer records the server now running.
func (c *Cluster) setServer(cmd *exec.Cmd, pid int, gone chan struct{}, exitErr error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cmd, c.pid, c.gone, c.exitOf = cmd, pid, gone, exitErr
}

// exitErr says how the last server started by this process exited (nil
// for an adopted one, whose exit status belongs to its parent).
func (c *Cluster) exitErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exitOf
}

// tryOwnerLock takes the owner lock at path without waiting, returning the
// locked file, or nil when another process holds it. The file is opened
// close-on-exec, so the server this process starts never inherits the lock.
func tryOwnerLock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("owner lock: %w", err)
	}
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		f.Close()
		return nil, nil
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("owner lock %s: %w", path, err)
	}
	return f, nil
}

// watchPID returns a channel closed once process pid is gone, polling,
// since only a parent can wait for a process.
func watchPID(pid int) chan struct{} {
	gone := make(chan struct{})
	go func() {
		for processAlive(pid) {
			time.Sleep(pollEvery)
		}
		close(gone)
	}()
	return gone
}

// processAlive reports whether process pid exists and has not exited. A
// zombie, exited and waiting for its parent to reap it, is dead.
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	return !isZombie(pid)
}

// isZombie reports whether /proc says process pid has exited unreaped.
func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the command name, which is in parentheses and may
	// itself hold spaces or parentheses.
	if i := strings.LastIndexByte(string(b), ')'); i >= 0 && i+2 < len(b) {
		return b[i+2] == 'Z'
	}
	return false
}

// removeZombieLocks removes lock files naming a zombie, the data
// directory's postmaster.pid and the socket's lock: the server is dead,
// but postgres, seeing the pid still exist, would refuse to start beside
// it. An adopted server killed outright stays a zombie for as long as its
// new parent (say a container's first process) does not reap it. Any other
// stale file is left for postgres, which checks for orphaned backends.
func removeZombieLocks(paths ...string) {
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		first, _, _ := strings.Cut(string(b), "\n")
		if pid, err := strconv.Atoi(strings.TrimSpace(first)); err == nil && pid > 0 && isZombie(pid) {
			os.Remove(path)
		}
	}
}
