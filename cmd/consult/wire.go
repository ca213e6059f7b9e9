package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"consult/api"
	"consult/booking"
	"consult/booking/proof"
	"consult/calendar"
	"consult/calendar/calsync"
	calfetch "consult/calendar/fetch"
	"consult/notify"
	"consult/storage"
	"consult/webhook"
)

// newApp opens and migrates the database and builds every part serve
// runs, each given all it depends on when it is made. On an error it
// releases what it had opened.
func newApp(ctx context.Context, cfg config, now func() time.Time, logger *slog.Logger) (_ *app, err error) {
	a := &app{logger: logger}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if a.db, err = openDatabase(ctx, cfg, logger); err != nil {
		return nil, err
	}
	if a.migrator, err = storage.NewMigrator(a.db.Pool, logger); err != nil {
		return nil, err
	}
	if err := prepareDatabase(ctx, cfg, a.migrator, storage.New(a.db.Pool), now, logger); err != nil {
		return nil, err
	}
	renderer, pages, err := loadContent(cfg)
	if err != nil {
		return nil, err
	}

	// The mail keys seal manage links for email and, at rest, the
	// two-step sign-in secret; the store is made with them.
	keys, primaryKey, err := newKeyring(ctx, cfg, storage.New(a.db.Pool))
	if err != nil {
		return nil, err
	}
	store := storage.New(a.db.Pool, storage.WithReminderLead(time.Duration(cfg.ReminderHours)*time.Hour),
		storage.WithSecretSealer(keys))
	opts := []booking.Option{booking.WithSealer(keys),
		booking.WithLimits(booking.ClientLimits{MaxUpcoming: cfg.EmailUpcomingLimit, MaxPerYear: cfg.EmailYearlyLimit,
			MaxPerDay: cfg.EmailDailyLimit, MaxUpcomingPerNetwork: cfg.NetworkUpcomingLimit, Contact: cfg.MailFrom})}
	opts = append(opts, booking.WithWaitlistHold(time.Duration(cfg.WaitlistHoldMinutes)*time.Minute))
	if cfg.confirmsByEmail() {
		opts = append(opts, booking.WithConfirmByEmail(holdFor))
	}
	svc := booking.NewService(store, now, opts...)
	// Admin sign-in sessions, expiring by the service's clock.
	sessions := storage.NewSessions(a.db.Pool, now)
	if a.mailer, err = newMailer(cfg, store, keys, now, logger); err != nil {
		return nil, err
	}
	a.retention = &retention{store: store, sessions: sessions, days: cfg.RetentionDays, now: now, logger: logger}
	a.holds = &holdSweeper{store: store, svc: svc, now: now, logger: logger}
	a.webhooks = webhook.New(webhook.Config{AllowPrivate: cfg.WebhookAllowPrivate}, store, now, logger)
	a.calendars, a.calWrites = newCalendarSync(cfg, store, svc, now, logger)

	srv, err := api.New(api.Config{BaseURL: cfg.BaseURL, MailFrom: cfg.MailFrom,
		MetricsToken: cfg.MetricsToken, MetricsElsewhere: cfg.MetricsAddr != "", RateLimitPerMinute: cfg.RateLimit, TrustProxy: cfg.TrustProxy,
		ConcurrencyLimit: cfg.ConcurrencyLimit, QueueLimit: cfg.QueueLimit}, api.Deps{
		Stats:   dbStats(store, a.db),
		Service: svc,
		Logger:  logger,
		Web:     renderer,
		Pages:   pages,
		Outbox:  a.mailer, // Email.
		// Booking requests carry a proof of work while bookings come fast;
		// the challenges are signed with a key every instance shares.
		Proof:    proof.New(store, primaryKey, cfg.ProofOfWorkRate, now),
		Webhooks: a.webhooks, // the test button sends at once
		Feeds:    store,      // Calendar feeds.
		// Admin area: accounts and edits in the store, sessions in PostgreSQL.
		Admin:    store,
		Sessions: sessions,
		Ready:    migrationsCurrent(a.migrator),
		// The practitioner's calendars, read in the background and on demand.
		Calendars:  calsync.Calendars{Syncer: a.calendars, Writer: a.calWrites},
		Collectors: a.calendars.Collectors(),
	})
	if err != nil {
		return nil, err
	}
	// The listener comes last: nothing after it can fail and leave it open.
	if a.ln, err = net.Listen("tcp", cfg.ListenAddr); err != nil {
		return nil, fmt.Errorf("setting LISTEN_ADDR: %w", err)
	}
	a.http = &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		// net/http gives every connection 4 KB read and write buffers and
		// has no setting for them; what it does bound is a request's
		// header, 1 MB by default: more than any client of this service
		// sends, and held per connection while it is read.
		MaxHeaderBytes: maxHeaderBytes,
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if cfg.MetricsAddr != "" {
		addr := cfg.MetricsAddr
		if host, port, _ := net.SplitHostPort(addr); host == "" {
			addr = net.JoinHostPort("127.0.0.1", port) // the Prometheus convention: loopback unless told
		}
		if a.metricsLn, err = net.Listen("tcp", addr); err != nil {
			_ = a.ln.Close()
			return nil, fmt.Errorf("setting METRICS_ADDR: %w", err)
		}
		a.metricsHTTP = &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	}
	return a, nil
}

