package api

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/booking"
)

// Sign-in throttles: per account name (whether or not it exists, so the
// answer never tells) and per address.
var (
	accountThrottle = booking.Throttle{Max: 5, Window: 15 * time.Minute}
	addressThrottle = booking.Throttle{Max: 20, Window: 15 * time.Minute}
)

// signInData is the sign-in form.
type signInData struct {
	Email string
	Next  string
	Error string
}

// signInThrottleKey hashes what failures are counted under, so the table holds
// no email address in the clear.
func signInThrottleKey(kind, value string) []byte {
	h := sha256.Sum256([]byte("consult sign-in\x00" + kind + "\x00" + strings.ToLower(strings.TrimSpace(value))))
	return h[:]
}

// adminSafeNext keeps a post-sign-in redirect inside the admin area.
func adminSafeNext(next string) string {
	if strings.HasPrefix(next, "/admin") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") &&
		!strings.HasPrefix(next, "/admin/sign-") {
		return next
	}
	return "/admin"
}

func (s *Server) handleSignInForm(c echo.Context) error {
	if u, err := s.sessionUser(c); err == nil && u != nil {
		return c.Redirect(http.StatusSeeOther, "/admin")
	}
	d := signInData{Next: adminSafeNext(c.QueryParam("next"))}
	if c.QueryParam("signed_out") != "" {
		s.flash(c, "You are signed out.")
	}
	return s.renderAdmin(c, http.StatusOK, "sign-in", "Sign in", d, nil)
}

// handleSignIn checks email, password and, when two-step sign-in is on,
// the code, all in one form: a right code never makes up for a wrong
// password, and the answer is the same whether or not the email exists.
func (s *Server) handleSignIn(c echo.Context) error {
	if err := s.checkCSRF(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	now := s.now()
	email := strings.TrimSpace(c.FormValue("email"))
	pw := c.FormValue("password")
	code := strings.TrimSpace(c.FormValue("code"))
	d := signInData{Email: email, Next: adminSafeNext(c.FormValue("next"))}
	if s.admin == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "Signing in is not available.")
	}
	acct, addr := signInThrottleKey("account", email), signInThrottleKey("address", s.clientAddr(c))
	if wait, err := s.signInWait(c, acct, addr, now); err != nil {
		return err
	} else if wait > 0 {
		d.Error = adminTryAgainIn(wait)
		return s.renderAdmin(c, http.StatusTooManyRequests, "sign-in", "Sign in", d, nil)
	}

	u, err := s.admin.UserByEmail(ctx, email)
	if err != nil && booking.ErrorCode(err) != booking.ENOTFOUND {
		return err
	}
	ok := false
	if u == nil {
		_, _ = CheckPassword(dummyHash(), pw)
	} else if ok, err = CheckPassword(u.PasswordHash, pw); err != nil {
		return err
	}
	d.Error = "That email and password do not match an account."
	if ok && u.TwoFactor() {
		if ok, err = s.checkSecondFactor(c, u, code, now); err != nil {
			return err
		}
		if !ok {
			d.Error = "The code is not right. Enter the current 6-digit code from your authenticator app, or an unused recovery code."
		}
	}
	if !ok {
		var uid int64
		if u != nil {
			uid = u.ID
		}
		if err := s.admin.RecordLoginFailure(ctx, [][]byte{acct, addr}, now); err != nil {
			return err
		}
		if err := s.admin.Audit(ctx, booking.AuditEntry{At: now, UserID: uid, Via: booking.ViaAnonymous,
			Action: "signin.failed", Address: s.clientAddr(c)}); err != nil {
			return err
		}
		if wait, err := s.signInWait(c, acct, addr, now); err != nil {
			return err
		} else if wait > 0 {
			d.Error = adminTryAgainIn(wait)
			return s.renderAdmin(c, http.StatusTooManyRequests, "sign-in", "Sign in", d, nil)
		}
		return s.renderAdmin(c, http.StatusUnauthorized, "sign-in", "Sign in", d, nil)
	}
	if err := s.admin.ClearLoginFailures(ctx, acct); err != nil {
		return err
	}
	if err := s.signIn(c, u); err != nil {
		return err
	}
	c.Set(ctxActor, &adminActor{User: u, Via: booking.ViaSession})
	if err := s.audit(c, "signin", fmt.Sprintf("user:%d", u.ID)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, d.Next)
}

// signInWait is how long sign-in is refused for this account or address.
func (s *Server) signInWait(c echo.Context, acct, addr []byte, now time.Time) (time.Duration, error) {
	ctx := c.Request().Context()
	var wait time.Duration
	for _, k := range []struct {
		key []byte
		t   booking.Throttle
	}{{acct, accountThrottle}, {addr, addressThrottle}} {
		fs, err := s.admin.LoginFailures(ctx, k.key, now.Add(-k.t.Window))
		if err != nil {
			return 0, err
		}
		wait = max(wait, k.t.RetryAfter(fs, now))
	}
	return wait, nil
}

// adminTryAgainIn words a throttle's wait, rounded up to whole minutes.
func adminTryAgainIn(d time.Duration) string {
	m := int((d + time.Minute - 1) / time.Minute)
	if m <= 1 {
		return "Too many failed sign-ins. Try again in 1 minute."
	}
	return fmt.Sprintf("Too many failed sign-ins. Try again in %d minutes.", m)
}

func (s *Server) handleSignOut(c echo.Context) error {
	if err := s.audit(c, "signout", fmt.Sprintf("user:%d", actor(c).User.ID)); err != nil {
		return err
	}
	if err := s.sessions.Destroy(c.Request().Context()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/sign-in?signed_out=1")
}

func (s *Server) handleSignOutEverywhere(c echo.Context) error {
	a := actor(c)
	if _, err := s.admin.EndSessions(c.Request().Context(), a.User.ID, s.now()); err != nil {
		return err
	}
	if err := s.audit(c, "signout.everywhere", fmt.Sprintf("user:%d", a.User.ID)); err != nil {
		return err
	}
	if err := s.sessions.Destroy(c.Request().Context()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/sign-in?signed_out=1")
}
