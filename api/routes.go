package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"consult/api/feeds"
	"consult/api/httpx"
	"consult/web"
)

// routes registers every route of the service; this is the one list.
func (s *Server) routes() {
	e := s.echo
	e.Pre(middleware.RemoveTrailingSlash(), httpx.HeadAsGet)
	e.Use(httpx.AssignRequestID)
	e.Use(httpx.LogRequests(s.logger, s.metrics))
	e.Use(httpx.Recover(s.logger))
	// Security headers go on before anything can refuse the request, so
	// error responses carry them too.
	e.Use(httpx.SecurityHeaders(s.base.Scheme == "https"), httpx.Compress(), s.changes.Note)
	// No request this service accepts comes near 64 KB; JSON bodies have
	// their own, smaller limit.
	e.Use(middleware.BodyLimit("64K"))
	e.Use(httpx.RequestTimeout)

	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/metrics", s.metrics.Handler(s.cfg.MetricsToken))

	// Per-address budgets: one for making bookings, one for changing them
	// by token, one for signing in. Reading a booking by token is bounded
	// by a budget of its own that counts only unknown tokens: it stops
	// guessing without limiting a client who opens their own link again
	// and again.
	bookLimit, manageLimit, signInLimit := httpx.Limiter(s.cfg.RateLimitPerMinute), httpx.Limiter(s.cfg.RateLimitPerMinute), httpx.Limiter(s.cfg.RateLimitPerMinute)
	guessLimit := httpx.FailureLimiter(s.cfg.RateLimitPerMinute, func(status int) bool { return status == http.StatusNotFound })

	v1 := e.Group("/api/v1")
	v1.GET("/openapi.yaml", s.handleOpenAPI)
	v1.GET("/slots", s.handleSlots)
	v1.POST("/bookings", s.handleCreateBooking, bookLimit)
	v1.GET("/bookings/:token", s.handleGetBooking, guessLimit)
	v1.DELETE("/bookings/:token", s.handleCancelBooking, manageLimit)
	v1.POST("/bookings/:token/reschedule", s.handleRescheduleBooking, manageLimit)

	// Static files and public pages.
	if s.site != nil {
		e.GET("/static/*", echo.WrapHandler(s.web.AssetHandler()))
		e.GET("/favicon.ico", s.site.Favicon)
		e.GET("/robots.txt", s.site.Robots)
		e.GET("/sitemap.xml", s.site.Sitemap)
		e.GET("/", s.site.Home)
		for _, slug := range web.RoutedPages() {
			e.GET("/"+slug, s.site.Content(slug))
		}
		e.GET("/book", s.site.BookForm)
		e.POST("/book", s.site.Book, bookLimit, httpx.SameOrigin)
		manage := e.Group("/manage/:token", guessLimit, httpx.PrivatePage)
		manage.GET("", s.site.Manage)
		manage.GET("/confirmation", s.site.Confirmation)
		manage.GET("/consultation.ics", s.site.CalendarFile)
		manage.GET("/cancel", s.site.CancelForm)
		manage.POST("/cancel", s.site.Cancel, manageLimit, httpx.SameOrigin)
		manage.POST("/reschedule", s.site.Reschedule, manageLimit, httpx.SameOrigin)
	}

	// Admin area and admin API. Every route in these groups needs a
	// signed-in session (pages) or an API token; only signing in is open.
	// A new admin page goes in the adm group and into adminNav.
	e.GET("/admin/sign-in", s.handleSignInForm, s.loadSession)
	e.POST("/admin/sign-in", s.handleSignIn, signInLimit, s.loadSession)
	adm := e.Group("/admin", s.requireAdmin)
	adm.GET("", s.handleAdminHome)
	adm.POST("/sign-out", s.handleSignOut)
	adm.GET("/bookings", s.handleBookingsList)
	adm.POST("/bookings", s.handleBookingsSearch)
	adm.GET("/bookings/:id", s.handleBookingDetail)
	adm.POST("/bookings/:id/cancel", s.handleBookingCancel)
	adm.POST("/bookings/:id/status", s.handleBookingStatus)
	adm.POST("/bookings/:id/note", s.handleBookingNote)
	adm.GET("/export/bookings.csv", s.handleBookingsCSV)
	adm.GET("/clients", s.handleClients)
	adm.POST("/clients/export", s.handleClientExport)
	adm.POST("/clients/erase", s.handleClientErase)
	adm.GET("/availability", s.handleAvailability)
	adm.POST("/availability/weekly", s.handleWeeklySave)
	adm.POST("/availability/overrides", s.handleOverrideSave)
	adm.POST("/availability/overrides/:date/delete", s.handleOverrideDelete)
	adm.POST("/availability/time-off", s.handleTimeOffSave)
	adm.POST("/availability/time-off/:id/delete", s.handleTimeOffDelete)
	adm.GET("/rules", s.handleRules)
	adm.POST("/rules", s.handleRulesSave)
	adm.GET("/settings", s.handleSettings)
	adm.POST("/settings/practice", s.handlePracticeName)
	adm.POST("/settings/password", s.handlePasswordChange)
	adm.POST("/settings/sign-out-everywhere", s.handleSignOutEverywhere)
	adm.POST("/settings/totp/start", s.handleTOTPStart)
	adm.POST("/settings/totp/confirm", s.handleTOTPConfirm)
	adm.POST("/settings/totp/disable", s.handleTOTPDisable)
	adm.GET("/tokens", s.handleTokens)
	adm.POST("/tokens", s.handleTokenCreate)
	adm.POST("/tokens/:id/revoke", s.handleTokenRevoke)
	adm.GET("/audit", s.handleAuditLog)
	adm.GET("/calendar", s.handleCalendar)
	adm.POST("/calendar/rotate", s.handleFeedRotate)
	adm.POST("/calendar/settings", s.handleFeedSettings)
	adm.GET("/email", s.handleEmailList)
	adm.GET("/email/:id", s.handleEmailMessage)
	adm.POST("/email/:id/retry", s.handleEmailRetry)

	adminAPI := e.Group("/api/v1/admin", s.requireToken)
	adminAPI.GET("/settings", s.handleAPIGetSettings)
	adminAPI.PUT("/settings", s.handleAPIPutSettings)
	adminAPI.GET("/availability", s.handleAPIGetAvailability)
	adminAPI.PUT("/availability/weekly", s.handleAPIPutWeekly)
	adminAPI.PUT("/availability/overrides/:date", s.handleAPIPutOverride)
	adminAPI.DELETE("/availability/overrides/:date", s.handleAPIDeleteOverride)
	adminAPI.POST("/availability/time-off", s.handleAPIAddTimeOff)
	adminAPI.DELETE("/availability/time-off/:id", s.handleAPIDeleteTimeOff)
	adminAPI.GET("/bookings", s.handleAPIListBookings)
	adminAPI.GET("/bookings/:id", s.handleAPIGetBooking)
	adminAPI.POST("/bookings/:id/cancel", s.handleAPICancelBooking)
	adminAPI.PUT("/bookings/:id/status", s.handleAPISetStatus)

	// Calendar feeds.
	if s.feed != nil {
		e.Match(feeds.Methods, "/calendar/availability.ics", s.feed.Availability)
		// Echo cannot match ":secret.ics"; the handler strips the suffix.
		e.Match(feeds.Methods, "/calendar/bookings/:file", s.feed.Bookings)
	}
}
