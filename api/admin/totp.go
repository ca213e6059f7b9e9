package admin

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"html/template"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"consult/api/httpx"
	"consult/booking"
)

// totpOpts are the RFC 6238 parameters every authenticator app supports.
var totpOpts = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// recoveryCodeCount is how many one-time recovery codes a user gets.
const recoveryCodeCount = 10

// matchTOTP returns the time step whose code equals code, allowing one
// step of clock drift either way.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	for _, skew := range []int64{0, -1, 1} {
		t := now.Add(time.Duration(skew) * 30 * time.Second)
		want, err := totp.GenerateCodeCustom(secret, t, totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return t.Unix() / 30, true
		}
	}
	return 0, false
}

// normalizeRecoveryCode ignores case, spaces and dashes.
func normalizeRecoveryCode(code string) string {
	return strings.NewReplacer("-", "", " ", "").Replace(strings.ToUpper(code))
}

func hashRecoveryCode(code string) []byte {
	h := sha256.Sum256([]byte("consult recovery\x00" + normalizeRecoveryCode(code)))
	return h[:]
}

// secondFactor is what checkSecondFactor found.
type secondFactor int

const (
	factorWrong secondFactor = iota
	factorOK
	// factorReused is a right authenticator code whose 30 seconds were
	// already used to sign in: refused, with a word to wait for the next.
	factorReused
)

// reusedCode is what the sign-in forms say for factorReused. It is shown
// only after a right password and a right code, so it tells nothing to
// someone who lacks either.
const reusedCode = "That code was just used. Wait for your app to show the next code (a new one comes every 30 seconds) and enter that one."

// checkSecondFactor accepts a current authenticator code (once) or an
// unused recovery code (spending it).
func (h *Handler) checkSecondFactor(c echo.Context, u *booking.User, code string, now time.Time) (secondFactor, error) {
	ctx := c.Request().Context()
	code = strings.ReplaceAll(code, " ", "")
	if len(code) == 6 && strings.Trim(code, "0123456789") == "" {
		step, ok := matchTOTP(u.TOTPSecret, code, now)
		if !ok {
			return factorWrong, nil
		}
		fresh, err := h.store.UseTOTPStep(ctx, u.ID, step)
		switch {
		case err != nil:
			return factorWrong, err
		case !fresh:
			return factorReused, nil
		}
		return factorOK, nil
	}
	if n := len(normalizeRecoveryCode(code)); n < 10 || n > 20 {
		return factorWrong, nil
	}
	ok, err := h.admin.SpendRecoveryCode(ctx, booking.Actor{UserID: u.ID, Via: booking.ViaAnonymous, Address: httpx.ClientAddr(c)},
		hashRecoveryCode(code))
	if err != nil || !ok {
		return factorWrong, err
	}
	return factorOK, nil
}

// newRecoveryCodes returns fresh codes ("ABCDE-FGHJK", 50 bits each) and their hashes.
func newRecoveryCodes() ([]string, [][]byte) {
	codes := make([]string, recoveryCodeCount)
	hashes := make([][]byte, recoveryCodeCount)
	for i := range codes {
		t := rand.Text()
		codes[i] = t[:5] + "-" + t[5:10]
		hashes[i] = hashRecoveryCode(codes[i])
	}
	return codes, hashes
}

// totpKey rebuilds the key of a pending secret, to show it again.
func totpKey(issuer, account, secret string) (*otp.Key, error) {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", issuer)
	v.Set("period", "30")
	v.Set("digits", "6")
	v.Set("algorithm", "SHA1")
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + account, RawQuery: v.Encode()}
	return otp.NewKeyFromURL(u.String())
}

// totpSetupData is the page that shows the QR code to scan.
type totpSetupData struct {
	QR     template.URL
	Secret string
}

// StartTOTP makes a new secret, keeps it in the session until a
// code from it is confirmed, and shows it as a QR code and as text.
func (h *Handler) StartTOTP(c echo.Context) error {
	u := user(c)
	key, err := totp.Generate(totp.GenerateOpts{Issuer: h.svc.PracticeName(c.Request().Context()), AccountName: u.Email,
		Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return err
	}
	h.sessions.Put(c.Request().Context(), sessTOTP, key.Secret())
	return h.renderTOTPSetup(c, key, nil)
}

func (h *Handler) renderTOTPSetup(c echo.Context, key *otp.Key, errs map[string]string) error {
	img, err := key.Image(240, 240)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	d := totpSetupData{
		QR:     template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())),
		Secret: key.Secret(),
	}
	status := http.StatusOK
	if errs != nil {
		status = http.StatusUnprocessableEntity
	}
	return h.render(c, status, "totp", "Turn on two-step sign-in", d, errs)
}

// ConfirmTOTP turns two-step sign-in on once a code from the new
// secret checks out, ends every other session and shows the recovery
// codes, once.
func (h *Handler) ConfirmTOTP(c echo.Context) error {
	ctx := c.Request().Context()
	u := user(c)
	secret := h.sessions.GetString(ctx, sessTOTP)
	if secret == "" {
		return h.redirect(c, "/admin/settings", "Start again: the setup expired.")
	}
	now := h.now()
	code := strings.ReplaceAll(c.FormValue("code"), " ", "")
	step, ok := matchTOTP(secret, code, now)
	if !ok {
		key, err := totpKey(h.svc.PracticeName(c.Request().Context()), u.Email, secret)
		if err != nil {
			return err
		}
		return h.renderTOTPSetup(c, key, map[string]string{"code": "That code is not right. Enter the 6 digits your app shows now."})
	}
	codes, hashes := newRecoveryCodes()
	nu, err := h.admin.EnableTOTP(ctx, h.who(c), secret, step, hashes) // the confirming code is spent
	if err != nil {
		return err
	}
	h.sessions.Remove(ctx, sessTOTP)
	if err := h.keepSession(c, nu); err != nil {
		return err
	}
	c.Set(ctxUser, nu)
	return h.render(c, http.StatusOK, "recovery-codes", "Your recovery codes", codes, nil)
}

// DisableTOTP turns two-step sign-in off after the password is
// confirmed, ending every other session.
func (h *Handler) DisableTOTP(c echo.Context) error {
	u := user(c)
	ok, err := h.passwords.Verify(c.Request().Context(), u.PasswordHash, c.FormValue("password"))
	if err != nil {
		return err
	}
	if !ok {
		return h.renderSettings(c, http.StatusUnprocessableEntity, map[string]string{"disable_password": "That is not your password."})
	}
	nu, err := h.admin.DisableTOTP(c.Request().Context(), h.who(c))
	if err != nil {
		return err
	}
	if err := h.keepSession(c, nu); err != nil {
		return err
	}
	return h.redirect(c, "/admin/settings", "Two-step sign-in is off. Other sessions were signed out.")
}
