// Package admin is the practitioner's area of the site under /admin: signing
// in (with two-step sign-in), the bookings, availability and rules, client
// data requests, the calendar feeds, the email queue, API tokens and the
// audit log. Every change goes through booking.Admin, which records it in
// the audit log with the change; the JSON admin API is in package api.
package admin

import (
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"

	"consult/booking"
	"consult/booking/password"
	"consult/web"
)

// Config is what the admin area needs to know about its deployment.
type Config struct {
	// BaseURL is the absolute URL the service is reached at; over https
	// the cookies are Secure and carry the __Host- prefix.
	BaseURL *url.URL
	// IdleTimeout ends a session after this long without a request, and
	// Lifetime after this long in any case (zero: 30 minutes and 12 hours).
	IdleTimeout time.Duration
	Lifetime    time.Duration
}

// Store is what the admin area reads by itself; it changes nothing
// through it but sign-in bookkeeping (throttles, spent codes).
type Store interface {
	booking.AccountStore
	booking.SignInStore
	booking.TokenStore
	booking.AuditStore
	booking.AdminBookingStore
	booking.WebhookStore
	booking.EmbedStore
	booking.WaitlistStore
	booking.WaitlistAdminStore
}

// Deps are the admin area's collaborators.
type Deps struct {
	// Admin makes every change, with its audit entry; Store reads. With
	// either nil the area refuses everyone.
	Admin *booking.Admin
	Store Store
	// Service gives the practice's settings and name.
	Service *booking.Service
	// Sessions stores sign-in sessions (PostgreSQL in production; nil:
	// in memory).
	Sessions scs.Store
	// Web renders the pages; nil answers them with 503.
	Web *web.Renderer
	// Feeds manages the calendar feeds; nil: the calendar page says they
	// are not set up.
	Feeds *booking.Feeds
	// Outbox lists and renders queued email; nil: no email page.
	Outbox booking.Outbox
	// Webhooks sends the test event at once; nil: the button says
	// webhooks are not sent here.
	Webhooks booking.WebhookSender
	// Calendars reads a linked calendar on demand; nil: only in the
	// background.
	Calendars CalendarSyncer
	Logger    *slog.Logger
	// Now is the service's clock.
	Now func() time.Time
}

// Handler serves the admin area.
type Handler struct {
	admin     *booking.Admin
	store     Store
	svc       *booking.Service
	sessions  *scs.SessionManager
	web       *web.Renderer
	feeds     *booking.Feeds
	outbox    booking.Outbox
	webhooks  booking.WebhookSender
	calendars CalendarSyncer
	base      *url.URL
	logger    *slog.Logger
	clock     func() time.Time
	// passwords hashes and checks passwords a few at a time.
	passwords *password.Hasher
}

// New returns the admin area's handler. The session cookie is HttpOnly
// and SameSite=Lax always; over https it is also Secure and carries the
// __Host- prefix, which browsers accept only from a secure origin for the
// whole host.
func New(cfg Config, deps Deps) *Handler {
	h := &Handler{
		admin: deps.Admin, store: deps.Store, svc: deps.Service, web: deps.Web, feeds: deps.Feeds,
		outbox: deps.Outbox, webhooks: deps.Webhooks, calendars: deps.Calendars, base: cfg.BaseURL, logger: deps.Logger, clock: deps.Now,
		passwords: password.NewHasher(),
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	if h.admin == nil || h.store == nil {
		h.admin, h.store = nil, nil
	}
	sm := scs.New()
	sm.Store = deps.Sessions
	if sm.Store == nil {
		// Without a database the admin area refuses everyone anyway; an
		// in-memory store without its cleanup goroutine keeps that cheap.
		sm.Store = memstore.NewWithCleanupInterval(0)
	}
	sm.IdleTimeout = cfg.IdleTimeout
	if sm.IdleTimeout <= 0 {
		sm.IdleTimeout = defaultIdleTimeout
	}
	sm.Lifetime = cfg.Lifetime
	if sm.Lifetime <= 0 {
		sm.Lifetime = defaultLifetime
	}
	sm.Cookie.Name = "consult_admin"
	sm.Cookie.Path = "/"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Persist = false
	if h.base.Scheme == "https" {
		sm.Cookie.Name = "__Host-consult_admin"
		sm.Cookie.Secure = true
	}
	h.sessions = sm
	return h
}

// now is the service's clock, in UTC.
func (h *Handler) now() time.Time { return h.clock().UTC() }
