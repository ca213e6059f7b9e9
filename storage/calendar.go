package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"consult/booking"
)

// Calendar sources and the busy time read from them. The address and the
// password are sealed with the store's secret sealer (the mail keys).
// Every change to busy time, or to whether a stale source blocks booking,
// runs under the booking lock and moves the availability stamp, so a
// booking either sees the change or was made before it, and every copy
// of the slots is refreshed.

const calendarSourceColumns = `c.id, c.kind, c.host, c.username, c.owner_email, c.ignore_declined, c.write_bookings,
	c.status, c.last_attempt, c.last_success, c.last_error, c.stale, c.created_at,
	(SELECT count(*) FROM busy_intervals b WHERE b.source_id = c.id)`

func scanCalendarSource(row pgx.Row, extra ...any) (*booking.CalendarSource, error) {
	var src booking.CalendarSource
	dest := append([]any{&src.ID, &src.Kind, &src.Host, &src.Username, &src.OwnerEmail, &src.IgnoreDeclined, &src.WriteBookings,
		&src.Status, &src.LastAttempt, &src.LastSuccess, &src.LastError, &src.Stale, &src.CreatedAt, &src.BusyIntervals}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, booking.Errorf(booking.ENOTFOUND, "There is no such calendar.")
		}
		return nil, translate(err)
	}
	src.CreatedAt = src.CreatedAt.UTC()
	for _, p := range []**time.Time{&src.LastAttempt, &src.LastSuccess} {
		if *p != nil {
			t := (*p).UTC()
			*p = &t
		}
	}
	return &src, nil
}

// seal seals a secret for storage; without a sealer it is kept as is,
// as the two-step secret is.
func (s *Store) seal(plain string) (string, error) {
	if s.secrets == nil || plain == "" {
		return plain, nil
	}
	return s.secrets.SealSecret(plain)
}

func (s *Store) open(stored string) (string, error) {
	if s.secrets == nil || stored == "" {
		return stored, nil
	}
	return s.secrets.OpenSecret(stored)
}

// AddCalendarSource implements booking.CalendarStore.
func (s *Store) AddCalendarSource(ctx context.Context, n booking.NewCalendarSource, now time.Time) (*booking.CalendarSource, error) {
	url, err := s.seal(n.URL)
	if err != nil {
		return nil, fmt.Errorf("storage: seal calendar address: %w", err)
	}
	password, err := s.seal(n.Password)
	if err != nil {
		return nil, fmt.Errorf("storage: seal calendar password: %w", err)
	}
	var src *booking.CalendarSource
	err = s.transact(ctx, func(tx txn) error {
		// Counted under a lock so that parallel adds cannot pass the bound.
		if _, err := tx.Exec(ctx, `LOCK TABLE calendar_sources IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return translate(err)
		}
		var count int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM calendar_sources`).Scan(&count); err != nil {
			return translate(err)
		}
		if count >= booking.MaxCalendarSources {
			return booking.Errorf(booking.EINVALID, "At most %d calendars can be linked; remove one first.", booking.MaxCalendarSources)
		}
		src, err = scanCalendarSource(tx.QueryRow(ctx, `
			WITH c AS (
				INSERT INTO calendar_sources (kind, url_sealed, host, username, password_sealed, owner_email,
					ignore_declined, write_bookings, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *)
			SELECT `+calendarSourceColumns+` FROM c`,
			n.Kind, url, booking.CalendarHost(n.URL), n.Username, password, n.OwnerEmail, n.IgnoreDeclined, n.WriteBookings, stamp(now)))
		return err
	})
	if err != nil {
		return nil, err
	}
	return src, nil
}

// CalendarSources implements booking.CalendarStore.
func (s *Store) CalendarSources(ctx context.Context) ([]booking.CalendarSource, error) {
	rows, err := s.db.Query(ctx, `SELECT `+calendarSourceColumns+` FROM calendar_sources c ORDER BY c.id`)
	if err != nil {
		return nil, fmt.Errorf("storage: calendar sources: %w", translate(err))
	}
	defer rows.Close()
	out := []booking.CalendarSource{}
	for rows.Next() {
		src, err := scanCalendarSource(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: calendar sources: %w", err)
		}
		out = append(out, *src)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: calendar sources: %w", translate(err))
	}
	return out, nil
}

