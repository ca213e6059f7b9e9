package api

import (
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
	"consult/booking/password"
)

// Session lengths when Config leaves them zero.
const (
	defaultAdminIdleTimeout = 30 * time.Minute
	defaultAdminLifetime    = 12 * time.Hour
)

// Session keys.
const (
	sessUserID = "uid"
	sessEpoch  = "epoch"
	// sessSignedIn is when the session was signed in, on the service's
	// clock, which decides the absolute lifetime (see sessionUser), in
	// Unix microseconds (the session codec takes no time.Time).
	sessSignedIn = "signed_in"
	sessCSRF     = "csrf"
	sessFlash    = "flash"
	sessTOTP     = "totp_pending"
)

// Echo context keys set by the admin middleware and the sign-in form.
const (
	ctxActor         = "admin_actor"
	ctxSessionLoaded = "admin_session_loaded"
	// ctxFormToken is the CSRF token of a page shown without a session.
	ctxFormToken = "admin_form_token"
	// ctxNotice is a message for a page shown without a session.
	ctxNotice = "admin_notice"
)

// adminActor is who is acting in an admin request.
type adminActor struct {
	User    *booking.User
	Via     string // booking.ViaSession or booking.ViaToken
	TokenID int64
}

// initAdmin sets up admin sessions. The cookie is HttpOnly and SameSite=Lax
// always; over https it is also Secure and carries the __Host- prefix,
// which browsers accept only from a secure origin for the whole host.
func (s *Server) initAdmin(cfg Config, deps Deps) {
	s.admin = deps.Admin
	if deps.Admin != nil {
		s.adminOps = booking.NewAdmin(deps.Admin, s.now)
	}
	s.passwords = password.NewHasher()
	sm := scs.New()
	store := deps.Sessions
	if store == nil {
		// Without a database the admin area refuses everyone anyway; an
		// in-memory store without its cleanup goroutine keeps that cheap.
		store = memstore.NewWithCleanupInterval(0)
	}
	sm.Store = store
	sm.IdleTimeout = cfg.AdminIdleTimeout
	if sm.IdleTimeout <= 0 {
		sm.IdleTimeout = defaultAdminIdleTimeout
	}
	sm.Lifetime = cfg.AdminLifetime
	if sm.Lifetime <= 0 {
		sm.Lifetime = defaultAdminLifetime
	}
	sm.Cookie.Name = "consult_admin"
	sm.Cookie.Path = "/"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Persist = false
	if s.base.Scheme == "https" {
		sm.Cookie.Name = "__Host-consult_admin"
		sm.Cookie.Secure = true
	}
	s.sessions = sm
}

// loadSession loads the admin session and commits it just before the
// response is written, whichever handler (or the error handler) writes it.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Get(ctxSessionLoaded) != nil {
			return next(c)
		}
		c.Set(ctxSessionLoaded, true)
		r := c.Request()
		token := ""
		if ck, err := r.Cookie(s.sessions.Cookie.Name); err == nil {
			token = ck.Value
		}
		ctx, err := s.sessions.Load(r.Context(), token)
		if err != nil {
			// An unreadable session is treated as none.
			ctx, err = s.sessions.Load(r.Context(), "")
			if err != nil {
				return err
			}
		}
		c.SetRequest(r.WithContext(ctx))
		res := c.Response()
		res.Header().Add("Vary", "Cookie")
		res.Header().Set(echo.HeaderCacheControl, "no-store")
		res.Before(func() {
			switch s.sessions.Status(ctx) {
			case scs.Modified:
				tok, expiry, err := s.sessions.Commit(ctx)
				if err != nil {
					s.logger.ErrorContext(ctx, "admin session not saved", "error", err)
					return
				}
				s.sessions.WriteSessionCookie(ctx, res.Writer, tok, expiry)
			case scs.Destroyed:
				s.sessions.WriteSessionCookie(ctx, res.Writer, "", time.Time{})
			}
		})
		return next(c)
	}
}

// requireAdmin lets a request through only with a signed-in session whose
// account still exists and whose sessions were not ended since; anyone
// else is sent to the sign-in page. Unsafe methods must also carry the
// session's CSRF token. Every /admin route except signing in uses it.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return s.loadSession(func(c echo.Context) error {
		u, err := s.sessionUser(c)
		if err != nil {
			return err
		}
		if u == nil {
			target := "/admin/sign-in"
			if r := c.Request(); r.Method == http.MethodGet && r.URL.Path != "/admin" {
				target += "?next=" + url.QueryEscape(adminNextOf(r.URL))
			}
			return c.Redirect(http.StatusSeeOther, target)
		}
		c.Set(ctxActor, &adminActor{User: u, Via: booking.ViaSession})
		if err := s.checkCSRF(c); err != nil {
			return err
		}
		return next(c)
	})
}

// adminNextOf is where to return to after signing in: the page asked for,
// without a search (q), which may hold a client's name or email and must
// not travel on to the sign-in page's URL.
func adminNextOf(u *url.URL) string {
	q := u.Query()
	q.Del("q")
	if len(q) == 0 {
		return u.Path
	}
	return u.Path + "?" + q.Encode()
}

