package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/singleflight"

	"consult/api/httpx"
	"consult/booking"
	"consult/calendar"
)

// The calendar feeds: /calendar/availability.ics (public, open slots) and
// /calendar/bookings/{secret}.ics (the practitioner's bookings).
//
// Calendar apps poll a feed every 15 minutes, so most requests should end
// in a 304 that costs one cheap query. The entity tag therefore comes from
// a version of the data (FeedStore's version queries) and from the time
// the content stays valid, never from the bytes: the content is a pure
// function of both, DTSTAMP included (it is the time of the last change,
// not of the request), so the tag is honestly strong.

// How long the private feed keeps bookings: from 90 days before now, so a
// practitioner can look back over a quarter, and cancelled ones until 30
// days after their cancellation, long enough for every subscribed app to
// have seen STATUS:CANCELLED and removed the event. Both are exact spans
// of 24-hour days, not calendar days.
const (
	feedKeepPast      = 90 * 24 * time.Hour
	feedKeepCancelled = 30 * 24 * time.Hour
)

// Cache policies. The open slots are public and change at most every few
// minutes; letting shared caches keep them for five minutes spares the
// database when many people subscribe. The bookings feed holds personal
// data: no shared cache may store it, and the app revalidates every time,
// which costs one query and a 304.
const (
	availabilityCache = "public, max-age=300"
	bookingsCache     = "private, no-cache"
)

// feedFormat is part of every entity tag: change it when the feeds' output
// changes shape, so subscribers fetch the new form at their next poll.
const feedFormat = "feeds/1"

// feedState is the Server's feed machinery; nil fields mean no feeds.
type feedState struct {
	store booking.FeedStore
	// salt goes into every entity tag: configuration that changes the
	// content (base URL, organiser) without changing the data.
	salt string
	// lastOpen remembers the latest open-slots feed built, with its bytes,
	// for If-Modified-Since, which carries no validity time of its own,
	// and for full requests while the content stays the same.
	lastOpen atomic.Pointer[openSlotsMemo]
	// builds
	// shares concurrent builds of one version. See feeds_cache.go.
	builds  singleflight.Group
	lastTag atomic.Pointer[openTagMemo]
}

// initFeeds sets up the feeds when deps has a FeedStore.
func (s *Server) initFeeds(deps Deps) {
	if deps.Feeds == nil {
		return
	}
	s.feeds = booking.NewFeeds(deps.Feeds, s.base.String(), s.svc.Now)
	s.versions = httpx.NewVersions(s.changes, deps.Feeds.AvailabilityFeedVersion)
	p := s.calendarPractice(booking.Settings{})
	s.feed = &feedState{store: deps.Feeds, salt: feedFormat + "\x00" + s.base.String() + "\x00" + p.Email}
}

// handleAvailabilityFeed serves the open slots of the booking horizon.
func (s *Server) handleAvailabilityFeed(c echo.Context) error {
	ctx := c.Request().Context()
	now := s.svc.Now()
	c.Response().Header().Set(echo.HeaderCacheControl, availabilityCache)
	cond := readConditions(c.Request())
	// The cheap answers: a tag the client holds is still current, or the
	// content it got at If-Modified-Since is what this process last built,
	// judged on a version up to a second old (feeds_cache.go) before
	// anything is read.
	conditional := cond.noneMatch || cond.hasSince
	v, cached, err := s.versions.Get(ctx, now, conditional)
	if err != nil {
		return err
	}
	if tag, ok := s.openNotModified(cond, v.Value, now); ok {
		return notModified(c, tag)
	}
	if cached {
		if v, _, err = s.versions.Get(ctx, now, false); err != nil {
			return err
		}
		if tag, ok := s.openNotModified(cond, v.Value, now); ok {
			return notModified(c, tag)
		}
	}

	m, err := s.openFeed(ctx, v, now)
	if err != nil {
		return err
	}
	if cond.anyTag || (m.tag != "" && cond.notModifiedSince(m.stamp, now)) {
		return notModified(c, m.tag)
	}
	return writeFeed(c, m.body, m.tag, m.stamp, now)
}

