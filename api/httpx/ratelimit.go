package httpx

import (
	"math"
	"net/netip"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"consult/booking"
)

// Limiter returns middleware allowing each client address perMinute
// requests a minute (with the same burst) to the routes it guards, and a
// 429 problem with Retry-After beyond that. Each group gets its own
// budget, so browsing a booking cannot use up the budget for making one.
// The counts are per instance: behind several instances the effective
// limit is a multiple, which is still a bound.
func Limiter(perMinute int) echo.MiddlewareFunc {
	if perMinute <= 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	retryAfter := strconv.Itoa(int(math.Ceil(60 / float64(perMinute))))
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(float64(perMinute) / 60), Burst: perMinute, ExpiresIn: 3 * time.Minute,
		}),
		IdentifierExtractor: func(c echo.Context) (string, error) { return limitKey(ClientAddr(c)), nil },
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", retryAfter)
			return booking.Errorf(booking.ETOOMANY, "Too many requests from your network. Please wait a minute and try again.")
		},
		ErrorHandler: func(c echo.Context, err error) error { return err },
	})
}

// limitKey is the budget an address draws on: the address itself for IPv4,
// its /64 network for IPv6, since one client usually holds a whole /64
// and could otherwise rotate through it.
func limitKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil || ip.Is4() || ip.Is4In6() {
		return addr
	}
	p, err := ip.Prefix(64)
	if err != nil {
		return addr
	}
	return p.String()
}

// ClientAddr is the peer's address. Forwarding headers count only when an
// IPExtractor was configured for a trusted proxy; otherwise anyone could
// claim any address and slip past per-address throttling.
func ClientAddr(c echo.Context) string {
	if c.Echo().IPExtractor != nil {
		return c.RealIP()
	}
	return echo.ExtractIPDirect()(c.Request())
}
