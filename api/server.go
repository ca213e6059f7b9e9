// Package api is the whole HTTP surface of the service on Echo: the JSON
// API under /api/v1, the pages, the feeds and the health endpoints.
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

	"consult/api/admin"
	"consult/api/httpx"
	"consult/booking"
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
	// RetentionDays is how long client data is kept after a consultation.
	RetentionDays int
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsToken string
	// RateLimitPerMinute bounds requests per client address to booking,
	// manage and sign-in endpoints; 0 turns the limit off.
	RateLimitPerMinute int
	// TrustProxy takes the client address from X-Forwarded-For, for a
	// service behind a reverse proxy; otherwise the peer address counts.
	TrustProxy bool

	// Public site settings.

	// MailFrom is the practice's sender address, the organiser of the
	// calendar files clients download.
	MailFrom string

	// Admin settings.

	// AdminIdleTimeout ends an admin session after this long without a
	// request, and AdminLifetime after this long in any case (zero: 30
	// minutes and 12 hours).
	AdminIdleTimeout time.Duration
	AdminLifetime    time.Duration

	// Feed settings.

	// Email settings.
}

// Deps are the server's collaborators, passed in explicitly.
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

	// Public site dependencies.

	// Admin dependencies.

	// Admin stores accounts, tokens, the audit log and what the admin area
	// edits; nil leaves the admin area refusing everyone.
	Admin booking.AdminStore
	// Sessions stores admin sign-in sessions (PostgreSQL in production).
	Sessions scs.Store

	// Feed dependencies.

	// Feeds stores what the calendar feeds are built from; nil serves no feeds.
	Feeds booking.FeedStore

	// Email dependencies.

	// Outbox is the email queue for the admin area: list messages (failed
	// ones by status), retry one, view one as sent. nil: no mail worker.
	Outbox booking.Outbox
}

// Server handles every HTTP request of the service.
type Server struct {
	cfg     Config
	base    *url.URL
	svc     *booking.Service
	logger  *slog.Logger
	ready   func(ctx context.Context) error
	echo    *echo.Echo
	openapi []byte
	web     *web.Renderer
	pages   *web.Pages
	metrics *httpx.Metrics
	// changes keeps the copies of hot public answers fresh.
	changes    *httpx.Changes
	pageCache  pageCache
	slotsCache slotsCache
	// versions reads the data's version the slots and feed copies are
	// kept by; nil without a FeedStore.
	versions *httpx.Versions

	// Admin state.
	admin     booking.AdminStore
	adminOps  *booking.Admin
	adminArea *admin.Handler

	// Feed state.
	feeds *booking.Feeds
	feed  *feedState

	// Email state.
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
		openapi: openAPISpec,
		web:     deps.Web,
		pages:   deps.Pages,
		metrics: httpx.NewMetrics(deps.Stats),
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	s.changes = httpx.NewChanges(s.now)
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = httpx.ErrorHandler(s.logger, s.renderErrorPage)
	if cfg.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	s.echo = e
	s.initAdmin(cfg, deps) // Admin area.
	s.initFeeds(deps)      // Calendar feeds.
	s.routes()
	return s, nil
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Routes lists every registered route, for tests that must cover them all.
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }

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
	return calendar.Practice{Name: st.PracticeName, Email: from, BaseURL: s.base.String(), TimeZone: st.TimeZone, EventTitle: st.EventTitle}
}
