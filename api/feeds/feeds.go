// Package feeds serves the calendar feeds: /calendar/availability.ics,
// the practice's open slots, public for anyone to subscribe to, and
// /calendar/bookings/{secret}.ics, the practitioner's bookings, behind a
// URL whose secret is the credential. What the practitioner manages about
// them (the secret, the wording, the privacy setting) is booking.Feeds.
//
// Calendar apps poll a feed every 15 minutes, so most requests should end
// in a 304 that costs one cheap query. The entity tag therefore comes from
// a version of the data (FeedStore's version queries) and from the time
// the content stays valid, never from the bytes: the content is a pure
// function of both, DTSTAMP included (it is the time of the last change,
// not of the request), so the tag is honestly strong. A client that takes
// gzip gets the feed gzipped, under a tag of its own (encoding.go).
package feeds

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
// database when many people subscribe. The bookings feed holds clients'
// names (and, with full details on, emails and phone numbers): no cache,
// shared or the app's own, may keep a copy on disk. Apps that send their
// entity tag anyway still get a 304 for one query.
const (
	availabilityCache = "public, max-age=300"
	bookingsCache     = "no-store"
)

// feedFormat is part of every entity tag: change it when the feeds' output
// changes shape, so subscribers fetch the new form at their next poll.
const feedFormat = "feeds/1"

// Methods are the HTTP methods both feeds answer.
var Methods = []string{http.MethodGet, http.MethodHead}

// Config is everything a Handler reads, complete at construction.
type Config struct {
	// Store holds what the feeds are built from.
	Store booking.FeedStore
	// Service gives the practice's settings, the slots of each day and
	// the clock (Service.Now).
	Service *booking.Service
	// BaseURL is the absolute URL clients reach the service at; the
	// feeds' links and UIDs are built from it.
	BaseURL string
	// Versions reads the data's version the open-slots feed's copies are
	// kept by; the slots API shares it.
	Versions *httpx.Versions
	// Practice is the organiser side of the calendar objects for the
	// practice's settings.
	Practice func(booking.Settings) calendar.Practice
}

// Handler serves the calendar feeds; its methods are Echo handlers.
type Handler struct {
	store    booking.FeedStore
	svc      *booking.Service
	versions *httpx.Versions
	practice func(booking.Settings) calendar.Practice
	// salt goes into every entity tag: configuration that changes the
	// content (base URL, organiser) without changing the data.
	salt string
	// lastOpen remembers the latest open-slots feed built, with its bytes,
	// for If-Modified-Since, which carries no validity time of its own,
	// and for full requests while the content stays the same.
	lastOpen atomic.Pointer[openSlotsMemo]
	// builds shares concurrent builds of one version; see cache.go.
	builds singleflight.Group
	// lastTag is the open-slots tag worked out last (openTagCurrent).
	lastTag atomic.Pointer[openTagMemo]
}

// New returns a Handler serving the feeds cfg describes.
func New(cfg Config) *Handler {
	p := cfg.Practice(booking.Settings{})
	return &Handler{
		store:    cfg.Store,
		svc:      cfg.Service,
		versions: cfg.Versions,
		practice: cfg.Practice,
		salt:     feedFormat + "\x00" + strings.TrimRight(cfg.BaseURL, "/") + "\x00" + p.Email,
	}
}

// Availability serves the open slots of the booking horizon.
func (h *Handler) Availability(c echo.Context) error {
	ctx := c.Request().Context()
	now := h.svc.Now()
	c.Response().Header().Set(echo.HeaderCacheControl, availabilityCache)
	varyEncoding(c)
	cond, gz := readConditions(c.Request()), acceptsGzip(c)
	// The cheap answers: a tag the client holds is still current, or the
	// content it got at If-Modified-Since is what this process last built,
	// judged on a version up to a second old (cache.go) before anything
	// is read.
	conditional := cond.noneMatch || cond.hasSince
	v, cached, err := h.versions.Get(ctx, now, conditional)
	if err != nil {
		return err
	}
	if tag, ok := h.openNotModified(cond, gz, v.Value, now); ok {
		return notModified(c, tag)
	}
	if cached {
		if v, _, err = h.versions.Get(ctx, now, false); err != nil {
			return err
		}
		if tag, ok := h.openNotModified(cond, gz, v.Value, now); ok {
			return notModified(c, tag)
		}
	}

	m, err := h.openFeed(ctx, v, now)
	if err != nil {
		return err
	}
	if cond.anyTag || (m.tag != "" && cond.notModifiedSince(m.stamp, now)) {
		return notModified(c, encodedTag(m.tag, gz))
	}
	return writeFeed(c, m.body, m.gz, gz, m.tag, m.stamp, now)
}

