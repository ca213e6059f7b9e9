package site

import (
	"sync"
	"time"

	"consult/booking"
	"consult/web/i18n"
)

// The zone select names a hundred zones with their UTC offsets, and
// make bench's mixed load measured building it at 46 µs and 519
// allocations for every rendering of the booking form, which follows
// every booking. Its options depend only on the language, the zone
// chosen and the offsets in force, so they are kept until the first of
// those zones changes offset, and for at most zoneGroupsTTL.

// zoneGroupsTTL bounds how long options are kept, whatever the zones'
// rules say.
const zoneGroupsTTL = 15 * time.Minute

// maxZoneGroupCopies bounds the copies kept: any valid zone may be
// asked for by ?tz=.
const maxZoneGroupCopies = 256

// zoneGroupsCache holds the zone select's options per language and zone
// chosen. The zero value is empty.
type zoneGroupsCache struct {
	mu     sync.Mutex
	copies map[zoneGroupsKey]zoneGroupsCopy
}

type zoneGroupsKey struct {
	lang    i18n.Lang
	current string
}

// zoneGroupsCopy is options as built at built, unchanged until until.
type zoneGroupsCopy struct {
	groups       []zoneGroup
	built, until time.Time
}

// get returns zoneGroups(l, current, now), from the copy when one holds
// at now. The groups are shared: read only.
func (c *zoneGroupsCache) get(l i18n.Lang, current string, now time.Time) []zoneGroup {
	key := zoneGroupsKey{lang: l, current: current}
	c.mu.Lock()
	cp, ok := c.copies[key]
	c.mu.Unlock()
	if ok && !now.Before(cp.built) && now.Before(cp.until) {
		return cp.groups
	}
	cp = zoneGroupsCopy{groups: zoneGroups(l, current, now), built: now, until: offsetsUntil(current, now)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.copies == nil || len(c.copies) >= maxZoneGroupCopies {
		c.copies = map[zoneGroupsKey]zoneGroupsCopy{}
	}
	c.copies[key] = cp
	return cp.groups
}

// offsetsUntil returns the first instant after now, within
// zoneGroupsTTL, at which the offset of current or of a listed zone
// changes.
func offsetsUntil(current string, now time.Time) time.Time {
	until := now.Add(zoneGroupsTTL)
	earliest := func(loc *time.Location) {
		if end := zoneEnd(now, loc); !end.IsZero() && end.Before(until) {
			until = end
		}
	}
	if end := nextListedZoneChange(now); !end.IsZero() && end.Before(until) {
		until = end
	}
	if loc, err := booking.CheckZone(current); err == nil {
		earliest(loc)
	}
	return until
}
