package api

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"
)

// caches are the process's copies of what the hot public paths serve: the
// practice name and rendered public pages (pages_cache.go), the slots API's
// answers (slots_cache.go); the open-slots feed keeps its own in feedState.
// How stale they may be:
//
//   - The practice name in page headers is read at most every
//     pageNameTTL.
//   - Slots answers, and answers to conditional requests for the
//     open-slots feed, are kept per version of the data they are computed
//     from (AvailabilityFeedVersion, a one-row read of the change stamps
//     the database's triggers keep on every change to the hours, rules
//     and bookings), and that version is read at most every versionTTL.
//     A full request for the feed always reads it afresh.
//
// Changes made through this process are seen at once (see noteWrites):
// a client who books, cancels or reschedules, and the practitioner who
// edits hours or rules, see the change in their very next request.
// Changes made through another instance, or straight in the database,
// show within those bounds (a slot booked elsewhere less than a second
// ago may still be offered; booking it then gets a 409, as in any race).
//
// The zero value is ready to use.
type caches struct {
	// writes counts the state-changing requests this process has answered.
	// A copy taken while it had another value is not used.
	writes atomic.Uint64
	pages  pageCache
	slots  slotsCache
}

// How long a copy may be used without asking the database, for changes
// made elsewhere: two seconds for the practice name, one for the data's
// version (the feed itself tells caches to keep it five minutes).
const (
	pageNameTTL = 2 * time.Second
	versionTTL  = time.Second
)

// noteWrites marks the end of every request that may have changed data
// (any method but GET, HEAD and OPTIONS: admin edits, bookings, sign-ins
// alike), so the copies of this process are read afresh afterwards.
// Handlers answer after their transaction has committed; counting then
// means a copy read concurrently from the data before the change carries
// the old count and is dropped.
func (s *Server) noteWrites(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		// Before the answer goes out, so a client that reads the answer
		// and asks again is served afresh; and at the end, for an answer
		// that wrote nothing.
		c.Response().Before(func() { s.caches.writes.Add(1) })
		defer s.caches.writes.Add(1)
		return next(c)
	}
}

// stamp is when and at which write count a copy was read.
type stamp struct {
	at     time.Time // the service's clock
	writes uint64
}

// stampNow returns the stamp for a copy about to be read.
func (s *Server) stampNow() stamp {
	return stamp{at: s.now(), writes: s.caches.writes.Load()}
}

// fresh reports whether a copy read at st may still be used, for ttl: no
// write since, and less than ttl old on the service's clock. A clock that
// steps back makes every copy stale at once.
func (s *Server) fresh(st stamp, ttl time.Duration) bool {
	if st.writes != s.caches.writes.Load() {
		return false
	}
	age := s.now().Sub(st.at)
	return age >= 0 && age < ttl
}

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

// gzipped compresses body for a copy that is sent many times: once, at
// the default level. A body under 1 KB is not worth it (nil), as for
// responses compressed on the fly.
func gzipped(body []byte) []byte {
	if len(body) < 1024 {
		return nil
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	_, _ = zw.Write(body)
	_ = zw.Close()
	return buf.Bytes()
}

// writeCopy sends a cached answer: gzipped when the client takes it and
// there is a gzipped copy, else as is. The compressing middleware leaves
// an answer that names its encoding alone.
func writeCopy(c echo.Context, contentType string, plain, gz []byte) error {
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
