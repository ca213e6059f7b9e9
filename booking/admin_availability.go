package booking

import (
	"context"
	"fmt"
	"time"
)

// Availability returns the weekly hours, and the overrides and time off
// that end today or later in the practice's zone.
func (a *Admin) Availability(ctx context.Context) (Availability, error) {
	_, today, err := a.today(ctx)
	if err != nil {
		return Availability{}, err
	}
	return a.store.Availability(ctx, today)
}

// PastDay is what a change of hours for a day already gone is refused with.
const PastDay = "That day has passed. Choose today or a later day."

// NotPast refuses, as EINVALID on field, a date before today in the
// practice's zone: hours or time off for a day already gone change nothing
// a client can book, and were almost always meant for another year.
func (a *Admin) NotPast(ctx context.Context, field string, d Date) error {
	_, today, err := a.today(ctx)
	if err != nil {
		return err
	}
	if d.Before(today) {
		return FieldErrors{field: PastDay}.Err()
	}
	return nil
}

// SaveWeekly replaces the weekly hours. EINVALID as ValidateWeekly.
func (a *Admin) SaveWeekly(ctx context.Context, who Actor, ws []WeeklyWindow) error {
	if err := ValidateWeekly(ws); err != nil {
		return err
	}
	return a.change(ctx, who, "availability.weekly", func(tx AdminStore, now time.Time) (string, error) {
		return fmt.Sprintf("windows:%d", len(ws)), tx.ReplaceWeekly(ctx, ws, now)
	})
}

// SetOverride sets the hours of one date. EINVALID as ValidateOverride,
// and for a date before today (NotPast).
func (a *Admin) SetOverride(ctx context.Context, who Actor, o Override) error {
	if err := ValidateOverride(o); err != nil {
		return err
	}
	if err := a.NotPast(ctx, "date", o.Date); err != nil {
		return err
	}
	return a.change(ctx, who, "availability.override.set", func(tx AdminStore, now time.Time) (string, error) {
		return "date:" + o.Date.String(), tx.SetOverride(ctx, o, now)
	})
}

// DeleteOverride returns date d to the weekly hours. ENOTFOUND when it
// has no override.
func (a *Admin) DeleteOverride(ctx context.Context, who Actor, d Date) error {
	return a.change(ctx, who, "availability.override.delete", func(tx AdminStore, now time.Time) (string, error) {
		return "date:" + d.String(), tx.DeleteOverride(ctx, d, now)
	})
}

// AddTimeOff closes the dates from first to last. EINVALID as
// ValidateTimeOff, and for a first day before today (NotPast).
func (a *Admin) AddTimeOff(ctx context.Context, who Actor, first, last Date) (TimeOff, error) {
	if err := ValidateTimeOff(first, last); err != nil {
		return TimeOff{}, err
	}
	if err := a.NotPast(ctx, "first", first); err != nil {
		return TimeOff{}, err
	}
	var t TimeOff
	err := a.change(ctx, who, "availability.time_off.add", func(tx AdminStore, now time.Time) (string, error) {
		var err error
		t, err = tx.AddTimeOff(ctx, first, last, now)
		return fmt.Sprintf("time_off:%d", t.ID), err
	})
	if err != nil {
		return TimeOff{}, err
	}
	return t, nil
}

// DeleteTimeOff removes a time-off range. ENOTFOUND.
func (a *Admin) DeleteTimeOff(ctx context.Context, who Actor, id int64) error {
	return a.change(ctx, who, "availability.time_off.delete", func(tx AdminStore, now time.Time) (string, error) {
		return fmt.Sprintf("time_off:%d", id), tx.DeleteTimeOff(ctx, id, now)
	})
}
