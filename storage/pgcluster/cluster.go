// Package pgcluster runs a private PostgreSQL cluster from the machine's
// server binaries, listening only on a unix socket: the embedded default
// database of "consult serve" when DATABASE_URL is unset, and the server
// the tests share.
package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNoServer reports that the machine has no PostgreSQL server binaries to
// run the embedded cluster with.
var ErrNoServer = errors.New("no PostgreSQL server binaries (initdb, postgres) on PATH or under /usr/lib/postgresql/*/bin: " +
	"install the PostgreSQL server package (e.g. Debian's `postgresql`) or set DATABASE_URL to use an existing server")

// serverBinGlob is where Debian and Ubuntu install versioned server
// binaries; a variable so a test can hide them.
var serverBinGlob = "/usr/lib/postgresql/*/bin"

const (
	clusterSuperuser = "consult"
	// clusterPort only names the socket file: the cluster never listens on TCP.
	clusterPort = "5432"
	// maxSocketPath is the smallest sizeof(sockaddr_un.sun_path), macOS's
	// 104, minus the NUL (Linux allows 107).
	maxSocketPath = 103
	startTimeout  = 30 * time.Second
)

// Cluster is a private PostgreSQL cluster run from the machine's server
// binaries. The server listens only on a unix socket. Its log is appended to
// the file beside the data directory named like it plus ".log"
// ($DATA_DIR/postgres.log). The socket lives in the data directory when that
// path fits in a socket address, else in /tmp/consult-<16 hex digits of
// sha256(data dir)>, a 0700 directory owned by the cluster's user; joiners
// read the socket directory from postmaster.pid, so nothing else records it.
//
// The process that owns the server holds an exclusive flock on the file
// beside the data directory named like it plus ".owner"
// ($DATA_DIR/postgres.owner) for as long as it runs: the kernel drops the
// lock when that process dies however it dies, so a server found running
// with the lock free has lost its owner and is adopted (see supervise.go),
// and a process that joined a server takes it over when its owner ends.
type Cluster struct {
	dataDir, socketDir, port, logPath string
	logger                            *slog.Logger
	ranInitdb                         bool // whether opening ran initdb (tests check reuse)
	cred                              *runAs
	opts                              Options

	// owner is the owner lock, flocked until Close, set only when this
	// process owns the server: it started or adopted it. A joiner's
	// supervisor sets it when it takes the server over.
	owner     *os.File
	lock      *os.File    // the data directory, flocked while starting or stopping
	tmpSocket bool        // socketDir is ours under /tmp: remove it after stopping
	adopted   atomic.Bool // whether an orphaned server was adopted (tests check)
	stopping  atomic.Bool
	done      chan struct{} // closed by Close: the supervisor ends
	superDone chan struct{} // closed when the supervisor has ended

	mu     sync.Mutex // guards the running server below, replaced on restart
	cmd    *exec.Cmd  // the server when this process started it, nil when adopted
	pid    int        // the server's pid, started or adopted
	gone   chan struct{}
	exitOf error // how cmd exited, once gone is closed

	closeOnce sync.Once
	closeErr  error
}

// Options configure Open. The zero value is what "consult serve" uses.
// Settings, NoSync and ServerEnv tune a server this process starts; a
// process joining a running server ignores them.
type Options struct {
	// Logger receives the cluster's start, join and stop events (nil:
	// discarded). The server's own log goes to the file beside the data
	// directory.
	Logger *slog.Logger
	// Settings are extra run-time parameters, each "name=value".
	Settings []string
	// NoSync runs initdb --no-sync: faster, unsafe on a crash.
	NoSync bool
	// ServerEnv is added to the environment of the postgres process only,
	// not initdb's, each "NAME=value" (the test helper's date shift).
	ServerEnv []string
}

// Open starts, adopts or joins the cluster whose data lives in dataDir
// (e.g. $DATA_DIR/postgres), initialising it on first use. With no server
// running it starts one; a server left running by a process that died
// (kill -9) is adopted; a server another live process owns, such as
// "consult serve" beside "consult migrate", is joined. A started or adopted
// server is supervised: restarted with backoff when it exits, stopped by
// Close. When running as root the server runs as the "postgres" user (else
// "nobody"), because PostgreSQL refuses to run as root; dataDir's parents
// must be searchable by that user.
func Open(ctx context.Context, dataDir string, opts Options) (*Cluster, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: start cluster: %w", err)
	}
	c := &Cluster{dataDir: abs, port: clusterPort, logPath: abs + ".log", logger: logger, opts: opts}
	c.cred, err = clusterUser()
	if err == nil {
		err = prepareDataDir(abs, c.cred)
	}
	if err == nil {
		c.lock, err = os.Open(abs)
	}
	if err != nil {
		return nil, fmt.Errorf("pgcluster: start cluster: %w", err)
	}
	if err := c.joinAdoptOrStart(ctx); err != nil {
		c.lock.Close()
		if c.owner != nil {
			c.owner.Close()
		}
		return nil, fmt.Errorf("pgcluster: start cluster: %w", err)
	}
	c.done, c.superDone = make(chan struct{}), make(chan struct{})
	go c.supervise()
	return c, nil
}

