package httpx

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"consult/booking"
)

// Version is a version of the data the public answers are computed from
// (the hours, rules and bookings), as read at one moment.
type Version struct {
	// Value identifies the data; Changed is when it last changed.
	Value   string
	Changed time.Time
	read    Stamp
}

// Versions reads the data's version and keeps the latest read, so that
// the slots API and the open-slots feed, whose copies are kept per
// version, need not ask the database on every request. The read is a
// one-row query of the change stamps the database keeps.
//
// After a write through this process every request needs the version
// afresh, and under make bench's mixed load (a write every few
// milliseconds, 32 connections) each read it for itself: most requests
// queried the database, queuing for its connections. A request now takes
// the read already under way when it began after the last write, as
// a read of its own would.
type Versions struct {
	read    func(ctx context.Context, now time.Time) (version string, changed time.Time, err error)
	changes *Changes
	last    atomic.Pointer[Version]

	mu      sync.Mutex
	reading *versionRead // the read under way, if any

	advancing sync.Mutex // held while a watched write is counted (Watch)
}

// versionRead is a read of the version that requests share.
type versionRead struct {
	read Stamp
	done chan struct{}
	v    *Version
	err  error
}

// NewVersions returns Versions reading with read, kept fresh by changes.
func NewVersions(changes *Changes, read func(ctx context.Context, now time.Time) (string, time.Time, error)) *Versions {
	return &Versions{read: read, changes: changes}
}

// Recent returns the version read last while it may still be used as
// Get would (VersionTTL, and no write through this process since), and
// never reads it.
func (vs *Versions) Recent() (*Version, bool) {
	if v := vs.last.Load(); v != nil && vs.changes.Fresh(v.read, VersionTTL) {
		return v, true
	}
	return nil, false
}

// Get returns the data's version at now: the one read last when recent is
// true and it is fresh enough (VersionTTL, and no write through this
// process since), else read afresh. cached reports which.
func (vs *Versions) Get(ctx context.Context, now time.Time, recent bool) (v *Version, cached bool, err error) {
	if !recent {
		// Afresh: from a read that starts now, not one under way.
		r := &versionRead{read: vs.changes.Stamp(), done: make(chan struct{})}
		vs.readInto(ctx, r, now)
		return r.v, false, r.err
	}
	if v := vs.last.Load(); v != nil && vs.changes.Fresh(v.read, VersionTTL) {
		return v, true, nil
	}
	vs.mu.Lock()
	r := vs.reading
	if r == nil || !vs.changes.Fresh(r.read, VersionTTL) {
		r = &versionRead{read: vs.changes.Stamp(), done: make(chan struct{})}
		vs.reading = r
		vs.mu.Unlock()
		// Detached from this request: others may wait for it.
		vs.readInto(context.WithoutCancel(ctx), r, now)
	} else {
		vs.mu.Unlock()
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	if r.err != nil {
		return nil, false, r.err
	}
	return r.v, false, nil
}

// readInto reads the version for r and keeps it as the latest, unless a
// read begun later finished first.
func (vs *Versions) readInto(ctx context.Context, r *versionRead, now time.Time) {
	defer func() {
		vs.mu.Lock()
		if vs.reading == r {
			vs.reading = nil
		}
		vs.mu.Unlock()
		close(r.done)
	}()
	value, changed, err := vs.read(ctx, now)
	if err != nil {
		r.err = err
		return
	}
	r.v = &Version{Value: value, Changed: changed, read: r.read}
	vs.keep(r.v)
}

// keep makes v the latest version read, unless one read later is kept
// already.
func (vs *Versions) keep(v *Version) {
	for {
		cur := vs.last.Load()
		if (cur != nil && cur.read.After(v.read)) || vs.last.CompareAndSwap(cur, v) {
			return
		}
	}
}

// Watch returns the context for the booking write c makes. Once the
// write has committed (booking.CommitWatcher) and is counted
// (Changes.Note), the latest version read, when fresh but for this
// write, is brought forward by it rather than read again: under make
// bench's mixed load every booking and cancellation made the next
// request read the version afresh, and every request after it wait for
// that read. The version keeps the time it was read at, so changes made
// elsewhere still show within VersionTTL. Without Versions (nil) the
// context is the request's.
func (vs *Versions) Watch(c echo.Context) context.Context {
	return vs.WatchFrom(c.Request().Context(), c)
}

// WatchFrom is Watch deriving the write's context from ctx, a context of
// c's request.
func (vs *Versions) WatchFrom(ctx context.Context, c echo.Context) context.Context {
	if vs == nil {
		return ctx
	}
	w := &commitWatch{vs: vs}
	c.Set(commitWatchKey, w)
	return booking.WithCommitWatcher(ctx, w)
}

// commitWatchKey is where Watch leaves a request's commitWatch for Note.
const commitWatchKey = "httpx.commitWatch"

// commitWatch is one write request's booking.CommitWatcher.
type commitWatch struct {
	vs      *Versions
	advance func(string) (string, time.Time, bool) // nil until committed
	applied bool                                   // advance made on the latest version
}

func (w *commitWatch) Committed(advance func(string) (string, time.Time, bool)) {
	w.advance = advance
}

// count counts one of the request's writes in ch, and brings the latest
// version forward by the write when that version was fresh just before:
// read (or brought forward) at the count before this one. It keeps the
// time of its reading, VersionTTL after which Get reads afresh. Watched
// writes are counted one at a time, so two cannot each find the other's
// change missing; a write counted without a watch leaves the version
// stale, as before. A version read since the write's first count shows
// it already, and is only brought to the second.
func (w *commitWatch) count(ch *Changes) {
	vs := w.vs
	vs.advancing.Lock()
	defer vs.advancing.Unlock()
	cur := vs.last.Load()
	n := ch.writes.Add(1)
	if w.advance == nil || cur == nil || cur.read.writes != n-1 {
		return
	}
	next := &Version{Value: cur.Value, Changed: cur.Changed, read: Stamp{at: cur.read.at, writes: n}}
	if !w.applied {
		value, changed, ok := w.advance(cur.Value)
		if !ok {
			return
		}
		next.Value, w.applied = value, true
		if changed.After(next.Changed) {
			next.Changed = changed
		}
	}
	vs.last.CompareAndSwap(cur, next)
}
