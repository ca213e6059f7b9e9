package booking

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// BookingsPerPage is the size of a page of the bookings lists (the admin
// API's default).
const BookingsPerPage = 25

// CheckAdminCancel is the rule for the practitioner cancelling b at now:
// only a confirmed booking that has not started. ECONFLICT otherwise.
func CheckAdminCancel(b Booking, now time.Time) error {
	if b.Status != StatusConfirmed {
		return Errorf(ECONFLICT, "Only a confirmed booking can be cancelled.")
	}
	if !b.Start.After(now) {
		// Cancelling would send the client a cancellation for a
		// consultation that happened (or is happening).
		return Errorf(ECONFLICT, "This consultation has already taken place; mark it completed or no-show instead.")
	}
	return nil
}

// CheckOutcome is the rule for marking how b went at now: a booking that
// is not cancelled, once it has started. ECONFLICT otherwise.
func CheckOutcome(b Booking, now time.Time) error {
	switch {
	case b.Status == StatusCancelled:
		return Errorf(ECONFLICT, "A cancelled booking cannot be marked.")
	case b.Start.After(now):
		return Errorf(ECONFLICT, "A consultation can be marked only once it has started.")
	}
	return nil
}

// Bookings returns one page of the bookings f selects, judged upcoming
// or past by the clock, and how many match in all, recording the view of
// those returned. EINVALID (q) for a search CheckSearch refuses.
func (a *Admin) Bookings(ctx context.Context, who Actor, f BookingFilter) ([]AdminBooking, int, error) {
	if msg := CheckSearch(f.Query); msg != "" {
		return nil, 0, FieldErrors{"q": msg}.Err()
	}
	f.Now = a.now().UTC()
	bs, total, err := a.store.ListBookings(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if err := a.recordBookings(ctx, who, "bookings.list", bs); err != nil {
		return nil, 0, err
	}
	return bs, total, nil
}

// Booking returns booking id with its private note, recording the view.
// ENOTFOUND.
func (a *Admin) Booking(ctx context.Context, who Actor, id int64) (*AdminBooking, error) {
	b, err := a.store.AdminBooking(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := a.Record(ctx, who, "booking.view", fmt.Sprintf("booking:%d", id)); err != nil {
		return nil, err
	}
	return b, nil
}

// CancelBooking cancels booking id and queues the client's email, with
// message (trimmed; may be empty) in it. EINVALID (message); ENOTFOUND;
// ECONFLICT as CheckAdminCancel.
func (a *Admin) CancelBooking(ctx context.Context, who Actor, id int64, message string) (*Booking, error) {
	message = strings.TrimSpace(message)
	if msg := CheckCancelMessage(message); msg != "" {
		return nil, FieldErrors{"message": msg}.Err()
	}
	var b *Booking
	err := a.change(ctx, who, "booking.cancel", func(tx AdminStore, now time.Time) (string, error) {
		var err error
		b, err = tx.CancelBookingByID(ctx, id, message, now, func(cur Booking) error { return CheckAdminCancel(cur, now) })
		return fmt.Sprintf("booking:%d", id), err
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// SetStatus marks booking id completed or no-show. EINVALID (status) for
// any other status; ENOTFOUND; ECONFLICT as CheckOutcome.
func (a *Admin) SetStatus(ctx context.Context, who Actor, id int64, status Status) (*Booking, error) {
	if status != StatusCompleted && status != StatusNoShow {
		return nil, FieldErrors{"status": "Choose completed or no_show."}.Err()
	}
	var b *Booking
	err := a.change(ctx, who, "booking.status."+string(status), func(tx AdminStore, now time.Time) (string, error) {
		var err error
		b, err = tx.SetBookingStatus(ctx, id, status, now, func(cur Booking) error { return CheckOutcome(cur, now) })
		return fmt.Sprintf("booking:%d", id), err
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// SaveNote replaces the practitioner's private note on booking id (trimmed).
// EINVALID (practitioner_note); ENOTFOUND.
func (a *Admin) SaveNote(ctx context.Context, who Actor, id int64, note string) error {
	note = strings.TrimSpace(note)
	if msg := checkNote(note); msg != "" {
		return FieldErrors{"practitioner_note": msg}.Err()
	}
	return a.change(ctx, who, "booking.note", func(tx AdminStore, now time.Time) (string, error) {
		return fmt.Sprintf("booking:%d", id), tx.SetPractitionerNote(ctx, id, note, now)
	})
}

// ExportBookings returns the bookings starting on the practice-local
// dates from to to (YYYY-MM-DD, at most a year apart), any status,
// recording the export. EINVALID for other dates.
func (a *Admin) ExportBookings(ctx context.Context, who Actor, from, to string) ([]AdminBooking, error) {
	first, err1 := ParseDate(from)
	last, err2 := ParseDate(to)
	if err1 != nil || err2 != nil || last.Before(first) || first.AddDays(366).Before(last) {
		return nil, Errorf(EINVALID, "Give the first and last day as YYYY-MM-DD, the last not before the first and at most a year later.")
	}
	loc, _, err := a.today(ctx)
	if err != nil {
		return nil, err
	}
	bs, err := a.store.BookingsBetween(ctx, first.In(0, loc), last.AddDays(1).In(0, loc))
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(bs))
	for i, b := range bs {
		ids[i] = b.ID
	}
	if err := a.Record(ctx, who, "bookings.export_csv", fmt.Sprintf("%s range:%s..%s", BookingsTarget(ids), first, last)); err != nil {
		return nil, err
	}
	return bs, nil
}
