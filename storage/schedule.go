package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"consult/booking"
)

// InitSettings stores s as the practice's settings unless settings exist
// already: configuration gives initial values, the admin area owns them after.
func (s *Store) InitSettings(ctx context.Context, st booking.Settings, now time.Time) error {
	_, err := s.db.Exec(ctx, `
		INSERT INTO practice_settings (practice_name, time_zone, slot_minutes, buffer_minutes,
			min_notice_minutes, not_same_day, horizon_days, daily_cap, updated_at, availability_changed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
		ON CONFLICT (id) DO NOTHING`,
		st.PracticeName, st.TimeZone, minutes(st.SlotLength), minutes(st.Buffer),
		minutes(st.MinNotice), st.NotSameDay, st.HorizonDays, st.DailyCap, stamp(now))
	if err != nil {
		return fmt.Errorf("storage: init settings: %w", translate(err))
	}
	return nil
}

// SeedDemoHours stores weekday hours (Monday to Friday, 09:00–12:00 and
// 13:00–17:00) when there are no weekly hours at all, so a new installation
// shows bookable slots at once, stamped now. It reports whether it seeded.
func (s *Store) SeedDemoHours(ctx context.Context, now time.Time) (bool, error) {
	seeded := false
	err := s.transact(ctx, func(tx txn) error {
		if err := lockBookings(ctx, tx); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM weekly_windows`).Scan(&n); err != nil {
			return translate(err)
		}
		if n > 0 {
			return nil
		}
		for wd := time.Monday; wd <= time.Friday; wd++ {
			for _, r := range [][2]int{{9 * 60, 12 * 60}, {13 * 60, 17 * 60}} {
				if _, err := tx.Exec(ctx, `INSERT INTO weekly_windows (weekday, start_minute, end_minute) VALUES ($1, $2, $3)`,
					int(wd), r[0], r[1]); err != nil {
					return translate(err)
				}
			}
		}
		seeded = true
		return stampAvailability(ctx, tx, now)
	})
	if err != nil {
		return false, fmt.Errorf("storage: seed demo hours: %w", err)
	}
	return seeded, nil
}

// Schedule implements booking.Store. It answers from the process's copy
// of the schedule when practice_settings.availability_changed_at shows
// nothing changed since it was read (one one-row query); see cache.go.
// Inside InTx it reads afresh, seeing the transaction's own changes.
func (s *Store) Schedule(ctx context.Context, from, to booking.Date) (booking.Schedule, error) {
	if tx, ok := s.db.(pgx.Tx); ok {
		return loadSchedule(ctx, tx, from, to)
	}
	return s.schedule.get(ctx, s.pool, from, to)
}

// ScheduleAndBusy implements booking's optional one-round-trip read of
// what the slots are computed from: Schedule of [from, to] and Busy of
// [busyFrom, busyTo), the copy's stamp and the busy times sent together.
// Every slots answer computed after a booking, and every booking's first
// look, read both; sent one after the other, they waited twice for the
// database on a loaded machine.
func (s *Store) ScheduleAndBusy(ctx context.Context, from, to booking.Date, busyFrom, busyTo time.Time) (booking.Schedule, []booking.Interval, error) {
	if _, ok := s.db.(pgx.Tx); ok {
		sched, err := s.Schedule(ctx, from, to)
		if err != nil {
			return sched, nil, err
		}
		b, err := s.Busy(ctx, busyFrom, busyTo)
		return sched, b, err
	}
	var stamp time.Time
	var held []booking.Interval
	b := &pgx.Batch{}
	b.Queue(stampSQL).QueryRow(func(row pgx.Row) error { return row.Scan(&stamp) })
	b.Queue(busySQL, busyFrom, busyTo, 0).Query(func(rows pgx.Rows) (err error) {
		held, err = scanBusy(rows)
		return err
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return booking.Schedule{}, nil, fmt.Errorf("storage: schedule and busy: %w", translate(err))
	}
	sched, err := s.schedule.getAt(ctx, s.pool, stamp, from, to)
	return sched, held, err
}

// ScheduleBusyAndVersion is ScheduleAndBusy with the data's version
// (AvailabilityFeedVersion) the busy times are of, all three read in one
// snapshot: the slots API patches its copy of the busy times with the
// changes made after that version (ChangedBetween), and a version read a
// moment before or after them could count a change twice or not at all.
func (s *Store) ScheduleBusyAndVersion(ctx context.Context, from, to booking.Date, busyFrom, busyTo time.Time) (booking.Schedule, []booking.Interval, string, error) {
	var stamp time.Time
	var held []booking.Interval
	var version string
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(availabilityVersionSQL).QueryRow(func(row pgx.Row) (err error) {
			version, _, err = scanAvailabilityVersion(row)
			return err
		})
		b.Queue(stampSQL).QueryRow(func(row pgx.Row) error { return row.Scan(&stamp) })
		b.Queue(busySQL, busyFrom, busyTo, 0).Query(func(rows pgx.Rows) (err error) {
			held, err = scanBusy(rows)
			return err
		})
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return booking.Schedule{}, nil, "", fmt.Errorf("storage: schedule, busy and version: %w", translate(err))
	}
	sched, err := s.schedule.getAt(ctx, s.pool, stamp, from, to)
	return sched, held, version, err
}

// querier is what both a pool and a transaction offer.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// batcher is what both a pool and a transaction offer for sending
// several queries in one round trip.
type batcher interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// loadSchedule reads the schedule afresh, for the checks inside a booking
// transaction, in one round trip: those checks run under the booking
// lock, which every competing request waits for, so each round trip held
// under it lengthens the queue behind it.
func loadSchedule(ctx context.Context, tx batcher, from, to booking.Date) (booking.Schedule, error) {
	c, err := loadScheduleCopy(ctx, tx, from, to)
	if err != nil {
		return booking.Schedule{}, err
	}
	return c.sched, nil
}

const settingsSQL = `
	SELECT practice_name, time_zone, slot_minutes, buffer_minutes, min_notice_minutes,
	       not_same_day, horizon_days, daily_cap, event_title, availability_changed_at,
	       practitioner_name, credentials, bio, contact_email, contact_phone, regions,
	       mail_sender_name, mail_subject, profile_updated_at,
	       video_enabled, video_room, video_base_url, video_details, phone_enabled, phone_details,
	       in_person_enabled, in_person_address, in_person_directions, questions, photo_version
	FROM practice_settings`

// scanSettings reads a row of settingsSQL, with the change stamp into stamp.
func scanSettings(row pgx.Row, stamp *time.Time) (booking.Settings, error) {
	var st booking.Settings
	var slot, buffer, notice int
	var profileAt *time.Time
	p := &st.Profile
	err := row.Scan(&st.PracticeName, &st.TimeZone, &slot, &buffer, &notice,
		&st.NotSameDay, &st.HorizonDays, &st.DailyCap, &st.EventTitle, stamp,
		&p.PractitionerName, &p.Credentials, &p.Bio, &p.ContactEmail, &p.ContactPhone, &p.Regions,
		&p.MailSenderName, &p.MailSubject, &profileAt,
		&p.Modes.Video.Enabled, &p.Modes.Video.Room, &p.Modes.Video.BaseURL, &p.Modes.Video.Details,
		&p.Modes.Phone.Enabled, &p.Modes.Phone.Details,
		&p.Modes.InPerson.Enabled, &p.Modes.InPerson.Address, &p.Modes.InPerson.Directions, &p.Questions, &p.PhotoVersion)
	if err != nil {
		return st, fmt.Errorf("storage: load settings: %w", translate(err))
	}
	if profileAt != nil {
		p.UpdatedAt = profileAt.UTC()
	}
	st.SlotLength = time.Duration(slot) * time.Minute
	st.Buffer = time.Duration(buffer) * time.Minute
	st.MinNotice = time.Duration(notice) * time.Minute
	return st, nil
}

const weeklySQL = `SELECT weekday, start_minute, end_minute FROM weekly_windows ORDER BY weekday, start_minute`

func scanWeekly(rows pgx.Rows) ([]booking.WeeklyWindow, error) {
	ws, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.WeeklyWindow, error) {
		var wd, start, end int16
		err := r.Scan(&wd, &start, &end)
		return booking.WeeklyWindow{Weekday: time.Weekday(wd), TimeRange: booking.TimeRange{Start: booking.Clock(start), End: booking.Clock(end)}}, err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: load weekly hours: %w", translate(err))
	}
	return ws, nil
}

func loadWeekly(ctx context.Context, q querier) ([]booking.WeeklyWindow, error) {
	rows, err := q.Query(ctx, weeklySQL)
	if err != nil {
		return nil, fmt.Errorf("storage: load weekly hours: %w", translate(err))
	}
	return scanWeekly(rows)
}

// overridesSQL returns the overrides for dates in [$1, $2], with every
// date of time off in that range as a closed override (time off wins).
const overridesSQL = `
	SELECT d.day, d.closed OR EXISTS (SELECT 1 FROM time_off t WHERE d.day BETWEEN t.first_day AND t.last_day),
	       coalesce(array_agg(w.start_minute ORDER BY w.start_minute) FILTER (WHERE w.id IS NOT NULL), '{}'),
	       coalesce(array_agg(w.end_minute ORDER BY w.start_minute) FILTER (WHERE w.id IS NOT NULL), '{}')
	FROM date_overrides d LEFT JOIN override_windows w ON w.day = d.day
	WHERE d.day BETWEEN $1 AND $2
	GROUP BY d.day
	UNION ALL
	SELECT g::date, true, '{}', '{}'
	FROM time_off t, generate_series(greatest(t.first_day, $1::date), least(t.last_day, $2::date), interval '1 day') g
	WHERE t.first_day <= $2 AND t.last_day >= $1
	  AND NOT EXISTS (SELECT 1 FROM date_overrides d WHERE d.day = g::date)
	ORDER BY 1`

func scanOverrides(rows pgx.Rows) ([]booking.Override, error) {
	ovs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.Override, error) {
		var day time.Time
		var closed bool
		var starts, ends []int16
		if err := r.Scan(&day, &closed, &starts, &ends); err != nil {
			return booking.Override{}, err
		}
		o := booking.Override{Date: booking.DateOf(day), Closed: closed}
		for i := range starts {
			o.Windows = append(o.Windows, booking.TimeRange{Start: booking.Clock(starts[i]), End: booking.Clock(ends[i])})
		}
		return o, nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: load overrides: %w", translate(err))
	}
	return dedupeOverrides(ovs), nil
}

// dedupeOverrides keeps one override per date; overlapping time-off ranges
// can yield the same closed date twice.
func dedupeOverrides(ovs []booking.Override) []booking.Override {
	out := ovs[:0]
	for _, o := range ovs {
		if n := len(out); n > 0 && out[n-1].Date == o.Date {
			continue
		}
		out = append(out, o)
	}
	return out
}

func dateValue(d booking.Date) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

func minutes(d time.Duration) int { return int(d / time.Minute) }
