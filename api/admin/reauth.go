package admin

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// recentAuth is how long after the practitioner last proved it is them
// (signing in, or confirming with the password here) a security change
// goes through without asking again. A stolen session cookie alone then
// cannot mint an API token or set up an authenticator of the thief's.
const recentAuth = 5 * time.Minute

// sessAuthAt is when the session's practitioner last entered the
// password, on the service's clock, in Unix microseconds.
const sessAuthAt = "auth_at"

// RequireRecentAuth lets a security change through only within
// recentAuth of the password being entered; otherwise it sends the
// practitioner to confirm it is them, and back to the page they were on.
func (h *Handler) RequireRecentAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if h.recentlyAuthenticated(c) {
			return next(c)
		}
		back := "/admin/settings"
		for _, page := range []string{"/admin/tokens", "/admin/webhooks"} {
			if strings.HasPrefix(c.Path(), page) {
				back = page
			}
		}
		return c.Redirect(http.StatusSeeOther, "/admin/confirm?next="+back)
	}
}

func (h *Handler) recentlyAuthenticated(c echo.Context) bool {
	at := h.sessions.GetInt64(c.Request().Context(), sessAuthAt)
	if at == 0 {
		return false
	}
	age := h.now().Sub(time.UnixMicro(at))
	return age >= 0 && age < recentAuth
}

// confirmData is the "confirm it is you" page.
type confirmData struct {
	Next      string
	TwoFactor bool
}

// confirmNext is where a confirmation returns to: one of the pages that
// lead to security changes, nothing else.
func confirmNext(next string) string {
	if next == "/admin/tokens" || next == "/admin/webhooks" {
		return next
	}
	return "/admin/settings"
}

// ConfirmForm asks for the password (and a code, with two-step sign-in
// on) before a security change.
func (h *Handler) ConfirmForm(c echo.Context) error {
	return h.render(c, http.StatusOK, "confirm", "Confirm it is you",
		confirmData{Next: confirmNext(c.QueryParam("next")), TwoFactor: user(c).TwoFactor()}, nil)
}

// Confirm checks the password (and code) and opens the window for
// security changes.
func (h *Handler) Confirm(c echo.Context) error {
	u := user(c)
	d := confirmData{Next: confirmNext(c.FormValue("next")), TwoFactor: u.TwoFactor()}
	ok, err := h.passwords.Verify(c.Request().Context(), u.PasswordHash, c.FormValue("password"))
	if err != nil {
		return err
	}
	if !ok {
		return h.render(c, http.StatusUnprocessableEntity, "confirm", "Confirm it is you", d,
			map[string]string{"password": "That is not your password."})
	}
	if u.TwoFactor() {
		f, err := h.checkSecondFactor(c, u, c.FormValue("code"), h.now())
		if err != nil {
			return err
		}
		switch f {
		case factorReused:
			return h.render(c, http.StatusUnprocessableEntity, "confirm", "Confirm it is you", d,
				map[string]string{"code": reusedCode})
		case factorWrong:
			return h.render(c, http.StatusUnprocessableEntity, "confirm", "Confirm it is you", d,
				map[string]string{"code": "That code is not right. Enter the 6 digits your app shows now, or a recovery code."})
		}
	}
	h.sessions.Put(c.Request().Context(), sessAuthAt, h.now().UnixMicro())
	return h.redirect(c, d.Next, "Thank you. For the next few minutes you can change security settings without confirming again.")
}
