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
	"consult/notify"
	"consult/storage"
	"consult/web"
)

// shutdownTimeout bounds how long in-flight requests may take to finish.
const shutdownTimeout = 15 * time.Second

// serve migrates the database and serves HTTP until ctx ends, then shuts
// down in order: stop accepting, finish requests, close the pool, stop the
// embedded cluster.
func serve(ctx context.Context, cfg config, now func() time.Time, stdout, stderr io.Writer) error {
	logger := slog.New(api.LogHandler(slog.NewJSONHandler(stderr, nil)))
	started := time.Now() // for the start-up duration only
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
	store := storage.New(db.Pool, storage.WithReminderLead(time.Duration(cfg.ReminderHours)*time.Hour))
	initial := booking.DefaultSettings()
	initial.PracticeName, initial.TimeZone = cfg.PracticeName, cfg.PracticeTimeZone
	if err := store.InitSettings(ctx, initial, now().UTC()); err != nil {
		return err
	}
	if cfg.Demo {
		seeded, err := store.SeedDemoHours(ctx, now().UTC())
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
	if err == nil {
		err = checkContent(content, pages)
	}
	if err != nil {
		return fmt.Errorf("setting CONTENT_DIR: %w", err)
	}

	// Email: the key sealing manage links for it, and the outbox worker.
	keys, err := newKeyring(ctx, cfg, store)
	if err != nil {
		return err
	}
	svc := booking.NewService(store, now, booking.WithSealer(keys),
		booking.WithLimits(booking.ClientLimits{MaxUpcoming: cfg.EmailUpcomingLimit, MaxPerYear: cfg.EmailYearlyLimit, Contact: cfg.MailFrom}))
	// Admin sign-in sessions, expiring by the service's clock.
	adminSessions := storage.NewSessions(db.Pool, now)
	mailer, err := newMailer(cfg, store, keys, now, logger)
	if err != nil {
		return err
	}
	mailCtx, stopMail := context.WithCancel(ctx)
	mailDone := make(chan struct{})
	go func() {
		defer close(mailDone)
		_ = mailer.Run(mailCtx)
	}()
	// Runs before the pool closes: the message being sent is finished and
	// recorded; the rest go out after the next start.
	defer func() { stopMail(); <-mailDone }()

	// Privacy: client data is erased RETENTION_DAYS after the consultation.
	retentionCtx, stopRetention := context.WithCancel(ctx)
	retentionDone := make(chan struct{})
	go func() {
		defer close(retentionDone)
		runRetention(retentionCtx, store, adminSessions, cfg.RetentionDays, now, logger)
	}()
	defer func() { stopRetention(); <-retentionDone }()
	srv, err := api.New(api.Config{BaseURL: cfg.BaseURL, RetentionDays: cfg.RetentionDays, MailFrom: cfg.MailFrom,
		MetricsToken: cfg.MetricsToken, RateLimitPerMinute: cfg.RateLimit, TrustProxy: cfg.TrustProxy}, api.Deps{
		Stats: func(ctx context.Context) (api.Stats, error) {
			st, err := store.Stats(ctx)
			ps := db.Pool.Stat()
			return api.Stats{
				BookingsCreated: st.BookingsCreated, BookingsCancelled: st.BookingsCancelled,
				OutboxPending: st.OutboxPending, OutboxFailed: st.OutboxFailed,
				PoolTotal: ps.TotalConns(), PoolIdle: ps.IdleConns(), PoolInUse: ps.AcquiredConns(),
				PoolMax: ps.MaxConns(), PoolWaitCount: ps.EmptyAcquireCount(),
			}, err
		},
		Service: svc,
		Logger:  logger,
		Web:     renderer,
		Pages:   pages,
		Outbox:  mailer, // Email.
		Feeds:   store,  // Calendar feeds.
		// Admin area: accounts and edits in the store, sessions in PostgreSQL.
		Admin:    store,
		Sessions: adminSessions,
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
		// Cut what is left, so the pool (and the embedded cluster) can close.
		logger.Warn("requests still running at shutdown deadline; closing them", "error", err)
		_ = httpSrv.Close()
	}
	return nil
}

// newKeyring returns the keyring that seals manage tokens for email: from
// MAIL_KEY, or else a key kept in the database, shared by every instance.
// The database key still opens messages sealed before MAIL_KEY was set.
func newKeyring(ctx context.Context, cfg config, store *storage.Store) (*notify.Keyring, error) {
	var keys [][]byte
	if cfg.MailKey != nil {
		keys = append(keys, cfg.MailKey)
	}
	dbKey, err := store.MailKey(ctx, cfg.MailKey == nil)
	switch {
	case err == nil:
		keys = append(keys, dbKey)
	case booking.ErrorCode(err) != booking.ENOTFOUND:
		return nil, err
	}
	return notify.NewKeyring(keys...)
}

// newMailer builds the email worker, opening manage tokens with keys:
// SMTP when SMTP_URL is set, otherwise messages are kept in the outbox and
// logged.
func newMailer(cfg config, store *storage.Store, keys *notify.Keyring, now func() time.Time, logger *slog.Logger) (*notify.Worker, error) {
	var sender notify.Sender
	if cfg.SMTPURL != "" {
		s, err := notify.NewSMTPSender(cfg.SMTPURL)
		if err != nil {
			return nil, fmt.Errorf("setting SMTP_URL: %w", err)
		}
		sender = s
	} else {
		logger.Info("no SMTP_URL: emails are kept in the outbox for the admin area, not sent")
	}
	return notify.New(notify.Config{
		From:              cfg.MailFrom,
		PractitionerEmail: cfg.PractitionerEmail,
		BaseURL:           cfg.BaseURL,
		MaxAttempts:       cfg.MailMaxAttempts,
	}, notify.Deps{Store: store, Sender: sender, Keys: keys, Now: now, Logger: logger})
}
