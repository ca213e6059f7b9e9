// Package api is the service's HTTP surface on Echo: routes.go lists
// every route with its middleware, Server wires the audiences' handlers
// (the public site in api/site, the practitioner's area in api/admin, the
// calendar feeds in api/feeds), and this package itself serves the JSON
// API under /api/v1 (public and admin, described by openapi.yaml), the
// health endpoints and the error page. Plumbing they share is in
// api/httpx.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"consult/api/admin"
	"consult/api/feeds"
	"consult/api/httpx"
	"consult/api/site"
	"consult/booking"
	"consult/booking/proof"
	"consult/calendar"
	"consult/web"
)

// Stats is a snapshot of the database figures /metrics reports.
type Stats = httpx.Stats

// LogHandler wraps h so every record logged with a request's context
// carries that request's id, the same one sent in X-Request-ID.
func LogHandler(h slog.Handler) slog.Handler { return httpx.LogHandler(h) }

// Config holds what the HTTP layer needs to know about its deployment.
type Config struct {
	// BaseURL is the absolute URL clients reach the service at; links in
	// responses, emails and feeds are built from it.
	BaseURL string
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsToken string
	// MetricsElsewhere leaves /metrics off the public routes: it is served
	// by MetricsHandler on a listener of its own (METRICS_ADDR).
	MetricsElsewhere bool
	// RateLimitPerMinute bounds requests per client address to booking,
	// manage and sign-in endpoints; 0 turns the limit off.
	RateLimitPerMinute int
	// ConcurrencyLimit bounds the handlers running at once, QueueLimit
	// the requests waiting for one (httpx.Gate); beyond both, a request
	// is answered 503. ConcurrencyLimit 0 turns the gate off.
	ConcurrencyLimit int
	QueueLimit       int
	// TrustProxy takes the client address from X-Forwarded-For, for a
	// service behind a reverse proxy; otherwise the peer address counts.
	TrustProxy bool
	// MailFrom is the practice's sender address, the organiser of the
	// calendar files clients download.
	MailFrom string
	// AdminIdleTimeout ends an admin session after this long without a
	// request, and AdminLifetime after this long in any case (zero: 30
	// minutes and 12 hours).
	AdminIdleTimeout time.Duration
	AdminLifetime    time.Duration
}

// Deps are the server's collaborators, passed in explicitly. Only
// Service is required; each audience that lacks its collaborators is left
// out (no renderer: no pages; no feed store: no feeds).
type Deps struct {
	Service *booking.Service
	Logger  *slog.Logger
	// Ready reports whether the service can serve: database reachable and
	// migrations current. nil means always ready.
	Ready func(ctx context.Context) error
	// Stats reads the database figures /metrics reports; nil reports none.
	Stats func(ctx context.Context) (Stats, error)
	// Web renders the HTML pages; Pages holds the Markdown content.
	Web   *web.Renderer
	Pages *web.Pages
	// Admin stores accounts, tokens, the audit log and what the admin area
	// edits; nil leaves the admin area refusing everyone.
	Admin booking.AdminStore
	// Sessions stores admin sign-in sessions (PostgreSQL in production).
	Sessions scs.Store
	// Feeds stores what the calendar feeds are built from; nil serves no feeds.
	Feeds booking.FeedStore
	// Outbox is the email queue for the admin area: list messages (failed
	// ones by status), view one as sent. nil: no mail worker.
	Outbox booking.Outbox
	// Proof asks booking requests for a proof of work while bookings come
	// at an abnormal rate; nil never asks.
	Proof *proof.Guard
	// Webhooks sends a webhook delivery at once, for the test button;
	// nil: the button answers that webhooks are not sent here.
	Webhooks booking.WebhookSender
	// Calendars reads the practitioner's linked calendars on demand (the
	// admin API's sync); nil answers such requests 503.
	Calendars CalendarSyncer
	// Collectors are more metrics for /metrics (the calendar syncs').
	Collectors []prometheus.Collector
}

// CalendarSyncer syncs one calendar source now (calsync.Calendars).
type CalendarSyncer interface {
	// Sync reads source id and returns it as it stands after; a failed
	// read is recorded on the source, not returned. ECONFLICT while
	// another sync of it runs; ENOTFOUND.
	Sync(ctx context.Context, id int64) (*booking.CalendarSource, error)
	// RemoveWritten removes the bookings written into source id's
	// calendar, as it is unlinked, and says how many.
	RemoveWritten(ctx context.Context, id int64) (int, error)
}

// queueWait is the longest a request waits at the gate for a handler
// slot before it is answered 503: a short queue, long enough for a burst
// of bookings to drain (make bench: 1,000 at once within 2 s).
const queueWait = 3 * time.Second

