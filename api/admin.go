package api

import (
	"strings"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
)

// ctxAPIActor is the Echo context key of who is acting in an admin API
// request; requireToken sets it.
const ctxAPIActor = "admin_api_actor"

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
		c.Set(ctxAPIActor, booking.Actor{UserID: u.ID, Via: booking.ViaToken, TokenID: t.ID, Address: httpx.ClientAddr(c)})
		return next(c)
	}
}

// who is who is acting in an admin API request, as requireToken found them.
func who(c echo.Context) booking.Actor {
	a, ok := c.Get(ctxAPIActor).(booking.Actor)
	if !ok {
		return booking.Actor{Via: booking.ViaAnonymous, Address: httpx.ClientAddr(c)}
	}
	return a
}
