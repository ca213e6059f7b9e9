package httpx

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
)

// Changes counts the state-changing requests this process has answered,
// so that copies of public answers (pages, slots, the open-slots feed)
// taken before a change are not served after it. A copy is stamped when
// it is read and used only while Fresh says so: no write through this
// process since, and younger than its time to live on the service's
// clock. Changes made through another instance, or straight in the
// database, show within that time to live.
type Changes struct {
	writes atomic.Uint64
	now    func() time.Time
}

// NewChanges returns a counter reading the service's clock now.
func NewChanges(now func() time.Time) *Changes { return &Changes{now: now} }

// Note marks the end of every request that may have changed data (any
// method but GET, HEAD and OPTIONS: admin edits, bookings, sign-ins
// alike), so the copies of this process are read afresh afterwards.
// Handlers answer after their transaction has committed; counting then
// means a copy read concurrently from the data before the change carries
// the old count and is dropped.
func (ch *Changes) Note(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		// Before the answer goes out, so a client that reads the answer
		// and asks again is served afresh; and at the end, for an answer
		// that wrote nothing.
		c.Response().Before(func() { ch.count(c) })
		defer ch.count(c)
		return next(c)
	}
}

// count counts one write of c's, through its commitWatch when it has one
// (Versions.Watch).
func (ch *Changes) count(c echo.Context) {
	if w, ok := c.Get(commitWatchKey).(*commitWatch); ok && w.vs.changes == ch {
		w.count(ch)
		return
	}
	ch.writes.Add(1)
}

// Stamp is when and at which write count a copy was read.
type Stamp struct {
	at     time.Time // the service's clock
	writes uint64
}

// Stamp returns the stamp for a copy about to be read.
func (ch *Changes) Stamp() Stamp {
	return Stamp{at: ch.now(), writes: ch.writes.Load()}
}

// WrittenSince reports whether a write went through this process since
// st was taken.
func (ch *Changes) WrittenSince(st Stamp) bool { return st.writes != ch.writes.Load() }

// Fresh reports whether a copy read at st may still be used, for ttl: no
// write since, and less than ttl old on the service's clock. A clock that
// steps back makes every copy stale at once.
func (ch *Changes) Fresh(st Stamp, ttl time.Duration) bool {
	if st.writes != ch.writes.Load() {
		return false
	}
	age := ch.now().Sub(st.at)
	return age >= 0 && age < ttl
}

// AcceptsGzip reports whether the request's Accept-Encoding allows gzip,
// for handlers that compress themselves and must know the encoding before
// they answer (the calendar feeds, whose entity tag depends on it).
func AcceptsGzip(r *http.Request) bool { return acceptsGzip(r) }

// acceptsGzip reports whether the request's Accept-Encoding allows gzip:
// named (or x-gzip), or matched by "*", with a weight above zero.
func acceptsGzip(r *http.Request) bool {
	star := false
	for _, v := range r.Header.Values("Accept-Encoding") {
		for rest := v; rest != ""; {
			var part string
			part, rest, _ = strings.Cut(rest, ",")
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			name = strings.ToLower(strings.TrimSpace(name))
			if name != "gzip" && name != "x-gzip" && name != "*" {
				continue
			}
			ok := true
			if k, q, found := strings.Cut(strings.TrimSpace(params), "="); found && strings.EqualFold(strings.TrimSpace(k), "q") {
				w, err := strconv.ParseFloat(strings.TrimSpace(q), 64)
				ok = err == nil && w > 0
			}
			if name == "*" {
				star = ok
				continue
			}
			return ok
		}
	}
	return star
}

// WriteCopy sends a cached answer: gzipped when the client takes it and
// there is a gzipped copy, else as is. The compressing middleware leaves
// an answer that names its encoding alone.
func WriteCopy(c echo.Context, contentType string, plain, gz []byte) error {
	h := c.Response().Header()
	body := plain
	if gz != nil && !slices.Contains(h.Values("Vary"), "Accept-Encoding") {
		h.Add("Vary", "Accept-Encoding")
	}
	if gz != nil && acceptsGzip(c.Request()) {
		h.Set(echo.HeaderContentEncoding, "gzip")
		body = gz
	}
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	return c.Blob(http.StatusOK, contentType, body)
}

// VersionTTL is how long a read of the data's version (the change stamps
// kept on the hours, rules and bookings) may stand in for reading it
// again, for changes made elsewhere. The open-slots feed itself tells
// caches to keep it five minutes.
const VersionTTL = time.Second

// After reports whether st was read later than other, so that of two
// reads racing to be kept, the later one wins.
func (st Stamp) After(other Stamp) bool { return st.at.After(other.at) }