// joinAdoptOrStart connects to a live postmaster of the data directory,
// waiting while it starts up, shuts down or is being restarted by its
// owner, or starts one when there is none. Each look is taken under the
// data directory's lock, which makes two processes opening at once take
// turns: the first starts the server, the second then finds it running and
// joins.
func (c *Cluster) joinAdoptOrStart(ctx context.Context) error {
	deadline := time.Now().Add(startTimeout) // a start-up deadline: a duration, not an instant
	for {
		if err := flock(ctx, c.lock); err != nil {
			return fmt.Errorf("lock %s: %w", c.dataDir, err)
		}
		settled, err := c.tryOpen(ctx)
		syscall.Flock(int(c.lock.Fd()), syscall.LOCK_UN)
		if err != nil || settled {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the postgres server of %s does not accept connections", c.dataDir)
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}

// tryOpen takes one look, under the data directory's lock, and either
// settles (joined, adopted or started) or reports that it must look again.
func (c *Cluster) tryOpen(ctx context.Context) (settled bool, err error) {
	owner, err := tryOwnerLock(c.dataDir + ".owner")
	if err != nil {
		return false, err
	}
	pid, sockDir, port, ok := c.livePostmaster()
	if !ok {
		if owner == nil {
			return false, nil // its owner is restarting it
		}
		c.owner, c.socketDir = owner, "" // a socket a dying server left named is no guide
		return true, c.start(ctx)
	}
	c.socketDir, c.port = sockDir, port
	if err := ping(ctx, c.URL("postgres")); err != nil {
		if owner != nil {
			owner.Close()
		}
		return false, nil // starting up or shutting down
	}
	if owner == nil {
		c.logger.Info("pgcluster: joined running postgres", "data_dir", c.dataDir, "pid", pid)
		return true, nil
	}
	c.owner = owner
	c.adopt(pid)
	return true, nil
}

// adopt makes the running server pid, whose owner has ended, this
// process's to supervise and stop.
func (c *Cluster) adopt(pid int) {
	c.adopted.Store(true)
	c.tmpSocket = c.socketDir != c.dataDir && strings.HasPrefix(c.socketDir, "/tmp/consult-")
	c.setServer(nil, pid, watchPID(pid), nil)
	c.logger.Warn("pgcluster: adopted postgres left running by a process that ended", "data_dir", c.dataDir, "pid", pid)
}

// livePostmaster reads postmaster.pid and reports whether the postgres
// process it names is alive. A stale file is left for postgres, which
// also checks that no orphaned backend still uses the old shared memory.
func (c *Cluster) livePostmaster() (pid int, sockDir, port string, ok bool) {
	b, err := os.ReadFile(filepath.Join(c.dataDir, "postmaster.pid"))
	if err != nil {
		return 0, "", "", false
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 5 {
		return 0, "", "", false // being written or truncated
	}
	pid, err = strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil || pid <= 0 || !processAlive(pid) {
		return 0, "", "", false
	}
	// After a reboot or in a container the pid may belong to something else.
	if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); err == nil {
		if name := strings.TrimSpace(string(comm)); name != "postgres" && name != "postmaster" {
			return 0, "", "", false
		}
	}
	return pid, strings.TrimSpace(lines[4]), strings.TrimSpace(lines[3]), true
}

// start runs initdb when the data directory is new, then the server, and
// waits until it accepts connections. The caller holds the data directory's
// lock and the owner lock.
func (c *Cluster) start(ctx context.Context) error {
	cred, opts := c.cred, c.opts
	bins, err := findServer(c.dataDir)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(c.logPath); err == nil && fi.Size() > 10<<20 {
		os.Rename(c.logPath, c.logPath+".1") // keep the log from growing forever
	}
	// Opened by this process, so the server's user needs no rights to it.
	logf, err := os.OpenFile(c.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	from, _ := logf.Seek(0, io.SeekEnd)
	if _, err := os.Stat(filepath.Join(c.dataDir, "PG_VERSION")); err != nil {
		args := []string{"-D", c.dataDir, "--username=" + clusterSuperuser, "--encoding=UTF8", "--locale=C",
			"--auth-local=trust", "--auth-host=reject"}
		if opts.NoSync {
			args = append(args, "--no-sync")
		}
		if err := command(bins[0], cred, logf, args...).Run(); err != nil {
			return fmt.Errorf("initdb: %w%s", err, logTail(c.logPath, from))
		}
		c.ranInitdb = true
		c.logger.Info("pgcluster: initialised postgres cluster", "data_dir", c.dataDir)
	}
	// A restart keeps the socket its clients know, making its directory
	// again if it is under /tmp and a clean stop removed it.
	if c.socketDir == "" || c.tmpSocket {
		dir, tmp, err := socketDir(c.dataDir, cred)
		if err != nil {
			return err
		}
		if c.socketDir == "" {
			c.socketDir, c.tmpSocket = dir, tmp
		}
	}
	removeZombieLocks(filepath.Join(c.dataDir, "postmaster.pid"), filepath.Join(c.socketDir, ".s.PGSQL."+clusterPort+".lock"))
	args := []string{"-D", c.dataDir, "-k", c.socketDir, "-p", clusterPort,
		"-c", "listen_addresses=", "-c", "timezone=UTC"}
	for _, s := range opts.Settings {
		args = append(args, "-c", s)
	}
	cmd := command(bins[1], cred, logf, args...)
	cmd.Env = append(cmd.Env, opts.ServerEnv...)
	// Its own process group keeps a Ctrl-C at the terminal from reaching
	// the server before Close shuts it down cleanly, and lets the server
	// outlive this process if it is killed, to be adopted by the next.
	cmd.SysProcAttr.Setpgid = true
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	gone := make(chan struct{})
	c.setServer(cmd, cmd.Process.Pid, gone, nil)
	go func() {
		err := cmd.Wait()
		c.mu.Lock()
		c.exitOf = err
		c.mu.Unlock()
		close(gone)
	}()
	deadline := time.Now().Add(startTimeout) // a start-up deadline: a duration, not an instant
	for err = ping(ctx, c.URL("postgres")); err != nil; err = ping(ctx, c.URL("postgres")) {
		select {
		case <-gone:
			return fmt.Errorf("postgres exited: %w%s", c.exitErr(), logTail(c.logPath, from))
		case <-ctx.Done():
			err = ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			c.stopServer()
			return fmt.Errorf("postgres not ready: %w%s", err, logTail(c.logPath, from))
		}
	}
	c.logger.Info("pgcluster: started postgres", "data_dir", c.dataDir, "pid", cmd.Process.Pid, "log", c.logPath)
	return nil
}

// PID returns the process id of the server when this process started or
// adopted it (after a restart, the new server's), or 0 when it joined a
// server another process owns.
func (c *Cluster) PID() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pid
}

// URL returns a pgx-usable connection URL for database name over the unix
// socket.
func (c *Cluster) URL(database string) string {
	q := url.Values{"host": {c.socketDir}, "port": {c.port}, "sslmode": {"disable"}}
	u := url.URL{Scheme: "postgres", User: url.User(clusterSuperuser), Path: "/" + database, RawQuery: q.Encode()}
	return u.String()
}

// EnsureDatabase creates database name unless it exists.
func (c *Cluster) EnsureDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("pgcluster: ensure database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("pgcluster: ensure database: %w", err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" {
		return nil // another process created it meanwhile
	}
	if err != nil {
		return fmt.Errorf("pgcluster: ensure database: %w", err)
	}
	c.logger.Info("pgcluster: created database", "database", name)
	return nil
}

// Close stops the server if this process owns it (fast shutdown: sessions,
// including joiners', are ended) and waits for it to exit; a joiner just
// detaches. It is safe to call more than once and from a signal handler's
// goroutine.
func (c *Cluster) Close() error {
	c.closeOnce.Do(func() {
		c.stopping.Store(true)
		close(c.done)
		<-c.superDone // no restart or take-over under way from here on
		defer c.lock.Close()
		if c.owner == nil {
			c.logger.Info("pgcluster: detached from postgres", "data_dir", c.dataDir)
			return
		}
		defer c.owner.Close() // last: a server still running is never left unowned
		// Holding the lock while stopping makes a process opening the cluster
		// meanwhile wait, then start afresh rather than join a dying server.
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		if flock(ctx, c.lock) == nil {
			defer syscall.Flock(int(c.lock.Fd()), syscall.LOCK_UN)
		}
		if err := c.stopServer(); err != nil {
			c.closeErr = fmt.Errorf("pgcluster: stop cluster: %w", err)
			return
		}
		c.logger.Info("pgcluster: stopped postgres", "data_dir", c.dataDir)
	})
	return c.closeErr
}

// stopServer asks the server for a fast shutdown, escalating to an
// immediate one and then to SIGKILL if it hangs. A server that is already
// gone is stopped.
func (c *Cluster) stopServer() error {
	c.mu.Lock()
	pid, gone := c.pid, c.gone
	c.mu.Unlock()
	if pid == 0 {
		return nil
	}
	for _, s := range []struct {
		sig  syscall.Signal
		wait time.Duration
	}{{syscall.SIGINT, time.Minute}, {syscall.SIGQUIT, 10 * time.Second}, {syscall.SIGKILL, 10 * time.Second}} {
		select {
		case <-gone:
			if s.sig == syscall.SIGINT { // it had exited already
				c.removeTmpSocket()
				return nil
			}
		default:
			syscall.Kill(pid, s.sig)
		}
		select {
		case <-gone:
			c.removeTmpSocket()
			return c.exitErr()
		case <-time.After(s.wait):
		}
	}
	return fmt.Errorf("postgres (pid %d) did not exit", pid)
}

// removeTmpSocket removes the socket directory once the server is gone, if
// it is one of ours under /tmp.
func (c *Cluster) removeTmpSocket() {
	if c.tmpSocket {
		os.Remove(c.socketDir)
	}
}