// CalendarSource implements booking.CalendarStore.
func (s *Store) CalendarSource(ctx context.Context, id int64) (*booking.CalendarSource, error) {
	return scanCalendarSource(s.db.QueryRow(ctx, `SELECT `+calendarSourceColumns+` FROM calendar_sources c WHERE c.id = $1`, id))
}

// DeleteCalendarSource implements booking.CalendarStore.
func (s *Store) DeleteCalendarSource(ctx context.Context, id int64, now time.Time) error {
	return s.transact(ctx, func(tx txn) error {
		if err := lockBookings(ctx, tx); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM calendar_sources WHERE id = $1`, id)
		if err != nil {
			return translate(err)
		}
		if tag.RowsAffected() == 0 {
			return booking.Errorf(booking.ENOTFOUND, "There is no such calendar.")
		}
		return stampAvailability(ctx, tx, now)
	})
}

// DueCalendarSyncs returns the sources due a sync at now: never tried,
// or last tried at least every ago, and not being synced elsewhere.
func (s *Store) DueCalendarSyncs(ctx context.Context, now time.Time, every time.Duration) ([]int64, error) {
	rows, err := s.db.Query(ctx, `
		SELECT id FROM calendar_sources
		WHERE (last_attempt IS NULL OR last_attempt <= $1::timestamptz - $2::interval)
		  AND (lease_until IS NULL OR lease_until <= $1)
		ORDER BY last_attempt NULLS FIRST, id`, stamp(now), every)
	if err != nil {
		return nil, fmt.Errorf("storage: due calendar syncs: %w", translate(err))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("storage: due calendar syncs: %w", translate(err))
	}
	return ids, nil
}

// ClaimCalendarSync takes the lease on source id for owner until
// now+lease and returns what the sync needs. ECONFLICT while another
// lease runs (even the same owner's), so one source is never synced twice at once, on
// one instance or several; a lease whose holder died runs out. ENOTFOUND.
func (s *Store) ClaimCalendarSync(ctx context.Context, id int64, owner string, now time.Time, lease time.Duration) (*booking.CalendarSync, error) {
	var job booking.CalendarSync
	var url, password string
	src, err := scanCalendarSource(s.db.QueryRow(ctx, `
		WITH c AS (
			UPDATE calendar_sources SET lease_owner = $2, lease_until = $3, last_attempt = $4
			WHERE id = $1 AND (lease_until IS NULL OR lease_until <= $4)
			RETURNING *)
		SELECT `+calendarSourceColumns+`, c.url_sealed, c.password_sealed, c.etag, c.last_modified, c.sync_token FROM c`,
		id, owner, stamp(now).Add(lease), now), &url, &password, &job.ETag, &job.LastModified, &job.SyncToken)
	if booking.ErrorCode(err) == booking.ENOTFOUND {
		if _, err := s.CalendarSource(ctx, id); err != nil {
			return nil, err
		}
		return nil, booking.Errorf(booking.ECONFLICT, "This calendar is being read right now. Please try again in a minute.")
	}
	if err != nil {
		return nil, fmt.Errorf("storage: claim calendar sync: %w", err)
	}
	job.Source = *src
	if job.Credentials.URL, err = s.open(url); err != nil {
		return nil, fmt.Errorf("storage: open calendar address: %w", err)
	}
	if job.Credentials.Password, err = s.open(password); err != nil {
		return nil, fmt.Errorf("storage: open calendar password: %w", err)
	}
	job.Credentials.Username = src.Username
	return &job, nil
}

// FinishCalendarSync records how owner's sync of source id ended, at
// now, and gives up the lease. A successful sync replaces the source's
// busy time (only when it changed: then the availability stamp moves);
// a failed one keeps it and notes the error, and marks the source stale
// once it has gone unseen for staleAfter (0: never), which blocks
// booking. ECONFLICT when the lease was lost (it ran out and another
// sync took it): nothing is written.
func (s *Store) FinishCalendarSync(ctx context.Context, id int64, owner string, r booking.CalendarSyncResult, now time.Time, staleAfter time.Duration) (*booking.CalendarSource, error) {
	var src *booking.CalendarSource
	err := s.transact(ctx, func(tx txn) error {
		// The booking lock first, as bookings take it: a booking either
		// sees this sync's busy time or was checked before it.
		if err := lockBookings(ctx, tx); err != nil {
			return err
		}
		var leaseOwner *string
		var seen time.Time
		var stale bool
		err := tx.QueryRow(ctx, `SELECT lease_owner, coalesce(last_success, created_at), stale
			FROM calendar_sources WHERE id = $1 FOR UPDATE`, id).Scan(&leaseOwner, &seen, &stale)
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.Errorf(booking.ENOTFOUND, "There is no such calendar.")
		}
		if err != nil {
			return translate(err)
		}
		if leaseOwner == nil || *leaseOwner != owner {
			return booking.Errorf(booking.ECONFLICT, "This calendar's sync was taken over by another.")
		}
		changed := false
		if r.Error == "" {
			if !r.NotModified {
				if changed, err = replaceBusy(ctx, tx, id, r.Busy); err != nil {
					return err
				}
			}
			changed = changed || stale
			_, err = tx.Exec(ctx, `UPDATE calendar_sources SET status = 'ok', last_success = $2, last_error = '',
				etag = $3, last_modified = $4, sync_token = $5, stale = false, lease_owner = NULL, lease_until = NULL
				WHERE id = $1`, id, stamp(now), r.ETag, r.LastModified, r.SyncToken)
		} else {
			nowStale := staleAfter > 0 && !seen.After(now.Add(-staleAfter))
			changed = nowStale != stale
			_, err = tx.Exec(ctx, `UPDATE calendar_sources SET status = 'error', last_error = $2, stale = $3,
				lease_owner = NULL, lease_until = NULL WHERE id = $1`, id, r.Error, nowStale)
		}
		if err != nil {
			return translate(err)
		}
		if changed {
			if err := stampAvailability(ctx, tx, now); err != nil {
				return err
			}
		}
		src, err = scanCalendarSource(tx.QueryRow(ctx, `SELECT `+calendarSourceColumns+` FROM calendar_sources c WHERE c.id = $1`, id))
		return err
	})
	if err != nil {
		return nil, err
	}
	return src, nil
}

// replaceBusy makes busy the source's busy time, reporting whether it
// differs from what was held.
func replaceBusy(ctx context.Context, tx txn, id int64, busy []booking.Interval) (bool, error) {
	held, err := sourceBusy(ctx, tx, id)
	if err != nil {
		return false, err
	}
	busy = slices.Clone(busy)
	slices.SortFunc(busy, func(a, b booking.Interval) int { return a.Start.Compare(b.Start) })
	if slices.EqualFunc(held, busy, func(a, b booking.Interval) bool { return a.Start.Equal(b.Start) && a.End.Equal(b.End) }) {
		return false, nil
	}
	if _, err := tx.Exec(ctx, `DELETE FROM busy_intervals WHERE source_id = $1`, id); err != nil {
		return false, translate(err)
	}
	starts, ends := make([]time.Time, len(busy)), make([]time.Time, len(busy))
	for i, iv := range busy {
		starts[i], ends[i] = iv.Start, iv.End
	}
	_, err = tx.Exec(ctx, `INSERT INTO busy_intervals (source_id, during)
		SELECT $1, tstzrange(s, e, '[)') FROM unnest($2::timestamptz[], $3::timestamptz[]) AS t(s, e) WHERE s < e`,
		id, starts, ends)
	if err != nil {
		return false, fmt.Errorf("storage: store busy time: %w", translate(err))
	}
	return true, nil
}

// sourceBusy returns a source's busy time, sorted.
func sourceBusy(ctx context.Context, q querier, id int64) ([]booking.Interval, error) {
	rows, err := q.Query(ctx, `SELECT lower(during), upper(during) FROM busy_intervals WHERE source_id = $1 ORDER BY lower(during), upper(during)`, id)
	if err != nil {
		return nil, fmt.Errorf("storage: busy time: %w", translate(err))
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.Interval, error) {
		var iv booking.Interval
		err := r.Scan(&iv.Start, &iv.End)
		iv.Start, iv.End = iv.Start.UTC(), iv.End.UTC()
		return iv, err
	})
}

// CalendarBusy returns the busy time of every source overlapping
// [from, to), by source, for the admin area.
func (s *Store) CalendarBusy(ctx context.Context, from, to time.Time) (map[int64][]booking.Interval, error) {
	rows, err := s.db.Query(ctx, `SELECT source_id, lower(during), upper(during) FROM busy_intervals
		WHERE during && tstzrange($1, $2, '[)') ORDER BY lower(during)`, from, to)
	if err != nil {
		return nil, fmt.Errorf("storage: calendar busy: %w", translate(err))
	}
	defer rows.Close()
	out := map[int64][]booking.Interval{}
	for rows.Next() {
		var id int64
		var iv booking.Interval
		if err := rows.Scan(&id, &iv.Start, &iv.End); err != nil {
			return nil, fmt.Errorf("storage: calendar busy: %w", translate(err))
		}
		iv.Start, iv.End = iv.Start.UTC(), iv.End.UTC()
		out[id] = append(out[id], iv)
	}
	return out, translate(rows.Err())
}

// Blocked time is read for the instants a schedule's dates can cover in
// any zone: from a day before the first date's midnight UTC to two days
// after the last's.
func blockedSpan(from, to booking.Date) (time.Time, time.Time) {
	return dateValue(from).Add(-24 * time.Hour), dateValue(to).Add(48 * time.Hour)
}

// queueCalendarBusy adds to b the reads of the calendars' busy time over
// the dates [from, to] and of whether a stale calendar blocks booking,
// into sched: loaded with the rest of the schedule, in the same round
// trip and, in a booking transaction, under the booking lock.
func queueCalendarBusy(b *pgx.Batch, sched *booking.Schedule, from, to booking.Date) {
	lo, hi := blockedSpan(from, to)
	b.Queue(`SELECT lower(during), upper(during) FROM busy_intervals
		WHERE during && tstzrange($1, $2, '[)') ORDER BY lower(during)`, lo, hi).Query(func(rows pgx.Rows) (err error) {
		sched.Blocked, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.Interval, error) {
			var iv booking.Interval
			err := r.Scan(&iv.Start, &iv.End)
			iv.Start, iv.End = iv.Start.UTC(), iv.End.UTC()
			return iv, err
		})
		if err != nil {
			return fmt.Errorf("storage: load calendar busy time: %w", translate(err))
		}
		sched.Blocked = booking.MergeOverlapping(sched.Blocked)
		return nil
	})
	b.Queue(`SELECT EXISTS (SELECT 1 FROM calendar_sources WHERE stale)`).QueryRow(func(row pgx.Row) error {
		return row.Scan(&sched.CalendarsStale)
	})
}

// blockedWithin returns the blocked intervals (sorted by start, none
// longer than longest) that may overlap the span of the dates [from,
// to], as a slice of blocked, found by binary search: the slot engine
// reads it and does not change it. A few that end before the span may be
// among them; the engine ignores those.
func blockedWithin(blocked []booking.Interval, longest time.Duration, from, to booking.Date) []booking.Interval {
	lo, hi := blockedSpan(from, to)
	search := func(t time.Time) int {
		i, _ := slices.BinarySearchFunc(blocked, t, func(iv booking.Interval, t time.Time) int {
			if iv.Start.Before(t) {
				return -1
			}
			return 1
		})
		return i
	}
	i, j := search(lo.Add(-longest)), search(hi)
	return blocked[i:j:j]
}

// longestOf returns the longest of ivs.
func longestOf(ivs []booking.Interval) time.Duration {
	var d time.Duration
	for _, iv := range ivs {
		d = max(d, iv.End.Sub(iv.Start))
	}
	return d
}
