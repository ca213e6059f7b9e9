package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"golang.org/x/sync/errgroup"

	"consult/api"
	"consult/calendar/calsync"
	"consult/notify"
	"consult/storage"
	"consult/webhook"
)

// shutdownTimeout bounds how long in-flight requests may take to finish.
const shutdownTimeout = 15 * time.Second

// serve migrates the database and serves HTTP until ctx ends, then shuts
// down in order: stop accepting, finish requests, stop the mail worker
// and the retention sweeps, close the pool, stop the embedded cluster.
func serve(ctx context.Context, cfg config, now func() time.Time, stdout, stderr io.Writer) error {
	logs := newLogBuffer(stderr)
	defer logs.close()
	logger := slog.New(logBufferHandler{api.LogHandler(slog.NewJSONHandler(logs, nil)), logs})
	started := time.Now() // for the start-up duration only
	if cfg.MemoryLimit >= 0 {
		limit := cfg.MemoryLimit
		if limit == 0 {
			limit = math.MaxInt64 // the runtime's "no limit"
		}
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(limit))
	}
	if cfg.GCPercent >= 0 {
		defer debug.SetGCPercent(debug.SetGCPercent(cfg.GCPercent))
	}
	a, err := newApp(ctx, cfg, now, logger)
	if err != nil {
		return err
	}
	defer a.Close()
	returnStartupMemory()
	logger.Info("serving", "addr", a.ln.Addr().String(), "ready_after_ms", time.Since(started).Milliseconds())
	logs.flush() // the line that says the service is up is seen at once
	fmt.Fprintf(stdout, "consult: serving at http://%s (BASE_URL %s)\n", a.ln.Addr(), cfg.BaseURL)
	if a.metricsLn != nil {
		fmt.Fprintf(stdout, "consult: metrics at http://%s/metrics\n", a.metricsLn.Addr())
	}
	return a.run(ctx)
}

// app is what a serving process runs, each part complete when newApp
// (wire.go) has built it: run starts them, Close releases the database.
type app struct {
	logger    *slog.Logger
	db        *database
	migrator  *storage.Migrator
	mailer    *notify.Worker  // email: delivers the outbox
	retention *retention      // privacy: erases client data RETENTION_DAYS after the consultation
	holds     *holdSweeper    // releases times held for confirmation that were not confirmed
	webhooks  *webhook.Worker // sends booking events to the practitioner's endpoints
	calendars *calsync.Syncer // reads the practitioner's linked calendars
	calWrites *calsync.Writer // writes bookings into those that take them
	ln        net.Listener
	http      *http.Server
	// metricsLn and metricsHTTP serve /metrics alone, with METRICS_ADDR.
	metricsLn   net.Listener
	metricsHTTP *http.Server
}

// run serves HTTP and runs the mail worker and the retention sweeps until
// ctx ends or the HTTP server fails. The background work stops only once
// the last request has finished, and before the pool closes: the message
// being sent is finished and recorded; the rest go out after the next
// start.
func (a *app) run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	g.Go(func() error {
		if err := a.http.Serve(a.ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	if a.metricsHTTP != nil {
		g.Go(func() error {
			if err := a.metricsHTTP.Serve(a.metricsLn); !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("metrics http: %w", err)
			}
			return nil
		})
	}
	g.Go(func() error {
		defer stopWork()
		<-gctx.Done()
		a.logger.Info("shutting down")
		a.shutdownHTTP()
		return nil
	})
	g.Go(func() error { return a.mailer.Run(work) })
	g.Go(func() error { return a.retention.Run(work) })
	g.Go(func() error { return a.holds.Run(work) })
	g.Go(func() error { return a.webhooks.Run(work) })
	g.Go(func() error { return a.calendars.Run(work) })
	g.Go(func() error { return a.calWrites.Run(work) })
	return g.Wait()
}

// shutdownHTTP stops accepting and waits up to shutdownTimeout for the
// requests in flight, then cuts what is left, so the pool (and the
// embedded cluster) can close.
func (a *app) shutdownHTTP() {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := a.http.Shutdown(ctx); err != nil {
		a.logger.Warn("requests still running at shutdown deadline; closing them", "error", err)
		_ = a.http.Close()
	}
	if a.metricsHTTP != nil {
		_ = a.metricsHTTP.Close() // a scrape has nothing worth waiting for
	}
}

// Close releases the migrator, then closes the pool and stops the
// embedded cluster if this process started it. It is safe on an app
// newApp left half built.
func (a *app) Close() {
	if a.migrator != nil {
		_ = a.migrator.Close()
	}
	if a.db != nil {
		a.db.Close()
	}
}
