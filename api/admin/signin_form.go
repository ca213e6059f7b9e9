package admin

import (
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// The sign-in form is protected against cross-site posts without a
// session: its token is also kept in a cookie of its own (double submit),
// so showing the form to anyone stores nothing on the server. A session
// is made only once someone has signed in.
//
// The token is not signed with a server key: instances share no key, and
// a form shown by one must be accepted by another. An attacker would have
// to plant the cookie in the victim's browser; over https the __Host-
// prefix rules out setting it from another subdomain, SameSite=Strict
// keeps it off cross-site requests, and the request must also pass the
// cross-origin check that every admin form passes.

// signInCookie is the name of the sign-in form's cookie.
func (h *Handler) signInCookie() string {
	if h.base.Scheme == "https" {
		return "__Host-consult_signin"
	}
	return "consult_signin"
}

// validFormToken reports whether v has the shape of a token rand.Text made.
func validFormToken(v string) bool {
	return len(v) == 26 && strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == ""
}

// signInFormToken returns this browser's sign-in form token, setting the
// cookie when it has none yet (several open forms share one).
func (h *Handler) signInFormToken(c echo.Context) string {
	if ck, err := c.Cookie(h.signInCookie()); err == nil && validFormToken(ck.Value) {
		return ck.Value
	}
	tok := rand.Text()
	c.SetCookie(&http.Cookie{Name: h.signInCookie(), Value: tok, Path: "/", HttpOnly: true,
		Secure: h.base.Scheme == "https", SameSite: http.SameSiteStrictMode})
	return tok
}

// checkSignInForm refuses a sign-in post whose token does not match the
// cookie of the browser sending it, or that a browser says came from
// another site. The page shown after a refused attempt reuses the token.
func (h *Handler) checkSignInForm(c echo.Context) error {
	ck, err := c.Cookie(h.signInCookie())
	got := c.FormValue("csrf")
	if err != nil || !validFormToken(ck.Value) || subtle.ConstantTimeCompare([]byte(got), []byte(ck.Value)) != 1 {
		return echo.NewHTTPError(http.StatusForbidden, "This form has expired or did not come from this site. Go back, reload the page and try again.")
	}
	if err := http.NewCrossOriginProtection().Check(c.Request()); err != nil {
		return echo.NewHTTPError(http.StatusForbidden, "This form must be sent from this website.")
	}
	c.Set(ctxFormToken, ck.Value)
	return nil
}

// endSignInForm removes the form's cookie once signed in; from then on
// forms carry the session's token.
func (h *Handler) endSignInForm(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: h.signInCookie(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: h.base.Scheme == "https", SameSite: http.SameSiteStrictMode})
}
