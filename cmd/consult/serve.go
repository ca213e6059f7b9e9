package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"consult/api"
	"consult/booking"
	"consult/storage"
	"consult/web"
)

// shutdownTimeout bounds how long in-flight requests may take to finish.
const shutdownTimeout = 15 * time.Second

// serve migrates the database and serves HTTP until ctx ends, then shuts
// down in order: stop accepting, finish requests, close the pool, stop the
// embedded cluster.
func serve(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	started := time.Now()
	db, err := openDatabase(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer db.Close()

	m, err := storage.NewMigrator(db.Pool, logger)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := m.Up(ctx); err != nil {
		return err
	}
	store := storage.New(db.Pool)
	initial := booking.DefaultSettings()
	initial.PracticeName, initial.TimeZone = cfg.PracticeName, cfg.PracticeTimeZone
	if err := store.InitSettings(ctx, initial); err != nil {
		return err
	}
	if cfg.Demo {
		seeded, err := store.SeedDemoHours(ctx)
		if err != nil {
			return err
		}
		if seeded {
			logger.Info("seeded demo weekly hours (Monday to Friday, 09:00–12:00 and 13:00–17:00)")
		}
	}

	renderer, err := web.NewRenderer(web.RendererOptions{})
	if err != nil {
		return err
	}
	content := web.DefaultContent()
	if cfg.ContentDir != "" {
		content = os.DirFS(cfg.ContentDir)
	}
	pages, err := web.LoadPages(content, map[string]string{"retention_days": strconv.Itoa(cfg.RetentionDays)})
	if err != nil {
		return fmt.Errorf("setting CONTENT_DIR: %w", err)
	}

	svc := booking.NewService(store, time.Now)
	srv, err := api.New(api.Config{BaseURL: cfg.BaseURL, RetentionDays: cfg.RetentionDays}, api.Deps{
		Service: svc,
		Logger:  logger,
		Web:     renderer,
		Pages:   pages,
		Ready: func(ctx context.Context) error {
			current, err := m.Current(ctx)
			if err == nil && !current {
				err = errors.New("migrations pending")
			}
			return err
		},
	})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("setting LISTEN_ADDR: %w", err)
	}
	httpSrv := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("serving", "addr", ln.Addr().String(), "ready_after_ms", time.Since(started).Milliseconds())
	fmt.Fprintf(stdout, "consult: serving at http://%s (BASE_URL %s)\n", ln.Addr(), cfg.BaseURL)

	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := httpSrv.Shutdown(sctx); err != nil {
		logger.Warn("requests still running at shutdown deadline", "error", err)
	}
	return nil
}
