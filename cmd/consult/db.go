package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"consult/storage"
	"consult/storage/pgcluster"
)

// database is an open pool and, on the embedded default, the cluster
// behind it.
type database struct {
	Pool    *pgxpool.Pool
	cluster *pgcluster.Cluster
}

// Close closes the pool, then stops the cluster if this process owns it
// (started it, or adopted it from a process that died).
func (d *database) Close() {
	d.Pool.Close()
	if d.cluster != nil {
		_ = d.cluster.Close()
	}
}

// openDatabase connects to DATABASE_URL, or starts (adopts, or joins) the
// embedded cluster when it is empty; the pool reconnects by itself after
// the cluster restarts a server that exited. It waits for the server to
// come up, saying in the log what it waits for, with each attempt bounded
// to 5 s.
func openDatabase(ctx context.Context, cfg config, logger *slog.Logger) (*database, error) {
	db := &database{}
	url := cfg.DatabaseURL
	if url == "" {
		dir, err := filepath.Abs(filepath.Join(cfg.DataDir, "postgres"))
		if err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		c, err := pgcluster.Open(ctx, dir, pgcluster.Options{Logger: logger})
		if err != nil {
			return nil, err
		}
		if err := c.EnsureDatabase(ctx, "consult"); err != nil {
			c.Close()
			return nil, err
		}
		db.cluster = c
		url = c.URL("consult")
	}
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		if db.cluster != nil {
			db.cluster.Close()
		}
		return nil, fmt.Errorf("setting DATABASE_URL: %w", err)
	}
	pcfg.ConnConfig.ConnectTimeout = 5 * time.Second
	// A server that stops answering must not hold requests (or the booking
	// lock) forever: statements and lock waits are bounded (Go's dialer
	// already sends TCP keepalives, so dead peers are noticed too).
	if pcfg.ConnConfig.RuntimeParams == nil {
		pcfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	pcfg.ConnConfig.RuntimeParams["statement_timeout"] = "15s"
	pcfg.ConnConfig.RuntimeParams["lock_timeout"] = "10s"
	pcfg.ConnConfig.RuntimeParams["idle_in_transaction_session_timeout"] = "30s"
	pcfg.MaxConns = 20
	// Statements are prepared and cached (pgx's default mode); the cache
	// of descriptions serves only the describe-only mode, which this
	// service does not use, and each connection kept a 512-entry map for
	// it, 0.5 MB over the 20 connections.
	pcfg.ConnConfig.DescriptionCacheCapacity = 0
	// pgx's 512 prepared statements a connection were a map made at
	// full size for each (0.5 MB over 20); the public pages, the booking
	// flow and the workers use about 60 statements, the admin area more,
	// and one it drops is prepared again when next used.
	pcfg.ConnConfig.StatementCacheCapacity = 128
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		if db.cluster != nil {
			db.cluster.Close()
		}
		return nil, fmt.Errorf("database: %w", err)
	}
	db.Pool = pool
	if err := waitForDatabase(ctx, pool, logger); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// waitForDatabase pings until the server answers or ctx ends.
func waitForDatabase(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	host := pool.Config().ConnConfig.Host
	delay := 500 * time.Millisecond
	for attempt := 1; ; attempt++ {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := pool.Ping(pctx)
		cancel()
		if err == nil {
			return nil
		}
		logger.Warn("waiting for the database", "host", host, "attempt", attempt, "error", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("database at %s not reachable: %w", host, err)
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
}

// openForCommand opens the database for a one-off command (migrate, admin,
// feed), logging only warnings to stderr. With migrate set it applies
// pending migrations first, so the command works before the first serve.
func openForCommand(ctx context.Context, cfg config, stderr io.Writer, migrate bool) (*database, error) {
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := openDatabase(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	if migrate {
		if err := storage.Migrate(ctx, db.Pool); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}