// Bookings serves the practitioner's bookings, named by the route's
// :file parameter, "{secret}.ics". Any request whose secret is not the
// current one gets the same 404 as an unknown path, so the route reveals
// nothing.
func (h *Handler) Bookings(c echo.Context) error {
	secret, ok := strings.CutSuffix(c.Param("file"), ".ics")
	if !ok || !booking.ValidTokenShape(secret) {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	now := h.svc.Now()
	version, changed, err := h.store.BookingsFeedVersion(ctx, booking.HashToken(secret), now, feedKeepPast, feedKeepCancelled)
	if booking.ErrorCode(err) == booking.ENOTFOUND {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	header := c.Response().Header()
	header.Set(echo.HeaderCacheControl, bookingsCache)
	// The URL is the credential: never send it on as a referrer, never index it.
	header.Set("Referrer-Policy", "no-referrer")
	header.Set("X-Robots-Tag", "noindex, nofollow")
	varyEncoding(c)
	tag := h.feedTag("bookings", version, "")
	cond, gz := readConditions(c.Request()), acceptsGzip(c)
	if held, ok := cond.matchEncodedTag(gz, func(t string) bool { return t == tag }); ok {
		return notModified(c, held)
	}
	if cond.anyTag || cond.notModifiedSince(changed, now) {
		return notModified(c, encodedTag(tag, gz))
	}

	bookings, err := h.store.FeedBookings(ctx, now, feedKeepPast, feedKeepCancelled)
	if err != nil {
		return err
	}
	_, full, err := h.store.FeedSettings(ctx)
	if err != nil {
		return err
	}
	st, err := h.svc.Settings(ctx)
	if err != nil {
		return err
	}
	body, err := calendar.BookingsFeed(h.practice(st), bookings, full, changed)
	if err != nil {
		return err
	}
	// Built for this request alone, so compressed only when it is asked for.
	var zipped []byte
	if gz {
		zipped = gzipFeed(body)
	}
	return writeFeed(c, body, zipped, gz, tag, changed, now)
}

// feedTag returns a strong entity tag for a feed of kind at version,
// whose content stays the same until the end of the second until
// ("": no end); until is spelled out in the tag so that a revalidation
// can check it without rebuilding the feed. It is the tag of the feed as
// is; encodedTag gives the gzipped feed's.
func (h *Handler) feedTag(kind, version, until string) string {
	sum := sha256.New()
	for _, part := range []string{h.salt, kind, version, until} {
		sum.Write([]byte(part))
		sum.Write([]byte{0})
	}
	tag := hex.EncodeToString(sum.Sum(nil)[:16])
	if until != "" {
		tag += "." + until
	}
	return `"` + tag + `"`
}

// openTag is the open-slots feed's tag for content valid until until.
func (h *Handler) openTag(version string, until time.Time) string {
	return h.feedTag("availability", version, strconv.FormatInt(until.Unix(), 36))
}

// openTagCurrent reports whether opaque, an open-slots tag a client sent,
// still names the current content: the data is at the same version and
// the time the content was valid until has not passed.
func (h *Handler) openTagCurrent(opaque, version string, now time.Time) bool {
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
	if t := h.lastTag.Load(); t != nil && t.version == version && t.until == until {
		return opaque == t.tag
	}
	t := &openTagMemo{version: version, until: until, tag: h.feedTag("availability", version, until)}
	h.lastTag.Store(t)
	return opaque == t.tag
}

// openTagMemo is an open-slots tag and what it was worked out from.
type openTagMemo struct{ version, until, tag string }
