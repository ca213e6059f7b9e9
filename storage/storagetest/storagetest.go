// Package storagetest gives each test a fresh, migrated PostgreSQL database
// of its own, cloned from a template (pgtestdb's idea), so tests against a
// real server are isolated, parallel and fast. The server is
// TEST_DATABASE_URL's when set, else a private cluster (package pgcluster)
// started once per test process.
//
// CONSULT_TEST_FAKETIME, when set, shifts the private cluster's clock with
// libfaketime to prove the tests do not depend on today's date; see
// FakeTimeVar.
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"consult/migrations"
	"consult/storage/pgcluster"
)

// testServer is the one server and migrated template a test process shares
// (pgtestdb's idea). It is package state because a test binary has no
// fixture wider than a test other than TestMain; it starts on first use.
var testServer struct {
	once     sync.Once
	err      error
	admin    *pgxpool.Pool // for CREATE and DROP DATABASE
	urlFor   func(database string) string
	template string
	cluster  *pgcluster.Cluster // nil when TEST_DATABASE_URL names the server
	dir      string             // the private cluster's temporary directory
	reaper   io.WriteCloser     // see startReaper
}

var errTestsDone = errors.New("storagetest: test database requested after RunTests finished")

// NewDB returns a connection pool to a fresh database for one test,
// cloned from a migrated template. The pool allows 20 connections, enough
// for contention tests; it is closed and the database dropped when the test
// ends. The server is TEST_DATABASE_URL's when set, else a private cluster
// started once per test process: call RunTests from TestMain to stop it.
func NewDB(t testing.TB) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(NewDBURL(t))
	if err != nil {
		t.Fatalf("storagetest: test database: %v", err)
	}
	cfg.MaxConns = 20
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("storagetest: test database: %v", err)
	}
	t.Cleanup(pool.Close) // registered after the drop, so it runs first
	return pool
}

// NewDBURL returns the URL of a fresh database cloned from the migrated
// template, for tests that need a URL (e.g. to start the whole server). The
// database is dropped when the test ends, ending any session still in it.
func NewDBURL(t testing.TB) string {
	t.Helper()
	s := &testServer
	s.once.Do(func() { s.err = startTestServer() })
	if s.err != nil {
		t.Fatal(s.err)
	}
	name := "test_" + randomHex()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := cloneTemplate(ctx, name); err != nil {
		t.Fatalf("storagetest: test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := s.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("storagetest: drop test database: %v", err)
		}
	})
	return s.urlFor(name)
}

