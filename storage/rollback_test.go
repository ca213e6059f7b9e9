package storage

import (
	"context"
	"testing"
	"time"

	"consult/booking"
)

// failOn installs a trigger that makes the next write of kind to table
// fail, so the real store methods roll back after queueing their mail.
func failOn(t *testing.T, s *Store, table, when string) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		`CREATE FUNCTION fail_write() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION 'test failure after the mail was queued'; END $$`,
		`CREATE TRIGGER fail_write BEFORE INSERT OR UPDATE ON ` + table + ` FOR EACH ROW WHEN (` + when + `) EXECUTE FUNCTION fail_write()`,
	} {
		if _, err := s.pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFailedChangesLeaveNoMail: when a booking change fails after its
// emails were queued in the same transaction, neither the change nor the
// emails remain.
func TestFailedChangesLeaveNoMail(t *testing.T) {
	ctx := context.Background()
	start := outboxNow.Add(72 * time.Hour)

	t.Run("create", func(t *testing.T) {
		s := newOutboxStore(t)
		failOn(t, s, "idempotency_keys", "true") // written after the booking and its mail
		_, hash := booking.NewToken()
		_, err := s.CreateBooking(ctx, booking.NewBooking{
			Start: start, End: start.Add(20 * time.Minute), Name: "Ada", Email: "ada@example.org",
			TimeZone: "UTC", TokenHash: hash, Now: outboxNow,
			Idempotency: &booking.IdempotencyRecord{KeyHash: []byte("k"), RequestHash: []byte("r"), SealedToken: []byte("s")},
		}, allow)
		if err == nil {
			t.Fatal("the create succeeded despite the failing write")
		}
		if n := countOutbox(t, s, "true"); n != 0 {
			t.Errorf("%d emails left by a rolled-back booking", n)
		}
		var bookings int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM bookings`).Scan(&bookings); err != nil {
			t.Fatal(err)
		}
		if bookings != 0 {
			t.Errorf("%d bookings left", bookings)
		}
	})

	t.Run("cancel and reschedule", func(t *testing.T) {
		s := newOutboxStore(t)
		b, hash := bookAt(t, s, start, nil)
		before := countOutbox(t, s, "true")
		failOn(t, s, "outbox", "NEW.kind IN ('cancelled', 'practitioner_gone', 'practitioner_moved')")
		if _, err := s.CancelBooking(ctx, hash, outboxNow, func(*booking.Booking) error { return nil }); err == nil {
			t.Fatal("the cancel succeeded despite the failing write")
		}
		if _, err := s.RescheduleBooking(ctx, hash, start.Add(time.Hour), start.Add(time.Hour+20*time.Minute), outboxNow, allow, nil); err == nil {
			t.Fatal("the reschedule succeeded despite the failing write")
		}
		if n := countOutbox(t, s, "true"); n != before {
			t.Errorf("%d emails after the failed changes, want the %d from booking", n, before)
		}
		got, err := s.BookingByID(ctx, b.ID)
		if err != nil || got.Status != booking.StatusConfirmed || !got.Start.Equal(start) || got.Sequence != b.Sequence {
			t.Errorf("the booking changed: %+v, %v", got, err)
		}
	})
}
