package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"consult/booking/password"
)

// settingsData is the account and practice settings page.
type settingsData struct {
	PracticeName      string
	TwoFactor         bool
	RecoveryCodesLeft int
}

func (s *Server) renderSettings(c echo.Context, status int, errs map[string]string) error {
	u := actor(c).User
	left, err := s.admin.RecoveryCodesLeft(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	d := settingsData{PracticeName: s.svc.PracticeName(c.Request().Context()), TwoFactor: u.TwoFactor(), RecoveryCodesLeft: left}
	return s.renderAdmin(c, status, "settings", "Settings", d, errs)
}

func (s *Server) handleSettings(c echo.Context) error {
	return s.renderSettings(c, http.StatusOK, nil)
}

func (s *Server) handlePracticeName(c echo.Context) error {
	if err := s.adminOps.RenamePractice(c.Request().Context(), who(c), c.FormValue("practice_name")); err != nil {
		if fe := adminFieldErrors(err); fe != nil {
			return s.renderSettings(c, http.StatusUnprocessableEntity, fe)
		}
		return err
	}
	return s.adminRedirect(c, "/admin/settings", "The practice name is saved.")
}

// handlePasswordChange sets a new password after checking the current
// one, and ends every other session.
func (s *Server) handlePasswordChange(c echo.Context) error {
	u := actor(c).User
	current, next, confirm := c.FormValue("current_password"), c.FormValue("new_password"), c.FormValue("confirm_password")
	errs := map[string]string{}
	ok, err := s.passwords.Verify(c.Request().Context(), u.PasswordHash, current)
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
		return s.renderSettings(c, http.StatusUnprocessableEntity, errs)
	}
	hash, err := s.passwords.Hash(c.Request().Context(), next)
	if err != nil {
		return err
	}
	nu, err := s.adminOps.ChangePassword(c.Request().Context(), who(c), hash)
	if err != nil {
		return err
	}
	if err := s.keepSession(c, nu); err != nil {
		return err
	}
	return s.adminRedirect(c, "/admin/settings", "Your password is changed. Other sessions were signed out.")
}
