package admin

import (
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"net/url"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
)

// Session lengths when Config leaves them zero.
const (
	defaultIdleTimeout = 30 * time.Minute
	defaultLifetime    = 12 * time.Hour
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
	ctxUser          = "admin_user"
	ctxSessionLoaded = "admin_session_loaded"
	// ctxFormToken is the CSRF token of a page shown without a session.
	ctxFormToken = "admin_form_token"
	// ctxNotice is a message for a page shown without a session.
	ctxNotice = "admin_notice"
)

// LoadSession loads the admin session and commits it just before the
// response is written, whichever handler (or the error handler) writes it.
func (h *Handler) LoadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Get(ctxSessionLoaded) != nil {
			return next(c)
		}
		c.Set(ctxSessionLoaded, true)
		r := c.Request()
		token := ""
		if ck, err := r.Cookie(h.sessions.Cookie.Name); err == nil {
			token = ck.Value
		}
		ctx, err := h.sessions.Load(r.Context(), token)
		if err != nil {
			// An unreadable session is treated as none.
			ctx, err = h.sessions.Load(r.Context(), "")
			if err != nil {
				return err
			}
		}
		c.SetRequest(r.WithContext(ctx))
		res := c.Response()
		res.Header().Add("Vary", "Cookie")
		res.Header().Set(echo.HeaderCacheControl, "no-store")
		res.Before(func() {
			switch h.sessions.Status(ctx) {
			case scs.Modified:
				tok, expiry, err := h.sessions.Commit(ctx)
				if err != nil {
					h.logger.ErrorContext(ctx, "admin session not saved", "error", err)
					return
				}
				h.sessions.WriteSessionCookie(ctx, res.Writer, tok, expiry)
			case scs.Destroyed:
				h.sessions.WriteSessionCookie(ctx, res.Writer, "", time.Time{})
			}
		})
		return next(c)
	}
}

// RequireSignIn lets a request through only with a signed-in session whose
// account still exists and whose sessions were not ended since; anyone
// else is sent to the sign-in page. Unsafe methods must also carry the
// session's CSRF token. Every /admin route except signing in uses it.
func (h *Handler) RequireSignIn(next echo.HandlerFunc) echo.HandlerFunc {
	return h.LoadSession(func(c echo.Context) error {
		u, err := h.sessionUser(c)
		if err != nil {
			return err
		}
		if u == nil {
			target := "/admin/sign-in"
			if r := c.Request(); r.Method == http.MethodGet && r.URL.Path != "/admin" {
				target += "?next=" + url.QueryEscape(nextOf(r.URL))
			}
			return c.Redirect(http.StatusSeeOther, target)
		}
		c.Set(ctxUser, u)
		if err := h.checkCSRF(c); err != nil {
			return err
		}
		return next(c)
	})
}

// nextOf is where to return to after signing in: the page asked for,
// without a search (q), which may hold a client's name or email and must
// not travel on to the sign-in page's URL.
func nextOf(u *url.URL) string {
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
func (h *Handler) sessionUser(c echo.Context) (*booking.User, error) {
	ctx := c.Request().Context()
	id := h.sessions.GetInt64(ctx, sessUserID)
	if id == 0 || h.admin == nil {
		return nil, nil
	}
	if at := time.UnixMicro(h.sessions.GetInt64(ctx, sessSignedIn)); !h.now().Before(at.Add(h.sessions.Lifetime)) {
		_ = h.sessions.Destroy(ctx)
		return nil, nil
	}
	u, err := h.store.UserByID(ctx, id)
	if booking.ErrorCode(err) == booking.ENOTFOUND || (err == nil && u.SessionEpoch != h.sessions.GetInt(ctx, sessEpoch)) {
		// Signed out everywhere (or the account is gone): end this session too.
		_ = h.sessions.Destroy(ctx)
		return nil, nil
	}
	return u, err
}

// signIn starts a signed-in session for u under a new session id, so an
// id planted before sign-in is worthless after it.
func (h *Handler) signIn(c echo.Context, u *booking.User) error {
	now := h.now()
	if err := h.startSession(c, u, now); err != nil {
		return err
	}
	// Signing in proves it is them, as confirming does (see reauth.go).
	h.sessions.Put(c.Request().Context(), sessAuthAt, now.UnixMicro())
	return nil
}

// keepSession moves this session to u's new epoch after a change that
// ended every other session (password, two-step sign-in). Its lifetime
// still counts from the first sign-in.
func (h *Handler) keepSession(c echo.Context, u *booking.User) error {
	return h.startSession(c, u, time.UnixMicro(h.sessions.GetInt64(c.Request().Context(), sessSignedIn)))
}

// startSession signs u in under a new session id, signed in at at.
func (h *Handler) startSession(c echo.Context, u *booking.User, at time.Time) error {
	ctx := c.Request().Context()
	if err := h.sessions.RenewToken(ctx); err != nil {
		return err
	}
	h.sessions.Put(ctx, sessUserID, u.ID)
	h.sessions.Put(ctx, sessEpoch, u.SessionEpoch)
	h.sessions.Put(ctx, sessSignedIn, at.UnixMicro())
	h.sessions.Put(ctx, sessCSRF, rand.Text())
	return nil
}

// csrfToken returns the session's CSRF token, making one if needed.
func (h *Handler) csrfToken(c echo.Context) string {
	ctx := c.Request().Context()
	tok := h.sessions.GetString(ctx, sessCSRF)
	if tok == "" {
		tok = rand.Text()
		h.sessions.Put(ctx, sessCSRF, tok)
	}
	return tok
}

// checkCSRF refuses an unsafe request whose form lacks the session's CSRF
// token, or that a browser says came from another site.
func (h *Handler) checkCSRF(c echo.Context) error {
	switch c.Request().Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	want := h.sessions.GetString(c.Request().Context(), sessCSRF)
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

// user returns the signed-in account; RequireSignIn sets it.
func user(c echo.Context) *booking.User {
	if u, _ := c.Get(ctxUser).(*booking.User); u != nil {
		return u
	}
	return &booking.User{}
}

// who is the signed-in practitioner as the audit log records them.
func (h *Handler) who(c echo.Context) booking.Actor {
	return booking.Actor{UserID: user(c).ID, Via: booking.ViaSession, Address: httpx.ClientAddr(c)}
}

// record appends an audit entry, for the signed-in practitioner, of an
// action that changes nothing stored. Callers showing client data record
// first and fail if it cannot be written, so no view of personal data
// goes unrecorded; changes are recorded by the booking.Admin operation
// itself.
func (h *Handler) record(c echo.Context, action, target string) error {
	return h.admin.Record(c.Request().Context(), h.who(c), action, target)
}

// flash keeps a short message for the next admin page.
func (h *Handler) flash(c echo.Context, msg string) {
	h.sessions.Put(c.Request().Context(), sessFlash, msg)
}
