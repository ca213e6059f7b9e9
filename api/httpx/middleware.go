package httpx

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// Recover turns a panic in a handler into a 500 and a log line with the
// stack, so one bad request never takes the process down.
func Recover(logger *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				if r := recover(); r != nil {
					if r == http.ErrAbortHandler {
						panic(r)
					}
					logger.ErrorContext(c.Request().Context(), "panic", "route", c.Path(),
						"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
					err = echo.NewHTTPError(http.StatusInternalServerError).SetInternal(fmt.Errorf("panic: %v", r))
				}
			}()
			return next(c)
		}
	}
}

// LogRequests writes one line per request and counts it in m. It logs the
// route pattern, not the path, because paths carry manage tokens and feed
// secrets. It calls the error handler itself, so the status it logs is
// the one sent.
func LogRequests(logger *slog.Logger, m *Metrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now() // for the request's duration only
			defer m.begin()()
			// The request's id and its deadline in one context, and one
			// copy of the request: each copy and context is garbage the
			// collector pays for on every request.
			ctx, cancel := context.WithTimeout(
				withRequestID(c.Request().Context(), c.Response().Header().Get(echo.HeaderXRequestID)), handlerTimeout)
			defer cancel()
			c.SetRequest(c.Request().WithContext(ctx))
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			route, method := routeLabel(c), methodLabel(c.Request().Method)
			m.observe(method, route, c.Response().Status, time.Since(start))
			logger.LogAttrs(ctx, slog.LevelInfo, "request",
				slog.String("method", method),
				slog.String("route", route),
				slog.Int("status", c.Response().Status),
				slog.Duration("duration", time.Since(start)),
			)
			return nil
		}
	}
}

// HeadAsGet answers HEAD like GET on every route that does not handle HEAD
// itself (the feeds do, to skip building the body); net/http sends the
// headers and drops the body.
func HeadAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method == http.MethodHead && !strings.HasPrefix(r.URL.Path, "/calendar/") {
			// Routed as GET; the body is dropped here, since net/http now
			// sees a GET and would send it.
			r.Method = http.MethodGet
			c.Response().Writer = bodyless{c.Response().Writer}
		}
		return next(c)
	}
}

// AssignRequestID gives every request a fresh id, sent back in
// X-Request-ID and put on every log line. An id sent by the client is not
// trusted: it could be long, or carry text into the logs.
func AssignRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		c.Response().Header().Set(echo.HeaderXRequestID, base64.RawURLEncoding.EncodeToString(b))
		return next(c)
	}
}

// handlerTimeout bounds the work of one request (LogRequests sets it on
// the request's context), so a database that stops answering (rather
// than refusing) turns into an error, not a hang.
const handlerTimeout = 20 * time.Second

// bodyless answers with headers only, as HEAD requires.
type bodyless struct{ http.ResponseWriter }

func (bodyless) Write(p []byte) (int, error) { return len(p), nil }