// Server handles every HTTP request of the service.
type Server struct {
	cfg     Config
	base    *url.URL
	svc     *booking.Service
	logger  *slog.Logger
	ready   func(ctx context.Context) error
	echo    *echo.Echo
	web     *web.Renderer
	metrics *httpx.Metrics
	proof   *proof.Guard
	// changes keeps the copies of hot public answers fresh; versions reads
	// the data's version the slots and feed copies are kept by (nil
	// without a feed store).
	changes    *httpx.Changes
	gate       *httpx.Gate
	versions   *httpx.Versions
	slotsCache slotsCache
	// changeLog tells what changed between two versions when it was all
	// done here (nil: the slots are always computed afresh).
	changeLog changeLog

	// The audiences; nil when their collaborators are missing.
	site      *site.Handler
	adminArea *admin.Handler
	feed      *feeds.Handler

	// The practitioner's operations, for the admin API and the area.
	admin     booking.AdminStore
	adminOps  *booking.Admin
	feeds     *booking.Feeds
	webhooks  booking.WebhookSender
	calendars CalendarSyncer
}

// New builds a Server with its routes and middleware.
func New(cfg Config, deps Deps) (*Server, error) {
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, &booking.Error{Code: booking.EINVALID, Message: "BASE_URL must be an absolute URL such as https://example.org"}
	}
	s := &Server{
		cfg:     cfg,
		base:    base,
		svc:     deps.Service,
		logger:  deps.Logger,
		ready:   deps.Ready,
		web:     deps.Web,
		metrics: httpx.NewMetrics(deps.Stats),
		admin:   deps.Admin,
		proof:   deps.Proof,

		calendars: deps.Calendars,
	}
	if err := s.metrics.Register(deps.Collectors...); err != nil {
		return nil, err
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	s.changes = httpx.NewChanges(s.now)
	s.gate = httpx.NewGate(cfg.ConcurrencyLimit, cfg.QueueLimit, queueWait, "/healthz", "/readyz", "/metrics")
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = httpx.ErrorHandler(s.logger, s.renderErrorPage)
	if cfg.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	s.echo = e

	if deps.Feeds != nil {
		s.feeds = booking.NewFeeds(deps.Feeds, s.base.String(), s.svc.Now)
		s.versions = httpx.NewVersions(s.changes, deps.Feeds.AvailabilityFeedVersion)
		s.changeLog, _ = deps.Feeds.(changeLog)
		s.feed = feeds.New(feeds.Config{Store: deps.Feeds, Service: s.svc, BaseURL: s.base.String(),
			Versions: s.versions, Practice: s.calendarPractice})
	}
	if deps.Web != nil {
		cfg := site.Config{Service: s.svc, Renderer: deps.Web, Pages: deps.Pages, BaseURL: base,
			Logger: s.logger, Changes: s.changes, Practice: s.calendarPractice, Proof: deps.Proof}
		if s.versions != nil {
			cfg.FreeSlots, cfg.SlotSettings, cfg.Versions = s.freeSlots, s.slotSettings, s.versions
		}
		if deps.Admin != nil {
			cfg.Photos = deps.Admin
		}
		s.site, err = site.New(cfg)
		if err != nil {
			return nil, err
		}
	}
	if deps.Admin != nil {
		s.adminOps = booking.NewAdmin(deps.Admin, s.now, booking.AdminSealer(s.svc.Sealer()))
	}
	s.webhooks = deps.Webhooks
	s.adminArea = admin.New(admin.Config{BaseURL: s.base, IdleTimeout: cfg.AdminIdleTimeout, Lifetime: cfg.AdminLifetime},
		admin.Deps{Admin: s.adminOps, Store: deps.Admin, Service: s.svc, Sessions: deps.Sessions, Web: s.web,
			Feeds: s.feeds, Outbox: deps.Outbox, Webhooks: deps.Webhooks, Logger: s.logger, Now: s.svc.Now, Calendars: deps.Calendars})
	s.routes()
	return s, nil
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Routes lists every registered route, for tests that must cover them all.
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }

// Feeds returns the server's feed management, or nil when it serves no feeds.
func (s *Server) Feeds() *booking.Feeds { return s.feeds }

// now is the server's clock.
func (s *Server) now() time.Time { return s.svc.Now().UTC() }

// url returns the absolute URL of path on this service.
func (s *Server) url(path string) string { return s.base.String() + path }

// calendarPractice is the organiser side of calendar files.
func (s *Server) calendarPractice(st booking.Settings) calendar.Practice {
	from := s.cfg.MailFrom
	if from == "" {
		from = "consultations@" + s.base.Hostname()
	}
	// The name clients' emails come from (Settings.SenderName): invitations
	// and the public feed are read by whoever sees a client's calendar.
	return calendar.Practice{Name: st.SenderName(), Email: from, BaseURL: s.base.String(), TimeZone: st.TimeZone, EventTitle: st.EventTitle,
		Modes: st.Profile.Modes}
}

// MetricsHandler serves /metrics alone, for a listener of its own.
func (s *Server) MetricsHandler() http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = httpx.ErrorHandler(s.logger, func(c echo.Context, p httpx.Problem) { httpx.WriteProblem(c, p) })
	e.GET("/metrics", s.metrics.Handler(s.cfg.MetricsToken))
	return e
}
