package admin

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
	"consult/booking/password"
	"consult/web/i18n"
)

// Sign-in throttles: per account name (whether or not it exists, so the
// answer never tells) and per address. The account's budget, which every
// browser the practitioner has not signed in from shares, slows guessing
// with growing delays rather than a lock: after five failures, 15 seconds,
// then 30, and so on up to 5 minutes, about twelve guesses an hour at
// most, while the practitioner waits minutes at worst.
var (
	accountThrottle = booking.Throttle{Max: 5, Window: time.Hour, Delay: 15 * time.Second, MaxDelay: 5 * time.Minute}
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

// signInFailed is the one answer to every failed sign-in: an unknown
// email, a wrong password and a wrong code look alike, so the form tells
// nobody which part was right.
const signInFailed = "Email, password or code is not right."

// safeNext keeps a post-sign-in redirect inside the admin area, and
// drops one that is not plain text (it would end up in a header).
func safeNext(next string) string {
	if strings.HasPrefix(next, "/admin") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") &&
		!strings.HasPrefix(next, "/admin/sign-") && booking.PlainText(next, false) && !strings.ContainsRune(next, ' ') {
		return next
	}
	return "/admin"
}

// SignInForm shows the sign-in form, or sends someone signed in to the
// overview.
func (h *Handler) SignInForm(c echo.Context) error {
	if u, err := h.sessionUser(c); err == nil && u != nil {
		return c.Redirect(http.StatusSeeOther, "/admin")
	}
	d := signInData{Next: safeNext(c.QueryParam("next"))}
	if c.QueryParam("signed_out") != "" {
		c.Set(ctxNotice, "You are signed out.")
	}
	c.Set(ctxFormToken, h.signInFormToken(c))
	return h.render(c, http.StatusOK, "sign-in", "Sign in", d, nil)
}

// SignIn checks email, password and, when two-step sign-in is on,
// the code, all in one form: a right code never makes up for a wrong
// password, and every failure gets the same answer, whether or not the
// email exists or the password was right.
func (h *Handler) SignIn(c echo.Context) error {
	if err := h.checkSignInForm(c); err != nil {
		return err
	}
	if h.admin == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "Signing in is not available.")
	}
	ctx := c.Request().Context()
	now := h.now()
	email := strings.TrimSpace(c.FormValue("email"))
	d := signInData{Next: safeNext(c.FormValue("next"))}
	if booking.PlainText(email, false) {
		d.Email = email
	}
	acct, addr := signInThrottleKey("account", email), signInThrottleKey("address", httpx.ClientAddr(c))
	// A browser the practitioner signed in from before has a budget of its
	// own; every other browser shares the account's (see device.go).
	device, err := h.knownDevice(c, email, now)
	if err != nil {
		return err
	}
	budget := acct
	if device != "" {
		budget = signInThrottleKey("device", device)
	}
	// The attempt counts as a failure from here on, before the password is
	// checked, so a burst of parallel attempts cannot outrun the limits.
	attempt, wait, err := h.store.BeginLogin(ctx,
		[]booking.LoginLimit{{Key: budget, Throttle: accountThrottle}, {Key: addr, Throttle: addressThrottle}}, now)
	if err != nil {
		return err
	}
	if wait > 0 {
		d.Error = tryAgainIn(lang(c), wait)
		return h.render(c, http.StatusTooManyRequests, "sign-in", "Sign in", d, nil)
	}

	u, err := h.signInAccount(c, email, c.FormValue("password"))
	if err != nil {
		return err
	}
	ok := u != nil
	failed := signInFailed
	if ok && u.TwoFactor() {
		f, err := h.checkSecondFactor(c, u, strings.TrimSpace(c.FormValue("code")), now)
		if err != nil {
			return err
		}
		ok = f == factorOK
		if f == factorReused {
			failed = reusedCode
		}
	}
	if !ok {
		var uid int64
		if u != nil {
			uid = u.ID
		}
		if err := h.admin.Record(ctx, booking.Actor{UserID: uid, Via: booking.ViaAnonymous, Address: httpx.ClientAddr(c)},
			"signin.failed", ""); err != nil {
			return err
		}
		if wait, err := h.signInWait(c, budget, addr, now); err != nil {
			return err
		} else if wait > 0 {
			d.Error = tryAgainIn(lang(c), wait)
			return h.render(c, http.StatusTooManyRequests, "sign-in", "Sign in", d, nil)
		}
		d.Error = tr(lang(c), failed)
		return h.render(c, http.StatusUnauthorized, "sign-in", "Sign in", d, nil)
	}
	// Recorded before the session starts: a sign-in the audit log
	// cannot record does not happen.
	c.Set(ctxUser, u)
	if err := h.record(c, "signin", fmt.Sprintf("user:%d", u.ID)); err != nil {
		return err
	}
	if err := h.store.ForgetLoginFailures(ctx, attempt); err != nil {
		return err
	}
	if err := h.store.ClearLoginFailures(ctx, budget); err != nil {
		return err
	}
	if err := h.rememberDevice(c, u.ID, device, now); err != nil {
		return err
	}
	if err := h.signIn(c, u); err != nil {
		return err
	}
	h.endSignInForm(c)
	return c.Redirect(http.StatusSeeOther, d.Next)
}

