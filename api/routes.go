package api

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes registers every route of the service; this is the one list.
func (s *Server) routes() {
	e := s.echo
	e.Pre(middleware.RemoveTrailingSlash())
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{TargetHeader: "X-Request-ID"}))
	e.Use(s.logRequests)
	e.Use(s.recoverPanics)

	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)

	v1 := e.Group("/api/v1")
	v1.GET("/openapi.yaml", s.handleOpenAPI)
	v1.GET("/slots", s.handleSlots)
	v1.POST("/bookings", s.handleCreateBooking)
	v1.GET("/bookings/:token", s.handleGetBooking)
	v1.DELETE("/bookings/:token", s.handleCancelBooking)
	v1.POST("/bookings/:token/reschedule", s.handleRescheduleBooking)

	// Static files and public pages.
	if s.web != nil {
		e.GET("/static/*", echo.WrapHandler(s.web.AssetHandler()))
	}

	// Admin area and admin API.

	// Calendar feeds.
}
