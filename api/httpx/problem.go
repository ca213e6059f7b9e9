// Package httpx is the HTTP plumbing every audience of the service shares:
// problem+json errors and the one error handler, JSON decoding with
// limits, middleware (request ids, logging, panics, timeouts, security
// headers, compression, same-origin checks, rate limits), metrics, and
// cached response copies with the write counter that keeps them fresh.
package httpx

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"consult/booking"
)

// statusOf maps each domain error code to its HTTP status: the one table.
var statusOf = map[string]int{
	booking.EINVALID:      http.StatusUnprocessableEntity,
	booking.ENOTFOUND:     http.StatusNotFound,
	booking.ECONFLICT:     http.StatusConflict,
	booking.EUNAUTHORIZED: http.StatusUnauthorized,
	booking.ETOOMANY:      http.StatusTooManyRequests,
	booking.EUNAVAILABLE:  http.StatusServiceUnavailable,
	booking.EINTERNAL:     http.StatusInternalServerError,
}

// titleOf gives each status a short, stable title for problem responses.
var titleOf = map[int]string{
	http.StatusBadRequest:            "The request could not be read.",
	http.StatusUnauthorized:          "Sign-in required.",
	http.StatusNotFound:              "Not found.",
	http.StatusMethodNotAllowed:      "Method not allowed.",
	http.StatusConflict:              "That is not possible now.",
	http.StatusRequestEntityTooLarge: "The request is too large.",
	http.StatusUnsupportedMediaType:  "The request must be JSON.",
	http.StatusUnprocessableEntity:   "Some fields are not valid.",
	http.StatusTooManyRequests:       "Too many requests.",
	http.StatusInternalServerError:   "Something went wrong on our side.",
	http.StatusServiceUnavailable:    "The service is briefly unavailable.",
}

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail,omitempty"`
	Errors map[string]string `json:"errors,omitempty"`
}

// ProblemFor turns any error into the problem to send and whether it is a
// server fault worth logging. Client-facing text comes only from domain
// messages and fixed titles, never from err.Error().
func ProblemFor(err error) (Problem, bool) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		p := Problem{Status: he.Code, Title: titleOf[he.Code]}
		if p.Title == "" {
			p.Title = http.StatusText(he.Code)
		}
		if msg, ok := he.Message.(string); ok && he.Code < 500 && he.Internal == nil {
			p.Detail = msg
		}
		p.Type = problemType(p.Status)
		return p, he.Code >= 500
	}
	code := booking.ErrorCode(err)
	status := statusOf[code]
	p := Problem{Status: status, Title: titleOf[status], Detail: booking.ErrorMessage(err), Type: problemType(status)}
	if status == http.StatusConflict {
		// Conflicts differ in kind (a taken time, a cancelled booking, a
		// limit reached); the domain's message names this one clearly.
		p.Title = p.Detail
	}
	var de *booking.Error
	if errors.As(err, &de) {
		if len(de.Fields) > 0 {
			p.Errors = de.Fields
		}
		if de.Kind != "" {
			// A refused time says which rule refused it: /problems/taken,
			// /problems/too-soon, …
			p.Type = "/problems/" + de.Kind
		}
	}
	return p, status >= 500
}

func problemType(status int) string {
	return "/problems/" + strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "-"))
}

// ErrorHandler returns Echo's one error handler: problem+json under /api
// and for clients that do not want HTML, page (an error page) otherwise.
// Only server faults are logged.
func ErrorHandler(logger *slog.Logger, page func(c echo.Context, p Problem)) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		p, serverFault := ProblemFor(err)
		// A client that went away mid-request is not a fault worth logging,
		// nor is a request the gate turned away (its line in the request
		// log says so): under a flood, one more line each would only add
		// to the work.
		if serverFault && !errors.Is(err, context.Canceled) && !errors.Is(err, errBusy) {
			logger.ErrorContext(c.Request().Context(), "request failed",
				"method", c.Request().Method, "route", c.Path(), "status", p.Status, "error", err)
		}
		if c.Response().Committed {
			return
		}
		if p.Status == http.StatusTooManyRequests || p.Status == http.StatusServiceUnavailable {
			if c.Response().Header().Get("Retry-After") == "" {
				c.Response().Header().Set("Retry-After", "30")
			}
		}
		if strings.HasPrefix(c.Request().URL.Path, "/api/") || !wantsHTML(c) {
			WriteProblem(c, p)
			return
		}
		page(c, p)
	}
}

// WriteProblem sends p as application/problem+json, never cached.
func WriteProblem(c echo.Context, p Problem) {
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(p.Status)
		return
	}
	c.Response().WriteHeader(p.Status)
	_ = JSONEncoder(c.Response()).Encode(p)
}

func wantsHTML(c echo.Context) bool {
	accept := c.Request().Header.Get(echo.HeaderAccept)
	return accept == "" || strings.Contains(accept, "text/html") || strings.Contains(accept, "*/*")
}