// newCalendarSync builds the reader of the practitioner's linked
// calendars (every CALENDAR_SYNC_MINUTES, in the practice's zone) and the
// writer of bookings into those that take them.
func newCalendarSync(cfg config, store *storage.Store, svc *booking.Service, now func() time.Time, logger *slog.Logger) (*calsync.Syncer, *calsync.Writer) {
	fetcher := calfetch.New(calfetch.Options{AllowPrivate: cfg.CalendarAllowPrivate})
	zone := func(ctx context.Context) (*time.Location, error) {
		st, err := svc.Settings(ctx)
		if err != nil {
			return nil, err
		}
		return st.Location()
	}
	syncer := calsync.New(calsync.Config{
		Every:      time.Duration(cfg.CalendarSyncMinutes) * time.Minute,
		StaleAfter: time.Duration(cfg.CalendarStaleHours) * time.Hour,
	}, store, fetcher, nil, zone, now, logger)
	practice := func(ctx context.Context) (calendar.Practice, bool, error) {
		st, err := svc.Settings(ctx)
		if err != nil {
			return calendar.Practice{}, false, err
		}
		title, full, err := store.FeedSettings(ctx)
		if err != nil {
			return calendar.Practice{}, false, err
		}
		return calendar.Practice{Name: st.PracticeName, Email: cfg.MailFrom, BaseURL: cfg.BaseURL, EventTitle: title, TimeZone: st.TimeZone}, full, nil
	}
	return syncer, calsync.NewWriter(store, fetcher, practice, now, logger)
}

// maxHeaderBytes bounds a request's header: browsers send a few KB, an
// admin's session cookie included.
const maxHeaderBytes = 32 << 10

// prepareDatabase applies pending migrations, stores the configured
// practice name and zone as the first settings of a new database and,
// with DEMO set, demo weekly hours where there are none.
func prepareDatabase(ctx context.Context, cfg config, m *storage.Migrator, store *storage.Store, now func() time.Time, logger *slog.Logger) error {
	if err := m.Up(ctx); err != nil {
		return err
	}
	initial := booking.DefaultSettings()
	initial.PracticeName, initial.TimeZone = cfg.PracticeName, cfg.PracticeTimeZone
	if err := store.InitSettings(ctx, initial, now().UTC()); err != nil {
		return err
	}
	if !cfg.Demo {
		return nil
	}
	seeded, err := store.SeedDemoHours(ctx, now().UTC())
	if err != nil {
		return err
	}
	if seeded {
		logger.Info("seeded demo weekly hours (Monday to Friday, 09:00–12:00 and 13:00–17:00)")
	}
	if seeded, err = store.SeedDemoProfile(ctx, demoProfile(), now().UTC()); err != nil {
		return err
	}
	if seeded {
		logger.Info("seeded a fictional practitioner's profile")
	}
	return nil
}

// demoProfile is the fictional practitioner --demo shows, so a new user
// sees where the profile appears.
func demoProfile() booking.Profile {
	return booking.Profile{
		PractitionerName: "Dr. Elena Marsh, PsyD",
		Credentials: []string{
			"Doctor of Psychology (PsyD)",
			"Licensed psychologist in California, Oregon and Washington (demo: no real licence)",
		},
		Bio: "Elena Marsh has worked with adults living with depression, anxiety and the after-effects of trauma for twelve years, " +
			"first in a community clinic and now in private practice.\n\n" +
			"In the free consultation she listens to what brings you, explains how she works and answers your questions, " +
			"so that you can decide, without any obligation, whether to go further.",
		ContactEmail: "office@example.org",
		ContactPhone: "+1 555 0100",
		Regions:      []string{"US-CA", "US-OR", "US-WA"},
		Modes: booking.Modes{
			Video: booking.VideoMode{Enabled: true, BaseURL: "https://meet.example.org"},
			Phone: booking.PhoneMode{Enabled: true},
		},
	}
}

// newKeyring returns the keyring that seals manage tokens for email: from
// MAIL_KEY, or else a key kept in the database, shared by every instance.
// The database key still opens messages sealed before MAIL_KEY was set.
func newKeyring(ctx context.Context, cfg config, store *storage.Store) (*notify.Keyring, []byte, error) {
	var keys [][]byte
	if cfg.MailKey != nil {
		keys = append(keys, cfg.MailKey)
	}
	dbKey, err := store.MailKey(ctx, cfg.MailKey == nil)
	switch {
	case err == nil:
		keys = append(keys, dbKey)
	case booking.ErrorCode(err) != booking.ENOTFOUND:
		return nil, nil, err
	}
	ring, err := notify.NewKeyring(keys...)
	if err != nil {
		return nil, nil, err
	}
	return ring, keys[0], nil
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

// dbStats reads the figures /metrics reports: the store's counts and the
// pool's connections.
func dbStats(store *storage.Store, db *database) func(context.Context) (api.Stats, error) {
	return func(ctx context.Context) (api.Stats, error) {
		st, err := store.Stats(ctx)
		ps := db.Pool.Stat()
		return api.Stats{
			BookingsCreated: st.BookingsCreated, BookingsCancelled: st.BookingsCancelled,
			OutboxPending: st.OutboxPending, OutboxFailed: st.OutboxFailed,
			PoolTotal: ps.TotalConns(), PoolIdle: ps.IdleConns(), PoolInUse: ps.AcquiredConns(),
			PoolMax: ps.MaxConns(), PoolWaitCount: ps.EmptyAcquireCount(),
		}, err
	}
}

// migrationsCurrent is the readiness check: the database answers and no
// migration is pending.
func migrationsCurrent(m *storage.Migrator) func(context.Context) error {
	return func(ctx context.Context) error {
		current, err := m.Current(ctx)
		if err == nil && !current {
			err = errors.New("migrations pending")
		}
		return err
	}
}
