package admin

import (
	"crypto/rand"
	"crypto/sha256"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// Browsers the practitioner has signed in from keep a sign-in budget of
// their own ("device cookies", as OWASP describes them): wrong passwords
// typed anywhere else use up only the budget that unknown browsers share,
// so nobody can lock the practitioner out by guessing. The cookie holds a
// random token; the database keeps its hash and the account it signed in
// to.

// deviceLifetime is how long a browser stays known after its last sign-in.
const deviceLifetime = 365 * 24 * time.Hour

// deviceCookie is the name of the device cookie.
func (h *Handler) deviceCookie() string {
	if h.base.Scheme == "https" {
		return "__Host-consult_device"
	}
	return "consult_device"
}

// deviceHash is what the database keeps of a device token.
func deviceHash(token string) []byte {
	sum := sha256.Sum256([]byte("consult device\x00" + token))
	return sum[:]
}

// knownDevice returns this browser's device token when it signed in to
// the account of email before, or "".
func (h *Handler) knownDevice(c echo.Context, email string, now time.Time) (string, error) {
	ck, err := c.Cookie(h.deviceCookie())
	if err != nil || !validFormToken(ck.Value) {
		return "", nil
	}
	ctx := c.Request().Context()
	id, err := h.store.DeviceAccount(ctx, deviceHash(ck.Value), now.Add(-deviceLifetime))
	if err != nil {
		return "", nil // unknown, forgotten, or unreadable: an unknown browser
	}
	u, err := h.store.UserByID(ctx, id)
	if err != nil || !strings.EqualFold(u.Email, strings.TrimSpace(email)) {
		return "", nil
	}
	return ck.Value, nil
}

// rememberDevice keeps this browser known for the account userID after a
// sign-in, under its token or a new one.
func (h *Handler) rememberDevice(c echo.Context, userID int64, token string, now time.Time) error {
	if token == "" {
		token = rand.Text()
	}
	if err := h.store.RememberDevice(c.Request().Context(), userID, deviceHash(token), now); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: h.deviceCookie(), Value: token, Path: "/", MaxAge: int(deviceLifetime / time.Second),
		HttpOnly: true, Secure: h.base.Scheme == "https", SameSite: http.SameSiteStrictMode})
	return nil
}
