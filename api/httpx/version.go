package httpx

import (
	"context"
	"sync/atomic"
	"time"
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
type Versions struct {
	read    func(ctx context.Context, now time.Time) (version string, changed time.Time, err error)
	changes *Changes
	last    atomic.Pointer[Version]
}

// NewVersions returns Versions reading with read, kept fresh by changes.
func NewVersions(changes *Changes, read func(ctx context.Context, now time.Time) (string, time.Time, error)) *Versions {
	return &Versions{read: read, changes: changes}
}

// Get returns the data's version at now: the one read last when recent is
// true and it is fresh enough (VersionTTL, and no write through this
// process since), else read afresh. cached reports which.
func (vs *Versions) Get(ctx context.Context, now time.Time, recent bool) (v *Version, cached bool, err error) {
	if recent {
		if v := vs.last.Load(); v != nil && vs.changes.Fresh(v.read, VersionTTL) {
			return v, true, nil
		}
	}
	read := vs.changes.Stamp()
	value, changed, err := vs.read(ctx, now)
	if err != nil {
		return nil, false, err
	}
	v = &Version{Value: value, Changed: changed, read: read}
	// Keep the one read last, should an earlier read finish later.
	for {
		cur := vs.last.Load()
		if (cur != nil && cur.read.After(read)) || vs.last.CompareAndSwap(cur, v) {
			break
		}
	}
	return v, false, nil
}