// signInAccount returns the account whose email and password these are,
// or nil. An unknown email, or one no account can have (not an address,
// a NUL byte, invalid UTF-8), is checked against a dummy hash, so it
// takes as long as a wrong password and is never sent to the database.
func (h *Handler) signInAccount(c echo.Context, email, pw string) (*booking.User, error) {
	ctx := c.Request().Context()
	var u *booking.User
	if booking.ValidEmail(email) {
		var err error
		if u, err = h.store.UserByEmail(ctx, email); err != nil && booking.ErrorCode(err) != booking.ENOTFOUND {
			return nil, err
		}
	}
	hash := password.DummyHash()
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := h.passwords.Verify(ctx, hash, pw)
	if err != nil || !ok || u == nil {
		return nil, err
	}
	return u, nil
}

// signInWait is how long sign-in is refused for this account or address.
func (h *Handler) signInWait(c echo.Context, acct, addr []byte, now time.Time) (time.Duration, error) {
	ctx := c.Request().Context()
	var wait time.Duration
	for _, k := range []struct {
		key []byte
		t   booking.Throttle
	}{{acct, accountThrottle}, {addr, addressThrottle}} {
		fs, err := h.store.LoginFailures(ctx, k.key, now.Add(-k.t.Window))
		if err != nil {
			return 0, err
		}
		wait = max(wait, k.t.RetryAfter(fs, now))
	}
	return wait, nil
}

// tryAgainIn words a throttle's wait, rounded up to whole seconds under a
// minute and to whole minutes above.
func tryAgainIn(l i18n.Lang, d time.Duration) string {
	if d < time.Minute {
		s := max(int((d+time.Second-1)/time.Second), 1)
		return i18n.MustN(l, "admin.signin.wait_seconds", s)
	}
	m := int((d + time.Minute - 1) / time.Minute)
	return i18n.MustN(l, "admin.signin.wait_minutes", m)
}

// SignOut ends this session.
func (h *Handler) SignOut(c echo.Context) error {
	if err := h.record(c, "signout", fmt.Sprintf("user:%d", user(c).ID)); err != nil {
		return err
	}
	if err := h.sessions.Destroy(c.Request().Context()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/sign-in?signed_out=1")
}

// SignOutEverywhere ends every session of the account, this one too.
func (h *Handler) SignOutEverywhere(c echo.Context) error {
	if _, err := h.admin.EndSessions(c.Request().Context(), h.who(c)); err != nil {
		return err
	}
	if err := h.sessions.Destroy(c.Request().Context()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/sign-in?signed_out=1")
}
