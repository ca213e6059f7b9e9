package admin

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"consult/booking/password"
	"consult/web/i18n"
)

// settingsData is the account and practice settings page.
type settingsData struct {
	PracticeName      string
	TwoFactor         bool
	RecoveryCodesLeft int
	// Languages are the admin area's languages to choose from, Language
	// the one the page is in.
	Languages []i18n.Lang
	Language  i18n.Lang
}

func (h *Handler) renderSettings(c echo.Context, status int, errs map[string]string) error {
	u := user(c)
	left, err := h.store.RecoveryCodesLeft(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	d := settingsData{PracticeName: h.svc.PracticeName(c.Request().Context()), TwoFactor: u.TwoFactor(), RecoveryCodesLeft: left,
		Languages: languages, Language: lang(c)}
	return h.render(c, status, "settings", "Practice and sign-in", d, errs)
}

// Settings shows the account and practice settings.
func (h *Handler) Settings(c echo.Context) error {
	return h.renderSettings(c, http.StatusOK, nil)
}

// RenamePractice saves the practice's name.
func (h *Handler) RenamePractice(c echo.Context) error {
	if err := h.admin.RenamePractice(c.Request().Context(), h.who(c), c.FormValue("practice_name")); err != nil {
		if fe := fieldErrors(err); fe != nil {
			return h.renderSettings(c, http.StatusUnprocessableEntity, fe)
		}
		return err
	}
	return h.redirect(c, "/admin/settings", "The practice name is saved.")
}

// SetLanguage stores the language the practitioner reads the admin area
// in; the page that confirms it is already in it.
func (h *Handler) SetLanguage(c echo.Context) error {
	u, err := h.admin.SetLanguage(c.Request().Context(), h.who(c), c.FormValue("language"))
	if err != nil {
		if fe := fieldErrors(err); fe != nil {
			return h.renderSettings(c, http.StatusUnprocessableEntity, fe)
		}
		return err
	}
	c.Set(ctxUser, u)
	return h.redirect(c, "/admin/settings", "The language is saved.")
}

// ChangePassword sets a new password after checking the current
// one, and ends every other session.
func (h *Handler) ChangePassword(c echo.Context) error {
	u := user(c)
	current, next, confirm := c.FormValue("current_password"), c.FormValue("new_password"), c.FormValue("confirm_password")
	errs := map[string]string{}
	ok, err := h.passwords.Verify(c.Request().Context(), u.PasswordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		errs["current_password"] = "That is not your current password."
	}
	if msg := password.CheckPolicy(next, u.Email); msg != "" {
		errs["new_password"] = msg
	} else if next != confirm {
		errs["confirm_password"] = "The two new passwords differ."
	}
	if len(errs) > 0 {
		return h.renderSettings(c, http.StatusUnprocessableEntity, errs)
	}
	hash, err := h.passwords.Hash(c.Request().Context(), next)
	if err != nil {
		return err
	}
	nu, err := h.admin.ChangePassword(c.Request().Context(), h.who(c), hash)
	if err != nil {
		return err
	}
	if err := h.keepSession(c, nu); err != nil {
		return err
	}
	return h.redirect(c, "/admin/settings", "Your password is changed. Other sessions were signed out.")
}
