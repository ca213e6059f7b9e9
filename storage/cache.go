package storage

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"consult/booking"
)

// scheduleCache is the process's copy of the schedule (settings, weekly
// hours, overrides and time off). Nearly every request needs the settings
// and most need the whole schedule, which is three queries, while it
// changes a few times a week. The copy is checked on every use against
// practice_settings.availability_changed_at, which the triggers of
// migration 00002 move in the same transaction as any change to these
// tables, whoever makes it: one one-row query, and never stale, on this
// instance or any other. A booking transaction reads the stamp under the
// booking lock, which every change to the schedule takes exclusively,
// and uses the copy when it was read at that stamp (checkLockedInTx);
// other transactions read afresh, seeing their own changes.
//
// The zero value is an empty cache.
type scheduleCache struct {
	mu  sync.Mutex
	cur *cachedSchedule
}

// cachedSchedule is a schedule as read at one change stamp, with the
// overrides of the dates [from, to].
type cachedSchedule struct {
	stamp    time.Time
	from, to booking.Date
	sched    booking.Schedule
	// longest is the longest of sched.Blocked, for finding those of a
	// span by binary search.
	longest time.Duration
}

// Override dates are read for a wider span than asked, so that requests
// for nearby windows (the slots of the next weeks, the feed's horizon)
// share one copy: from a week before the first date asked to at least
// scheduleAhead days after it, and up to scheduleSpan days in all when
// widened to cover what the copy held already.
const (
	scheduleBehind = 7
	scheduleAhead  = 200
	scheduleSpan   = 3 * 366
)

// stampSQL reads the stamp the copy is checked against.
const stampSQL = `SELECT availability_changed_at FROM practice_settings`

// get returns the schedule with the overrides of [from, to].
func (c *scheduleCache) get(ctx context.Context, pool *pgxpool.Pool, from, to booking.Date) (booking.Schedule, error) {
	var stamp time.Time
	if err := pool.QueryRow(ctx, stampSQL).Scan(&stamp); err != nil {
		return booking.Schedule{}, fmt.Errorf("storage: load settings: %w", translate(err))
	}
	return c.getAt(ctx, pool, stamp, from, to)
}

// at returns the copy's schedule with the overrides of [from, to] when
// the copy was read at stamp and holds those dates; it reads nothing.
func (c *scheduleCache) at(stamp time.Time, from, to booking.Date) (booking.Schedule, bool) {
	c.mu.Lock()
	cur := c.cur
	c.mu.Unlock()
	if cur == nil || !cur.stamp.Equal(stamp) || from.Before(cur.from) || cur.to.Before(to) {
		return booking.Schedule{}, false
	}
	return cur.slice(from, to), true
}

// latest returns the copy's schedule with the overrides of [from, to],
// and the stamp it was read at, when the copy holds those dates; it
// reads nothing, and the stamp may be old.
func (c *scheduleCache) latest(from, to booking.Date) (booking.Schedule, time.Time, bool) {
	c.mu.Lock()
	cur := c.cur
	c.mu.Unlock()
	if cur == nil || from.Before(cur.from) || cur.to.Before(to) {
		return booking.Schedule{}, time.Time{}, false
	}
	return cur.slice(from, to), cur.stamp, true
}

// getAt is get with the stamp read already, a moment ago.
func (c *scheduleCache) getAt(ctx context.Context, pool *pgxpool.Pool, stamp time.Time, from, to booking.Date) (booking.Schedule, error) {
	c.mu.Lock()
	cur := c.cur
	c.mu.Unlock()
	if cur != nil && cur.stamp.Equal(stamp) && !from.Before(cur.from) && !cur.to.Before(to) {
		return cur.slice(from, to), nil
	}

	lo, hi := from.AddDays(-scheduleBehind), to
	if ahead := from.AddDays(scheduleAhead); hi.Before(ahead) {
		hi = ahead
	}
	if cur != nil && cur.stamp.Equal(stamp) {
		ulo, uhi := lo, hi
		if cur.from.Before(ulo) {
			ulo = cur.from
		}
		if uhi.Before(cur.to) {
			uhi = cur.to
		}
		if !ulo.AddDays(scheduleSpan).Before(uhi) {
			lo, hi = ulo, uhi
		}
	}
	fresh, err := loadScheduleCopy(ctx, pool, lo, hi)
	if err != nil {
		return booking.Schedule{}, err
	}
	c.mu.Lock()
	// Keep the newer copy when two loads race; stamps only grow.
	if c.cur == nil || !fresh.stamp.Before(c.cur.stamp) {
		c.cur = fresh
	}
	c.mu.Unlock()
	return fresh.slice(from, to), nil
}

// loadScheduleCopy reads the schedule with the overrides of [from, to] in
// one round trip. The stamp is read with the settings, before the hours
// and overrides, so the copy is never older than its stamp: a change
// committed in between moves the stamp past it, and the next use reloads.
func loadScheduleCopy(ctx context.Context, q batcher, from, to booking.Date) (*cachedSchedule, error) {
	c := &cachedSchedule{from: from, to: to}
	b := &pgx.Batch{}
	b.Queue(settingsSQL).QueryRow(func(row pgx.Row) (err error) {
		c.sched.Settings, err = scanSettings(row, &c.stamp)
		return err
	})
	b.Queue(weeklySQL).Query(func(rows pgx.Rows) (err error) {
		c.sched.Weekly, err = scanWeekly(rows)
		return err
	})
	b.Queue(overridesSQL, dateValue(from), dateValue(to)).Query(func(rows pgx.Rows) (err error) {
		c.sched.Overrides, err = scanOverrides(rows)
		return err
	})
	queueCalendarBusy(b, &c.sched, from, to)
	if err := q.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("storage: load schedule: %w", translate(err))
	}
	c.longest = longestOf(c.sched.Blocked)
	return c, nil
}

// slice returns a copy of the schedule with the overrides of [from, to]
// only; callers may change what they get.
func (c *cachedSchedule) slice(from, to booking.Date) booking.Schedule {
	s := booking.Schedule{Settings: c.sched.Settings}
	s.Weekly = append([]booking.WeeklyWindow(nil), c.sched.Weekly...)
	for _, o := range c.sched.Overrides {
		if o.Date.Before(from) || to.Before(o.Date) {
			continue
		}
		o.Windows = append([]booking.TimeRange(nil), o.Windows...)
		s.Overrides = append(s.Overrides, o)
	}
	s.Blocked = blockedWithin(c.sched.Blocked, c.longest, from, to)
	s.CalendarsStale = c.sched.CalendarsStale
	return s
}