// RunTests runs a package's tests, then stops the private cluster and
// removes its directory (or drops the template on TEST_DATABASE_URL's
// server). Every package using NewDB or NewDBURL should call it:
//
//	func TestMain(m *testing.M) { os.Exit(storagetest.RunTests(m)) }
//
// Without it a watcher process still cleans up after the test binary exits.
func RunTests(m *testing.M) int {
	code := m.Run()
	s := &testServer
	s.once.Do(func() { s.err = errTestsDone })
	if s.err != nil {
		return code // never started, or failed and cleaned up already
	}
	if err := stopTestServer(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

func startTestServer() (err error) {
	s := &testServer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	adminURL := os.Getenv("TEST_DATABASE_URL")
	if adminURL != "" {
		if spec := os.Getenv(FakeTimeVar); spec != "" {
			return fmt.Errorf("storagetest: %s=%s shifts the clock of the private test cluster only, and TEST_DATABASE_URL names another server: unset one of them", FakeTimeVar, spec)
		}
		s.urlFor = func(db string) string { return withDatabase(adminURL, db) }
	} else {
		serverEnv, ferr := fakeTimeEnv()
		if ferr != nil {
			return ferr
		}
		if s.dir, err = os.MkdirTemp("", "consult-testdb-"); err != nil {
			return fmt.Errorf("storagetest: test database: %w", err)
		}
		if os.Geteuid() == 0 {
			os.Chmod(s.dir, 0o755) // let the server's user reach its data directory
		}
		logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		if serverEnv != nil {
			logger.Warn("storagetest: the test server's clock is shifted", "by", os.Getenv(FakeTimeVar))
		}
		// Durability is worthless for throwaway data; speed and room for
		// parallel tests are not.
		opts := pgcluster.Options{Logger: logger, NoSync: true, ServerEnv: serverEnv,
			Settings: []string{"max_connections=200", "shared_buffers=32MB",
				"fsync=off", "synchronous_commit=off", "full_page_writes=off"}}
		if s.cluster, err = pgcluster.Open(ctx, filepath.Join(s.dir, "postgres"), opts); err != nil {
			os.RemoveAll(s.dir)
			return fmt.Errorf("storagetest: test database (or set TEST_DATABASE_URL): %w", err)
		}
		startReaper()
		s.urlFor, adminURL = s.cluster.URL, s.cluster.URL("postgres")
	}
	defer func() {
		if err != nil {
			stopTestServer()
		}
	}()
	if s.admin, err = pgxpool.New(ctx, adminURL); err != nil {
		return fmt.Errorf("storagetest: test database: %w", err)
	}
	// A name per process: test binaries of several packages may share a
	// server and must not migrate one template at the same time.
	tmpl := "consult_template_" + randomHex()
	if _, err := s.admin.Exec(ctx, "CREATE DATABASE "+tmpl); err != nil {
		return fmt.Errorf("storagetest: create template: %w", err)
	}
	s.template = tmpl
	if err := migrate(ctx, s.urlFor(tmpl)); err != nil {
		return fmt.Errorf("storagetest: migrate template: %w", err)
	}
	// No connection to the template is allowed from now on, since cloning
	// fails while anyone is connected to it.
	if _, err := s.admin.Exec(ctx, "ALTER DATABASE "+tmpl+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"); err != nil {
		return fmt.Errorf("storagetest: seal template: %w", err)
	}
	return nil
}

// migrate applies every migration to the database at url with goose, as
// storage.Migrate does; it needs no migration lock, since no other process
// knows the template. Importing storage instead would keep storage's own
// package-internal tests from using this package.
func migrate(ctx context.Context, url string) error {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS)
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

// cloneTemplate creates database name from the template, retrying while a
// just-closed template session is still ending on the server.
func cloneTemplate(ctx context.Context, name string) error {
	for {
		_, err := testServer.admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+testServer.template)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "55006" { // object_in_use
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func stopTestServer() error {
	s := &testServer
	var errs []error
	if s.admin != nil {
		if s.template != "" && s.cluster == nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, err := s.admin.Exec(ctx, "ALTER DATABASE "+s.template+" WITH IS_TEMPLATE false")
			if err == nil {
				_, err = s.admin.Exec(ctx, "DROP DATABASE "+s.template)
			}
			errs = append(errs, err)
		}
		s.admin.Close()
	}
	if s.cluster != nil {
		if s.reaper != nil {
			io.WriteString(s.reaper, "done\n")
			s.reaper.Close()
		}
		errs = append(errs, s.cluster.Close(), os.RemoveAll(s.dir))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("storagetest: stop test database: %w", err)
	}
	return nil
}

// startReaper starts a shell that stops the private cluster and removes its
// directory after this process exits without RunTests (a package with no
// TestMain, a panic, a test timeout, a kill): it waits on a pipe whose only
// writer is this process, which the kernel closes however the process ends.
// RunTests writes "done" first, so the shell leaves the work to it.
func startReaper() {
	s := &testServer
	script := `read done; [ "$done" = done ] && exit 0
kill -INT "$1"; i=0
while [ -e "$2/postgres/postmaster.pid" ] && [ $i -lt 120 ]; do sleep 1; i=$((i+1)); done
rm -rf "$2"`
	cmd := exec.Command("/bin/sh", "-c", script, "reaper", strconv.Itoa(s.cluster.PID()), s.dir)
	// Its own process group, so the Ctrl-C that kills the test binary
	// does not kill the reaper too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	w, err := cmd.StdinPipe()
	if err == nil && cmd.Start() == nil {
		s.reaper = w
	}
}

// withDatabase returns the connection string dsn (a URL or keyword/value
// string) with its database replaced by db.
func withDatabase(dsn, db string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path, u.RawPath = "/"+db, ""
		return u.String()
	}
	return dsn + " dbname=" + db // a later keyword wins; db needs no quoting
}

// randomHex returns 16 random hex digits, safe in an unquoted identifier.
func randomHex() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
