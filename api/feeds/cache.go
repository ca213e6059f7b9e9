package feeds

import (
	"context"
	"time"

	"consult/api/httpx"
	"consult/calendar"
)

// The open-slots feed's copies. Calendar apps revalidate the feed every
// 15 minutes, so nearly all its requests are conditional, and the rest
// mostly ask for content this process has already built: both should
// cost about what a constant answer costs, not a read of the bookings and
// a build of the feed (bench/RESULTS.md, "Why the feed copies exist").
// The data's version is a one-row read of the change stamps (migration
// 00005), and besides:
//
//   - a conditional request may be answered from a version this process
//     read less than httpx.VersionTTL ago (and before any change it made
//     itself): a change made on another instance within that second can
//     get one more 304 for the content before it, exactly as from a cache
//     that may keep the feed five minutes (availabilityCache). A tag is
//     never attached to other bytes than its own: whatever is sent with a
//     200 is built from data read afresh.
//   - the last feed built is kept with its bytes, as is and gzipped
//     (lastOpen), so a full GET of unchanged data is a copy in either
//     encoding; concurrent builds of one version are shared, so 32
//     clients cost one build and one compression, not 32.

// openNotModified returns the tag of a 304 for cond, from a request that
// takes gzip or not (gz), when the content the client holds is the
// content at now of the data at version.
func (h *Handler) openNotModified(cond conditions, gz bool, version string, now time.Time) (string, bool) {
	// A tag the client holds names content still current, in an encoding
	// it may be sent (encoding.go).
	if tag, ok := cond.matchEncodedTag(gz, func(opaque string) bool { return h.openTagCurrent(opaque, version, now) }); ok {
		return tag, true
	}
	// The content it got at If-Modified-Since is what this process last built.
	if m := h.lastOpen.Load(); m != nil && m.tag != "" && m.version == version && m.covers(now) {
		if cond.anyTag || cond.notModifiedSince(m.stamp, now) {
			return encodedTag(m.tag, gz), true
		}
	}
	return "", false
}

// openFeed returns the open-slots feed at now for the data at v, which
// must have been read afresh: the last one built when it is still the
// same content, else a new one, built once for all the requests that ask
// for it at the same time.
func (h *Handler) openFeed(ctx context.Context, v *httpx.Version, now time.Time) (*openSlotsMemo, error) {
	if m := h.lastOpen.Load(); m != nil && m.version == v.Value && m.covers(now) {
		return m, nil
	}
	got, err, _ := h.builds.Do(v.Value, func() (any, error) {
		// Detached from the first caller's request, which the others do
		// not depend on; the build is bounded by its own queries.
		return h.buildOpenFeed(context.WithoutCancel(ctx), v, now)
	})
	if err != nil {
		return nil, err
	}
	if m := got.(*openSlotsMemo); m.covers(now) {
		return m, nil
	}
	// Built for another moment (a request arriving as the content turns).
	return h.buildOpenFeed(ctx, v, now)
}

// buildOpenFeed builds the feed and names it. The data is read after v,
// so it may be newer than v; reading the version again afterwards shows
// whether it is: when it is unchanged, no change committed in between and
// the bytes are v's content, and only then do they get v's tag. Else it
// starts again from the newer version (a few times; under constant change
// it sends the feed untagged, which is always correct).
func (h *Handler) buildOpenFeed(ctx context.Context, v *httpx.Version, now time.Time) (*openSlotsMemo, error) {
	for range 3 {
		open, err := h.openSlots(ctx, now)
		if err != nil {
			return nil, err
		}
		stamp := open.since
		if v.Changed.After(stamp) {
			stamp = v.Changed
		}
		body, err := calendar.AvailabilityFeed(h.practice(open.settings), open.slots, stamp)
		if err != nil {
			return nil, err
		}
		after, _, err := h.versions.Get(ctx, now, false)
		if err != nil {
			return nil, err
		}
		m := &openSlotsMemo{version: v.Value, since: open.since, until: open.until, stamp: stamp, body: body, gz: gzipFeed(body)}
		if after.Value == v.Value {
			m.tag = h.openTag(v.Value, open.until)
			h.lastOpen.Store(m)
			return m, nil
		}
		v = after
	}
	return h.untagged(ctx, now)
}

// untagged builds the feed once more without naming it, for data that
// kept changing while it was built.
func (h *Handler) untagged(ctx context.Context, now time.Time) (*openSlotsMemo, error) {
	open, err := h.openSlots(ctx, now)
	if err != nil {
		return nil, err
	}
	body, err := calendar.AvailabilityFeed(h.practice(open.settings), open.slots, now)
	if err != nil {
		return nil, err
	}
	return &openSlotsMemo{since: open.since, until: open.until, stamp: now, body: body, gz: gzipFeed(body)}, nil
}
