package notify_test

import (
	"context"
	"sync/atomic"
	"testing"

	"consult/booking"
	"consult/notify"
	"consult/storage"
)

// bookingReads is the store, counting the worker's reads of bookings.
type bookingReads struct {
	*storage.Store
	n atomic.Int64
}

func (r *bookingReads) BookingByID(ctx context.Context, id int64) (*booking.Booking, error) {
	r.n.Add(1)
	return r.Store.BookingByID(ctx, id)
}

func (r *bookingReads) BookingsByID(ctx context.Context, ids []int64) (map[int64]*booking.Booking, error) {
	r.n.Add(1)
	return r.Store.BookingsByID(ctx, ids)
}

// TestABatchReadsEachBookingOnce books two consultations without SMTP,
// so their four due messages are claimed in one batch, and expects the
// bookings to be read in one query, every message still kept as logged.
func TestABatchReadsEachBookingOnce(t *testing.T) {
	var reads *bookingReads
	e := newEnv(t, func(_ *notify.Config, d *notify.Deps) {
		d.Sender = nil
		reads = &bookingReads{Store: d.Store.(*storage.Store)}
		d.Store = reads
	})
	e.book(e.slot("2026-12-03", 0))
	e.book(e.slot("2026-12-04", 0))
	e.run()
	kept, err := e.worker.ListOutbox(e.ctx, booking.OutboxFilter{Status: booking.OutboxLogged})
	if err != nil || len(kept) != 4 {
		t.Fatalf("logged messages: %d, %v; want 4", len(kept), err)
	}
	if n := reads.n.Load(); n != 1 {
		t.Errorf("bookings read by %d queries for two bookings' messages, want 1", n)
	}
}