// handleBookingsFeed serves the practitioner's bookings. Any request
// whose secret is not the current one gets the same 404 as an unknown
// path, so the route reveals nothing.
func (s *Server) handleBookingsFeed(c echo.Context) error {
	secret, ok := strings.CutSuffix(c.Param("file"), ".ics")
	if !ok || !booking.ValidTokenShape(secret) {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	now := s.svc.Now()
	version, changed, err := s.feed.store.BookingsFeedVersion(ctx, booking.HashToken(secret), now, feedKeepPast, feedKeepCancelled)
	if booking.ErrorCode(err) == booking.ENOTFOUND {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, bookingsCache)
	// The URL is the credential: never send it on as a referrer, never index it.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	tag := s.feedTag("bookings", version, "")
	cond := readConditions(c.Request())
	if _, ok := cond.matchTag(func(t string) bool { return t == tag }); ok || cond.anyTag || cond.notModifiedSince(changed, now) {
		return notModified(c, tag)
	}

	bookings, err := s.feed.store.FeedBookings(ctx, now, feedKeepPast, feedKeepCancelled)
	if err != nil {
		return err
	}
	_, full, err := s.feed.store.FeedSettings(ctx)
	if err != nil {
		return err
	}
	st, err := s.svc.Settings(ctx)
	if err != nil {
		return err
	}
	body, err := calendar.BookingsFeed(s.calendarPractice(st), bookings, full, changed)
	if err != nil {
		return err
	}
	return writeFeed(c, body, tag, changed, now)
}

// feedTag returns a strong entity tag for a feed of kind at version,
// whose content stays the same until the end of the second until
// ("": no end); until is spelled out in the tag so that a revalidation
// can check it without rebuilding the feed.
func (s *Server) feedTag(kind, version, until string) string {
	h := sha256.New()
	for _, part := range []string{s.feed.salt, kind, version, until} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	tag := hex.EncodeToString(h.Sum(nil)[:16])
	if until != "" {
		tag += "." + until
	}
	return `"` + tag + `"`
}

// openTag is the open-slots feed's tag for content valid until until.
func (s *Server) openTag(version string, until time.Time) string {
	return s.feedTag("availability", version, strconv.FormatInt(until.Unix(), 36))
}

// openTagCurrent reports whether opaque, an open-slots tag a client sent,
// still names the current content: the data is at the same version and
// the time the content was valid until has not passed.
func (s *Server) openTagCurrent(opaque, version string, now time.Time) bool {
	_, until, ok := strings.Cut(strings.Trim(opaque, `"`), ".")
	if !ok {
		return false
	}
	end, err := strconv.ParseInt(until, 36, 64)
	if err != nil || now.After(time.Unix(end, 0)) {
		return false
	}
	// Calendar apps send the same tag again and again: remember the last
	// one worked out rather than hash it each time.
	if t := s.feed.lastTag.Load(); t != nil && t.version == version && t.until == until {
		return opaque == t.tag
	}
	t := &openTagMemo{version: version, until: until, tag: s.feedTag("availability", version, until)}
	s.feed.lastTag.Store(t)
	return opaque == t.tag
}

// openTagMemo is an open-slots tag and what it was worked out from.
type openTagMemo struct{ version, until, tag string }

// writeFeed sends a feed, or only its headers for HEAD. A feed built
// while its data kept changing has no tag ("") and is sent without
// validators.
func writeFeed(c echo.Context, body []byte, tag string, stamp, now time.Time) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/calendar; charset=utf-8")
	if tag != "" {
		h.Set("ETag", tag)
		if lm, ok := lastModified(stamp, now); ok {
			h.Set(echo.HeaderLastModified, lm.Format(http.TimeFormat))
		}
	}
	// A compressing middleware drops this again when it encodes the body.
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	if c.Request().Method == http.MethodHead {
		return c.NoContent(http.StatusOK)
	}
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", body)
}

// notModified answers a successful revalidation.
func notModified(c echo.Context, tag string) error {
	if tag != "" {
		c.Response().Header().Set("ETag", tag)
	}
	return c.NoContent(http.StatusNotModified)
}

// Feeds returns the server's feed management, or nil when it serves no feeds.
func (s *Server) Feeds() *booking.Feeds { return s.feeds }
