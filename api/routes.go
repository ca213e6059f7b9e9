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
	// The gate, just after them, bounds the handlers running at once
	// (httpx.Gate); the health checks and metrics always pass it.
	e.Use(httpx.SecurityHeaders(s.base.Scheme == "https"), s.gate.Limit, httpx.Compress(), s.changes.Note)
	// No request this service accepts comes near 64 KB; JSON bodies have
	// their own, smaller limit.
	// The practitioner's photo upload alone may be larger (its route has
	// a limit of its own).
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "64K",
		Skipper: func(c echo.Context) bool { return c.Path() == photoUploadPath }}))

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	if !s.cfg.MetricsElsewhere {
		e.GET("/metrics", s.metrics.Handler(s.cfg.MetricsToken))
	}

	// Per-address budgets: one for making bookings, one for changing them
	// by token, one for signing in. Reading a booking by token is bounded
	// by a budget of its own that counts only unknown tokens: it stops
	// guessing without limiting a client who opens their own link again
	// and again.
	bookLimit, manageLimit, signInLimit := httpx.Limiter(s.cfg.RateLimitPerMinute), httpx.Limiter(s.cfg.RateLimitPerMinute), httpx.Limiter(s.cfg.RateLimitPerMinute)
	guessLimit := httpx.FailureLimiter(s.cfg.RateLimitPerMinute, func(status int) bool { return status == http.StatusNotFound })

	v1 := e.Group("/api/v1")
	v1.GET("/openapi.yaml", s.openAPI)
	v1.GET("/slots", s.slots)
	v1.GET("/practice", s.publicPractice)
	v1.POST("/bookings", s.createBooking, bookLimit)
	v1.GET("/bookings/:token", s.getBooking, guessLimit)
	v1.DELETE("/bookings/:token", s.cancelBooking, manageLimit)
	v1.GET("/challenge", s.challenge, bookLimit)
	v1.POST("/waitlist", s.joinWaitlist, bookLimit)
	v1.POST("/bookings/:token/reschedule", s.rescheduleBooking, manageLimit)

	// Static files and public pages.
	if s.site != nil {
		e.GET("/static/*", echo.WrapHandler(s.web.AssetHandler()))
		e.GET("/favicon.ico", s.site.Favicon)
		e.GET("/robots.txt", s.site.Robots)
		e.GET("/sitemap.xml", s.site.Sitemap)
		e.GET("/", s.site.Home)
		e.GET("/about", s.site.About)
		e.GET("/practice/photo", s.site.Photo)
		for _, slug := range web.RoutedPages() {
			e.GET("/"+slug, s.site.Content(slug))
		}
		e.GET("/book", s.site.BookForm)
		e.POST("/book", s.site.Book, bookLimit, httpx.SameOrigin)
		e.GET("/book/check-email", s.site.CheckEmail, s.site.EmbeddedIfAsked)
		// The booking page for other websites' frames (embed.js makes them).
		e.GET("/embed.js", s.site.EmbedScript)
		e.GET("/embed/theme.css", s.site.EmbedTheme)
		e.GET("/embed/book", s.site.BookForm, s.site.Embedded)
		e.POST("/embed/book", s.site.Book, bookLimit, httpx.SameOrigin, s.site.Embedded)
		e.GET("/waitlist", s.site.WaitlistForm)
		e.POST("/waitlist", s.site.JoinWaitlist, bookLimit, httpx.SameOrigin)
		e.GET("/waitlist/check-email", s.site.WaitlistCheckEmail)
		entry := e.Group("/waitlist/:token", guessLimit, httpx.PrivatePage)
		entry.GET("", s.site.WaitlistEntry)
		entry.POST("/confirm", s.site.ConfirmWaitlist, manageLimit, httpx.SameOrigin)
		entry.GET("/leave", s.site.LeaveWaitlistForm)
		entry.POST("/leave", s.site.LeaveWaitlist, manageLimit, httpx.SameOrigin)
		manage := e.Group("/manage/:token", guessLimit, httpx.PrivatePage)
		manage.GET("", s.site.Manage)
		manage.GET("/confirmation", s.site.Confirmation, s.site.EmbeddedIfAsked)
		manage.GET("/consultation.ics", s.site.CalendarFile)
		manage.GET("/cancel", s.site.CancelForm)
		manage.POST("/cancel", s.site.Cancel, manageLimit, httpx.SameOrigin)
		manage.POST("/confirm", s.site.ConfirmHold, manageLimit, httpx.SameOrigin)
		manage.POST("/reschedule", s.site.Reschedule, manageLimit, httpx.SameOrigin)
		manage.GET("/leave-waitlist", s.site.LeaveWaitlistFromOffer)
		manage.POST("/leave-waitlist", s.site.LeaveWaitlistFromOffer, manageLimit, httpx.SameOrigin)
	}

	// Admin area and admin API. Every route in these groups needs a
	// signed-in session (pages) or an API token; only signing in is open.
	// A new admin page goes in the adm group and into the nav list of
	// package admin.
	area := s.adminArea
	e.GET("/admin/sign-in", area.SignInForm, area.LoadSession)
	e.POST("/admin/sign-in", area.SignIn, signInLimit, area.LoadSession)
	adm := e.Group("/admin", area.RequireSignIn)
	adm.GET("", area.Home) // the week calendar
	adm.GET("/dashboard", area.Dashboard)
	adm.POST("/sign-out", area.SignOut)
	adm.GET("/bookings", area.Bookings)
	adm.POST("/bookings", area.SearchBookings)
	adm.GET("/bookings/new", area.BookForm)
	adm.POST("/bookings/new", area.BookClient)
	adm.GET("/bookings/:id", area.Booking)
	adm.GET("/bookings/:id/move", area.MoveForm)
	adm.POST("/bookings/:id/move", area.MoveBooking)
	adm.GET("/bookings/:id/cancel", area.CancelForm)
	adm.POST("/bookings/:id/cancel/preview", area.CancelPreview)
	adm.POST("/bookings/:id/cancel", area.CancelBooking)
	adm.POST("/bookings/:id/restore", area.RestoreBooking)
	adm.POST("/bookings/:id/status", area.SetStatus)
	adm.POST("/bookings/:id/note", area.SaveNote)
	adm.GET("/export/bookings.csv", area.ExportBookings)
	adm.GET("/clients", area.Clients)
	adm.POST("/clients/export", area.ExportClient)
	adm.POST("/clients/erase", area.EraseClient)
	adm.GET("/availability", area.Availability)
	adm.POST("/availability/weekly", area.SaveWeekly)
	adm.POST("/availability/overrides", area.SaveOverride)
	adm.POST("/availability/overrides/:date/delete", area.DeleteOverride)
	adm.POST("/availability/time-off", area.AddTimeOff)
	adm.POST("/availability/time-off/:id/delete", area.DeleteTimeOff)
	adm.GET("/rules", area.Rules)
	adm.POST("/rules", area.SaveRules)
	adm.GET("/practice", area.Practice)
	adm.POST("/practice", area.SaveProfile)
	adm.POST("/practice/email", area.SaveMailWording)
	adm.POST("/practice/modes", area.SaveModes)
	adm.POST("/practice/questions", area.SaveQuestions)
	adm.POST("/practice/photo", area.SavePhoto, middleware.BodyLimit("6M"))
	adm.POST("/practice/photo/delete", area.DeletePhoto)
	adm.GET("/settings", area.Settings)
	adm.POST("/settings/practice", area.RenamePractice)
	adm.POST("/settings/language", area.SetLanguage)
	adm.POST("/settings/password", area.ChangePassword, area.RequireRecentAuth)
	adm.POST("/settings/sign-out-everywhere", area.SignOutEverywhere)
	adm.GET("/confirm", area.ConfirmForm)
	adm.POST("/confirm", area.Confirm)
	adm.POST("/settings/totp/start", area.StartTOTP, area.RequireRecentAuth)
	adm.POST("/settings/totp/confirm", area.ConfirmTOTP, area.RequireRecentAuth)
	adm.POST("/settings/totp/disable", area.DisableTOTP, area.RequireRecentAuth)
	adm.GET("/tokens", area.Tokens)
	adm.POST("/tokens", area.CreateToken, area.RequireRecentAuth)
	adm.POST("/tokens/:id/revoke", area.RevokeToken)
	adm.GET("/waitlist", area.Waitlist)
	adm.POST("/waitlist/setting", area.SetWaitlist)
	adm.POST("/waitlist/:id/remove", area.RemoveWaitlistEntry)
	adm.GET("/embed", area.Embed)
	adm.POST("/embed", area.SaveEmbed)
	adm.GET("/webhooks", area.Webhooks)
	adm.POST("/webhooks", area.CreateWebhook, area.RequireRecentAuth)
	adm.POST("/webhooks/:id/test", area.TestWebhook)
	adm.POST("/webhooks/:id/enable", area.EnableWebhook)
	adm.POST("/webhooks/:id/delete", area.DeleteWebhook)
	adm.GET("/audit", area.AuditLog)
	adm.GET("/calendar", area.Calendar)
	adm.POST("/calendar/rotate", area.RotateFeedSecret)
	adm.POST("/calendar/settings", area.SaveFeedSettings)
	adm.GET("/calendars", area.Calendars)
	adm.POST("/calendars", area.AddCalendar)
	adm.POST("/calendars/:id/sync", area.SyncCalendar)
	adm.POST("/calendars/:id/delete", area.RemoveCalendar)
	adm.GET("/email", area.Emails)
	adm.GET("/email/:id", area.Email)
	adm.POST("/email/:id/retry", area.RetryEmail)

	adminAPI := e.Group("/api/v1/admin", s.requireToken)
	adminAPI.GET("/settings", s.settings)
	adminAPI.PUT("/settings", s.saveSettings)
	adminAPI.GET("/practice", s.adminPractice)
	adminAPI.PUT("/practice", s.saveAdminPractice)
	adminAPI.GET("/availability", s.availability)
	adminAPI.PUT("/availability/weekly", s.saveWeekly)
	adminAPI.PUT("/availability/overrides/:date", s.setOverride)
	adminAPI.DELETE("/availability/overrides/:date", s.deleteOverride)
	adminAPI.POST("/availability/time-off", s.addTimeOff)
	adminAPI.DELETE("/availability/time-off/:id", s.deleteTimeOff)
	adminAPI.GET("/bookings", s.listBookings)
	adminAPI.POST("/bookings", s.bookForClient)
	adminAPI.POST("/bookings/:id/reschedule", s.moveBooking)
	adminAPI.POST("/bookings/:id/restore", s.restoreBooking)
	adminAPI.GET("/bookings/:id", s.anyBooking)
	adminAPI.POST("/bookings/:id/cancel", s.cancelAnyBooking)
	adminAPI.PUT("/bookings/:id/status", s.setStatus)
	adminAPI.GET("/webhooks", s.listWebhooks)
	adminAPI.POST("/webhooks", s.createWebhook)
	adminAPI.DELETE("/webhooks/:id", s.deleteWebhook)
	adminAPI.POST("/webhooks/:id/test", s.testWebhook)
	adminAPI.POST("/webhooks/:id/enable", s.enableWebhook)
	adminAPI.GET("/webhooks/:id/deliveries", s.webhookDeliveries)
	adminAPI.GET("/calendar-sources", s.listCalendarSources)
	adminAPI.POST("/calendar-sources", s.addCalendarSource)
	adminAPI.DELETE("/calendar-sources/:id", s.deleteCalendarSource)
	adminAPI.POST("/calendar-sources/:id/sync", s.syncCalendarSource)

	// Calendar feeds.
	if s.feed != nil {
		e.Match(feeds.Methods, "/calendar/availability.ics", s.feed.Availability)
		// Echo cannot match ":secret.ics"; the handler strips the suffix.
		e.Match(feeds.Methods, "/calendar/bookings/:file", s.feed.Bookings)
	}
}

// photoUploadPath is the one route whose body may exceed 64 KB.
const photoUploadPath = "/admin/practice/photo"