// sessionUser returns the signed-in account, or nil. A session older than
// its lifetime on the service's clock is ended here: the session manager
// counts the lifetime on its own clock, the store the idle timeout on
// ours, and this keeps the lifetime on ours too.
func (s *Server) sessionUser(c echo.Context) (*booking.User, error) {
	ctx := c.Request().Context()
	id := s.sessions.GetInt64(ctx, sessUserID)
	if id == 0 || s.admin == nil {
		return nil, nil
	}
	if at := time.UnixMicro(s.sessions.GetInt64(ctx, sessSignedIn)); !s.now().Before(at.Add(s.sessions.Lifetime)) {
		_ = s.sessions.Destroy(ctx)
		return nil, nil
	}
	u, err := s.admin.UserByID(ctx, id)
	if booking.ErrorCode(err) == booking.ENOTFOUND || (err == nil && u.SessionEpoch != s.sessions.GetInt(ctx, sessEpoch)) {
		// Signed out everywhere (or the account is gone): end this session too.
		_ = s.sessions.Destroy(ctx)
		return nil, nil
	}
	return u, err
}

// signIn starts a signed-in session for u under a new session id, so an
// id planted before sign-in is worthless after it.
func (s *Server) signIn(c echo.Context, u *booking.User) error {
	return s.startSession(c, u, s.now())
}

// keepSession moves this session to u's new epoch after a change that
// ended every other session (password, two-step sign-in). Its lifetime
// still counts from the first sign-in.
func (s *Server) keepSession(c echo.Context, u *booking.User) error {
	return s.startSession(c, u, time.UnixMicro(s.sessions.GetInt64(c.Request().Context(), sessSignedIn)))
}

// startSession signs u in under a new session id, signed in at at.
func (s *Server) startSession(c echo.Context, u *booking.User, at time.Time) error {
	ctx := c.Request().Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessUserID, u.ID)
	s.sessions.Put(ctx, sessEpoch, u.SessionEpoch)
	s.sessions.Put(ctx, sessSignedIn, at.UnixMicro())
	s.sessions.Put(ctx, sessCSRF, rand.Text())
	return nil
}

// csrfToken returns the session's CSRF token, making one if needed.
func (s *Server) csrfToken(c echo.Context) string {
	ctx := c.Request().Context()
	tok := s.sessions.GetString(ctx, sessCSRF)
	if tok == "" {
		tok = rand.Text()
		s.sessions.Put(ctx, sessCSRF, tok)
	}
	return tok
}

// checkCSRF refuses an unsafe request whose form lacks the session's CSRF
// token, or that a browser says came from another site.
func (s *Server) checkCSRF(c echo.Context) error {
	switch c.Request().Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	want := s.sessions.GetString(c.Request().Context(), sessCSRF)
	got := c.FormValue("csrf")
	if got == "" {
		got = c.Request().Header.Get("X-CSRF-Token")
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return echo.NewHTTPError(http.StatusForbidden, "This form has expired or did not come from this site. Go back, reload the page and try again.")
	}
	if err := http.NewCrossOriginProtection().Check(c.Request()); err != nil {
		return echo.NewHTTPError(http.StatusForbidden, "This form must be sent from this website.")
	}
	return nil
}

// requireToken lets an admin API request through only with a valid,
// unrevoked personal access token: "Authorization: Bearer <token>".
func (s *Server) requireToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		refuse := func() error {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="admin"`)
			return booking.Errorf(booking.EUNAUTHORIZED, "Send a valid admin API token as \"Authorization: Bearer <token>\".")
		}
		scheme, token, ok := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || !booking.ValidTokenShape(token) || s.admin == nil {
			return refuse()
		}
		u, t, err := s.admin.UserByAPIToken(c.Request().Context(), booking.HashToken(token), s.now())
		if booking.ErrorCode(err) == booking.ENOTFOUND {
			return refuse()
		}
		if err != nil {
			return err
		}
		c.Set(ctxActor, &adminActor{User: u, Via: booking.ViaToken, TokenID: t.ID})
		return next(c)
	}
}

// actor returns who is acting; requireAdmin or requireToken set it.
func actor(c echo.Context) *adminActor {
	a, _ := c.Get(ctxActor).(*adminActor)
	if a == nil {
		return &adminActor{User: &booking.User{}, Via: booking.ViaAnonymous}
	}
	return a
}

// who is the current actor as the audit log records them.
func who(c echo.Context) booking.Actor {
	a := actor(c)
	return booking.Actor{UserID: a.User.ID, Via: a.Via, TokenID: a.TokenID, Address: httpx.ClientAddr(c)}
}

// record appends an audit entry, for the current actor, of an action that
// changes nothing stored. Callers showing client data record first and
// fail if it cannot be written, so no view of personal data goes
// unrecorded; changes are recorded by the booking.Admin operation itself.
func (s *Server) record(c echo.Context, action, target string) error {
	return s.adminOps.Record(c.Request().Context(), who(c), action, target)
}

// now is the server's clock.
func (s *Server) now() time.Time { return s.svc.Now().UTC() }

// flash keeps a short message for the next admin page.
func (s *Server) flash(c echo.Context, msg string) {
	s.sessions.Put(c.Request().Context(), sessFlash, msg)
}
