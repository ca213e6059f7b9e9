package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"consult/booking"
)

// UpdateSettings implements booking.AvailabilityStore. It takes the booking lock
// so no booking is checked against half-changed rules.
func (s *Store) UpdateSettings(ctx context.Context, st booking.Settings, now time.Time) error {
	return s.transact(ctx, func(tx txn) error {
		if err := lockBookings(ctx, tx); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			UPDATE practice_settings SET practice_name = $1, time_zone = $2, slot_minutes = $3,
				buffer_minutes = $4, min_notice_minutes = $5, not_same_day = $6, horizon_days = $7,
				daily_cap = $8, updated_at = $9, availability_changed_at = $9`,
			st.PracticeName, st.TimeZone, minutes(st.SlotLength), minutes(st.Buffer), minutes(st.MinNotice),
			st.NotSameDay, st.HorizonDays, st.DailyCap, stamp(now))
		if err != nil {
			return fmt.Errorf("storage: update settings: %w", translate(err))
		}
		if tag.RowsAffected() == 0 {
			return booking.Errorf(booking.ENOTFOUND, "The practice has no settings yet.")
		}
		return nil
	})
}

// Availability implements booking.AvailabilityStore.
func (s *Store) Availability(ctx context.Context, from booking.Date) (booking.Availability, error) {
	var a booking.Availability
	var err error
	if a.Weekly, err = loadWeekly(ctx, s.db); err != nil {
		return a, err
	}
	rows, err := s.db.Query(ctx, `
		SELECT d.day, d.closed,
		       coalesce(array_agg(w.start_minute ORDER BY w.start_minute) FILTER (WHERE w.id IS NOT NULL), '{}'),
		       coalesce(array_agg(w.end_minute ORDER BY w.start_minute) FILTER (WHERE w.id IS NOT NULL), '{}')
		FROM date_overrides d LEFT JOIN override_windows w ON w.day = d.day
		WHERE d.day >= $1 GROUP BY d.day ORDER BY d.day`, dateValue(from))
	if err != nil {
		return a, fmt.Errorf("storage: overrides: %w", translate(err))
	}
	a.Overrides, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.Override, error) {
		var day time.Time
		var o booking.Override
		var starts, ends []int16
		if err := r.Scan(&day, &o.Closed, &starts, &ends); err != nil {
			return o, err
		}
		o.Date = booking.DateOf(day)
		for i := range starts {
			o.Windows = append(o.Windows, booking.TimeRange{Start: booking.Clock(starts[i]), End: booking.Clock(ends[i])})
		}
		return o, nil
	})
	if err != nil {
		return a, fmt.Errorf("storage: overrides: %w", translate(err))
	}
	rows, err = s.db.Query(ctx, `SELECT id, first_day, last_day FROM time_off WHERE last_day >= $1 ORDER BY first_day, id`, dateValue(from))
	if err != nil {
		return a, fmt.Errorf("storage: time off: %w", translate(err))
	}
	a.TimeOff, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.TimeOff, error) {
		var t booking.TimeOff
		var first, last time.Time
		err := r.Scan(&t.ID, &first, &last)
		t.First, t.Last = booking.DateOf(first), booking.DateOf(last)
		return t, err
	})
	if err != nil {
		return a, fmt.Errorf("storage: time off: %w", translate(err))
	}
	return a, nil
}

// ReplaceWeekly implements booking.AvailabilityStore.
func (s *Store) ReplaceWeekly(ctx context.Context, weekly []booking.WeeklyWindow, now time.Time) error {
	return s.transact(ctx, func(tx txn) error {
		if err := lockBookings(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM weekly_windows`); err != nil {
			return translate(err)
		}
		for _, w := range weekly {
			if _, err := tx.Exec(ctx, `INSERT INTO weekly_windows (weekday, start_minute, end_minute) VALUES ($1, $2, $3)`,
				int(w.Weekday), int(w.Start), int(w.End)); err != nil {
				return fmt.Errorf("storage: weekly hours: %w", translate(err))
			}
		}
		return stampAvailability(ctx, tx, now)
	})
}

// SetOverride implements booking.AvailabilityStore.
func (s *Store) SetOverride(ctx context.Context, o booking.Override, now time.Time) error {
	return s.transact(ctx, func(tx txn) error {
		if err := lockBookings(ctx, tx); err != nil {
			return err
		}
		day := dateValue(o.Date)
		if _, err := tx.Exec(ctx, `DELETE FROM date_overrides WHERE day = $1`, day); err != nil {
			return translate(err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO date_overrides (day, closed) VALUES ($1, $2)`, day, o.Closed); err != nil {
			return fmt.Errorf("storage: override: %w", translate(err))
		}
		for _, w := range o.Windows {
			if o.Closed {
				break // a closed day has no hours
			}
			if _, err := tx.Exec(ctx, `INSERT INTO override_windows (day, start_minute, end_minute) VALUES ($1, $2, $3)`,
				day, int(w.Start), int(w.End)); err != nil {
				return fmt.Errorf("storage: override: %w", translate(err))
			}
		}
		return stampAvailability(ctx, tx, now)
	})
}

// DeleteOverride implements booking.AvailabilityStore.
func (s *Store) DeleteOverride(ctx context.Context, d booking.Date, now time.Time) error {
	return s.transact(ctx, func(tx txn) error {
		if err := lockBookings(ctx, tx); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM date_overrides WHERE day = $1`, dateValue(d))
		if err != nil {
			return translate(err)
		}
		if tag.RowsAffected() == 0 {
			return booking.Errorf(booking.ENOTFOUND, "That date has no special hours.")
		}
		return stampAvailability(ctx, tx, now)
	})
}

// AddTimeOff implements booking.AvailabilityStore.
func (s *Store) AddTimeOff(ctx context.Context, first, last booking.Date, now time.Time) (booking.TimeOff, error) {
	t := booking.TimeOff{First: first, Last: last}
	err := s.transact(ctx, func(tx txn) error {
		if err := lockBookings(ctx, tx); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO time_off (first_day, last_day) VALUES ($1, $2) RETURNING id`,
			dateValue(first), dateValue(last)).Scan(&t.ID)
		if err != nil {
			return fmt.Errorf("storage: time off: %w", translate(err))
		}
		return stampAvailability(ctx, tx, now)
	})
	return t, err
}

// DeleteTimeOff implements booking.AvailabilityStore.
func (s *Store) DeleteTimeOff(ctx context.Context, id int64, now time.Time) error {
	return s.transact(ctx, func(tx txn) error {
		if err := lockBookings(ctx, tx); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM time_off WHERE id = $1`, id)
		if err != nil {
			return translate(err)
		}
		if tag.RowsAffected() == 0 {
			return booking.Errorf(booking.ENOTFOUND, "No such time off.")
		}
		return stampAvailability(ctx, tx, now)
	})
}
