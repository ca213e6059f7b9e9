package httpx

import (
	"math"
	"net/netip"
	"strconv"
	"sync"
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

// FailureLimiter returns middleware allowing each client address
// perMinute failed requests a minute (with the same burst) to the routes
// it guards, where failed says which statuses count; requests answered
// otherwise cost nothing. It bounds guessing (of manage tokens, say)
// without limiting the people who hold a right answer. Once an address
// has spent its budget, every request from it gets the 429 until the
// budget refills, right answers included: otherwise the one guessing
// would still learn which guesses are right.
//
// The charge is taken before the handler runs and given back when the
// answer did not fail, so requests sent at once cannot all slip through
// on the last unit of budget.
func FailureLimiter(perMinute int, failed func(status int) bool) echo.MiddlewareFunc {
	if perMinute <= 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	retryAfter := strconv.Itoa(int(math.Ceil(60 / float64(perMinute))))
	budgets := newBudgets(perMinute, time.Now)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			key := limitKey(ClientAddr(c))
			if !budgets.take(key) {
				c.Response().Header().Set("Retry-After", retryAfter)
				return booking.Errorf(booking.ETOOMANY, "Too many requests from your network. Please wait a minute and try again.")
			}
			err := next(c)
			status := c.Response().Status
			if err != nil {
				p, _ := ProblemFor(err)
				status = p.Status
			}
			if !failed(status) {
				budgets.give(key)
			}
			return err
		}
	}
}

// budgets are per-key token buckets that can give a unit back, which
// rate.Limiter cannot once time has moved on. A bucket refilled to its
// burst is the same as none, so such buckets are dropped now and then.
type budgets struct {
	mu        sync.Mutex
	perSecond float64
	burst     float64
	now       func() time.Time // for durations only
	buckets   map[string]*bucket
	swept     time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newBudgets(perMinute int, now func() time.Time) *budgets {
	return &budgets{perSecond: float64(perMinute) / 60, burst: float64(perMinute), now: now,
		buckets: map[string]*bucket{}, swept: now()}
}

// refill returns key's bucket as it stands now, creating a full one.
func (b *budgets) refill(key string, now time.Time) *bucket {
	bk, ok := b.buckets[key]
	if !ok {
		bk = &bucket{tokens: b.burst, at: now}
		b.buckets[key] = bk
	}
	if elapsed := now.Sub(bk.at); elapsed > 0 {
		bk.tokens = min(b.burst, bk.tokens+elapsed.Seconds()*b.perSecond)
	}
	bk.at = now
	return bk
}

// take spends one unit of key's budget, or reports that none is left.
func (b *budgets) take(key string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	b.sweep(now)
	bk := b.refill(key, now)
	if bk.tokens < 1 {
		return false
	}
	bk.tokens--
	return true
}

// give returns a unit taken from key's budget.
func (b *budgets) give(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk := b.refill(key, b.now())
	bk.tokens = min(b.burst, bk.tokens+1)
}

// sweep drops the full buckets, once a minute at most.
func (b *budgets) sweep(now time.Time) {
	if now.Sub(b.swept) < time.Minute {
		return
	}
	b.swept = now
	for key, bk := range b.buckets {
		if bk.tokens+now.Sub(bk.at).Seconds()*b.perSecond >= b.burst {
			delete(b.buckets, key)
		}
	}
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
