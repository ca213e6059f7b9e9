package storage

import (
	"context"
	"reflect"
	"testing"
	"time"

	"consult/booking"
)

// A client's booking and cancellation queue calendar writes, webhook
// deliveries and the end of a waitlist entry only where there is
// somewhere for them to go, as read in their transaction; a cancellation
// still supersedes its booking's pending calendar write once no calendar
// takes bookings any more.
func TestFollowUpsGoWhereThereIsSomewhere(t *testing.T) {
	ctx := context.Background()
	s := newOutboxStore(t)
	count := func(sql string, args ...any) int {
		t.Helper()
		var n int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM `+sql, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	none := func(*booking.Booking) error { return nil }
	start := time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)

	// Nothing connected: mail only.
	first, firstHash := bookAt(t, s, start, nil)
	if n := count(`calendar_writes WHERE booking_id = $1`, first.ID); n != 0 {
		t.Errorf("%d calendar writes with no calendar", n)
	}
	if n := countOutbox(t, s, "booking_id = $1", first.ID); n == 0 {
		t.Error("the booking queued no mail")
	}

	// A calendar taking bookings, an endpoint, and the next client on the
	// waitlist: each follows.
	if _, err := s.AddCalendarSource(ctx, booking.NewCalendarSource{Kind: booking.SourceCalDAV, URL: "https://dav.example.org/work/",
		Username: "u", Password: "p", WriteBookings: true}, outboxNow); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateWebhook(ctx, booking.WebhookEndpoint{URL: "https://hooks.example.org/in",
		Events: []string{booking.EventBookingCreated, booking.EventBookingCancelled}}, "whsec_test", outboxNow); err != nil {
		t.Fatal(err)
	}
	_, entryToken := booking.NewToken()
	if joined, err := s.JoinWaitlist(ctx, booking.WaitlistEntry{Name: "Grace", Email: "grace@example.org", TimeZone: "Europe/Berlin",
		Days: []time.Weekday{time.Thursday}, Parts: []string{"morning"}, From: booking.DateOf(start), To: booking.DateOf(start).AddDays(30)},
		entryToken, nil, outboxNow); err != nil || !joined {
		t.Fatalf("join: %v, %v", joined, err)
	}
	_, hash := booking.NewToken()
	second, err := s.CreateBooking(ctx, booking.NewBooking{Start: start.Add(time.Hour), End: start.Add(80 * time.Minute),
		Name: "Grace", Email: "grace@example.org", TimeZone: "Europe/Berlin", TokenHash: hash, Now: outboxNow}, allow)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(`calendar_writes WHERE booking_id = $1 AND status = 'pending'`, second.ID); n != 1 {
		t.Errorf("%d pending calendar writes, want 1", n)
	}
	if n := count(`webhook_deliveries WHERE booking_id = $1 AND event_type = $2`, second.ID, booking.EventBookingCreated); n != 1 {
		t.Errorf("%d deliveries of the booking, want 1", n)
	}
	if n := count(`waitlist_entries WHERE client_key = $1 AND status = 'ended' AND end_reason = 'booked'`, clientKey("grace@example.org")); n != 1 {
		t.Errorf("%d waitlist entries ended by the booking, want 1", n)
	}

	// The calendar stops taking bookings before the write went out: the
	// cancellation supersedes it and queues none.
	if _, err := s.pool.Exec(ctx, `UPDATE calendar_sources SET write_bookings = false`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CancelBooking(ctx, hash, outboxNow.Add(time.Minute), none); err != nil {
		t.Fatal(err)
	}
	if n := count(`calendar_writes WHERE booking_id = $1 AND status = 'pending'`, second.ID); n != 0 {
		t.Errorf("%d calendar writes still pending after the cancellation", n)
	}
	if n := count(`calendar_writes WHERE booking_id = $1 AND status = 'superseded'`, second.ID); n != 1 {
		t.Errorf("%d superseded calendar writes, want 1", n)
	}
	if n := count(`webhook_deliveries WHERE booking_id = $1 AND event_type = $2`, second.ID, booking.EventBookingCancelled); n != 1 {
		t.Errorf("%d deliveries of the cancellation, want 1", n)
	}

	// The endpoint switched off: the first booking's cancellation has
	// nowhere to go but the client's and the practitioner's inboxes.
	if _, err := s.pool.Exec(ctx, `UPDATE webhook_endpoints SET enabled = false`); err != nil {
		t.Fatal(err)
	}
	before := countOutbox(t, s, "booking_id = $1", first.ID)
	if _, err := s.CancelBooking(ctx, firstHash, outboxNow.Add(2*time.Minute), none); err != nil {
		t.Fatal(err)
	}
	if n := count(`webhook_deliveries WHERE booking_id = $1`, first.ID); n != 0 {
		t.Errorf("%d deliveries to a disabled endpoint", n)
	}
	if n := count(`calendar_writes WHERE booking_id = $1`, first.ID); n != 0 {
		t.Errorf("%d calendar writes with no calendar taking bookings", n)
	}
	if n := countOutbox(t, s, "booking_id = $1", first.ID); n <= before {
		t.Error("the cancellation queued no mail")
	}
}

// TestCancelledBookingIsAsStored cancels at an instant finer than the
// database keeps and expects the booking the cancellation answers with,
// which is not read back, to be the one stored.
func TestCancelledBookingIsAsStored(t *testing.T) {
	ctx := context.Background()
	s := newOutboxStore(t)
	b, hash := bookAt(t, s, time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC), nil)
	at := outboxNow.Add(90*time.Second + 123456789*time.Nanosecond)
	got, err := s.CancelBooking(ctx, hash, at, func(*booking.Booking) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	stored, err := s.BookingByID(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, stored) {
		t.Errorf("the cancellation answered\n%+v\nthe booking stored is\n%+v", *got, *stored)
	}
	if got.Status != booking.StatusCancelled || got.Sequence != b.Sequence+1 || got.CancelledAt == nil || !got.CancelledAt.Equal(at.Truncate(time.Microsecond)) {
		t.Errorf("cancelled: status %s, sequence %d (was %d), at %v", got.Status, got.Sequence, b.Sequence, got.CancelledAt)
	}
}

// TestNewBookingIsAsStored books with instants finer than the database
// keeps, with and without answers, a hold, an hour cycle and a language,
// and expects the booking the store answers with, which is not read
// back, to be the one stored.
func TestNewBookingIsAsStored(t *testing.T) {
	ctx := context.Background()
	s := newOutboxStore(t)
	fine := 123456789 * time.Nanosecond
	start := time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)
	for i, nb := range []booking.NewBooking{
		{Name: "Ada", Email: "ada@example.org", TimeZone: "Europe/Berlin"},
		{Name: "Bo", Email: "bo@example.org", Phone: "+1 555 0100", Note: "a note", TimeZone: "America/New_York", HourCycle: 12,
			Language: "de", Mode: booking.Mode("video"), Region: "US-CA", Answers: []booking.Answer{{Question: "Why?", Answer: "<because> & so"}},
			HoldUntil: outboxNow.Add(30*time.Minute + fine)},
	} {
		nb.Start = start.Add(time.Duration(i) * time.Hour).In(time.FixedZone("here", 3600))
		nb.End = nb.Start.Add(20 * time.Minute)
		nb.Now = outboxNow.Add(fine)
		_, nb.TokenHash = booking.NewToken()
		got, err := s.CreateBooking(ctx, nb, allow)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := s.BookingByID(ctx, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, stored) {
			t.Errorf("booking %d: the store answered\n%+v\nthe booking stored is\n%+v", i, *got, *stored)
		}
	}
}

// TestABookingExpiresTheHoldDueOnItsTime holds a time, lets the hold run
// out, and books the same time before the sweep: the booking expires the
// hold itself and takes the time. A booking with no hold due expires
// nothing.
func TestABookingExpiresTheHoldDueOnItsTime(t *testing.T) {
	ctx := context.Background()
	s := newOutboxStore(t)
	start := time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)
	book := func(email string, now, holdUntil time.Time) (*booking.Booking, error) {
		_, hash := booking.NewToken()
		return s.CreateBooking(ctx, booking.NewBooking{Start: start, End: start.Add(20 * time.Minute), Name: "Ada", Email: email,
			TimeZone: "Europe/Berlin", TokenHash: hash, Now: now, HoldUntil: holdUntil}, allow)
	}
	held, err := book("ada@example.org", outboxNow, outboxNow.Add(15*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := book("bo@example.org", outboxNow.Add(10*time.Minute), time.Time{}); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("booking a time held: %v, want a conflict", err)
	}
	got, err := book("bo@example.org", outboxNow.Add(16*time.Minute), time.Time{})
	if err != nil {
		t.Fatalf("booking a time whose hold ran out: %v", err)
	}
	was, err := s.BookingByID(ctx, held.ID)
	if err != nil {
		t.Fatal(err)
	}
	if was.Status != booking.StatusExpired || got.Status != booking.StatusConfirmed {
		t.Errorf("the hold is %s, the booking %s; want expired, confirmed", was.Status, got.Status)
	}
}
