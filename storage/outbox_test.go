package storage

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"consult/booking"
	"consult/storage/storagetest"
)

var outboxNow = time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)

func newOutboxStore(t *testing.T, opts ...Option) *Store {
	t.Helper()
	s := New(storagetest.NewDB(t), opts...)
	if err := s.InitSettings(context.Background(), booking.DefaultSettings(), outboxNow.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	return s
}

func allow(booking.Schedule, []booking.Interval) error { return nil }

// bookAt stores a booking at start (rules not checked) with sealed as its
// mail token, and returns it with the token hash.
func bookAt(t *testing.T, s *Store, start time.Time, sealed []byte) (*booking.Booking, []byte) {
	t.Helper()
	_, hash := booking.NewToken()
	b, err := s.CreateBooking(context.Background(), booking.NewBooking{
		Start: start, End: start.Add(20 * time.Minute), Name: "Ada", Email: "ada@example.org",
		TimeZone: "Europe/Berlin", TokenHash: hash, Now: outboxNow, MailToken: sealed,
	}, allow)
	if err != nil {
		t.Fatal(err)
	}
	return b, hash
}

func countOutbox(t *testing.T, s *Store, where string, args ...any) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE `+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRolledBackChangeLeavesNoMail(t *testing.T) {
	ctx := context.Background()
	s := newOutboxStore(t)
	change := func(commit bool) {
		err := s.transact(ctx, func(tx txn) error {
			_, hash := booking.NewToken()
			b, err := scanBooking(tx.QueryRow(ctx, `
				INSERT INTO bookings (starts_at, ends_at, name, email, time_zone, manage_token_hash)
				VALUES ($1, $2, 'Ada', 'ada@example.org', 'UTC', $3) RETURNING `+bookingColumns,
				outboxNow.Add(72*time.Hour), outboxNow.Add(72*time.Hour+20*time.Minute), hash))
			if err != nil {
				return err
			}
			if err := s.enqueueMail(ctx, tx, b, EventBooked, "", outboxNow); err != nil {
				return err
			}
			if !commit {
				return booking.Errorf(booking.ECONFLICT, "rolled back on purpose")
			}
			return nil
		})
		if got := err != nil; got == commit {
			t.Fatalf("commit %v: err %v", commit, err)
		}
	}
	change(false)
	if n := countOutbox(t, s, "true"); n != 0 {
		t.Fatalf("a rolled-back booking left %d outbox rows", n)
	}
	change(true)
	// Confirmation, practitioner notice and reminder.
	if n := countOutbox(t, s, "true"); n != 3 {
		t.Fatalf("a committed booking queued %d messages, want 3", n)
	}
}

func TestBookingRefusedByTheDatabaseQueuesNoMail(t *testing.T) {
	s := newOutboxStore(t)
	start := outboxNow.Add(72 * time.Hour)
	bookAt(t, s, start, nil)
	before := countOutbox(t, s, "true")
	_, hash := booking.NewToken()
	// The check lets it through; the exclusion constraint refuses it.
	_, err := s.CreateBooking(context.Background(), booking.NewBooking{
		Start: start.Add(10 * time.Minute), End: start.Add(30 * time.Minute), Name: "Bo", Email: "bo@example.org",
		TimeZone: "UTC", TokenHash: hash, Now: outboxNow,
	}, allow)
	if booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("overlapping booking: %v, want ECONFLICT", err)
	}
	if after := countOutbox(t, s, "true"); after != before {
		t.Fatalf("outbox rows %d → %d after a refused booking", before, after)
	}
}

func TestSealedTokenGoesOnlyWithTheLinkAndIsPurged(t *testing.T) {
	ctx := context.Background()
	s := newOutboxStore(t)
	first := []byte("sealed-1")
	b, hash := bookAt(t, s, outboxNow.Add(72*time.Hour), first)
	withToken := func() map[string]string {
		rows, err := s.pool.Query(ctx, `SELECT kind, sealed_token FROM outbox WHERE booking_id = $1 AND sealed_token IS NOT NULL`, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for rows.Next() {
			var kind string
			var tok []byte
			if err := rows.Scan(&kind, &tok); err != nil {
				t.Fatal(err)
			}
			got[kind] += string(tok)
		}
		return got
	}
	if got := withToken(); len(got) != 2 || got[MailConfirmation] != "sealed-1" || got[MailReminder] != "sealed-1" {
		t.Fatalf("after booking, sealed tokens on %v; want confirmation and reminder only", got)
	}
	if _, err := s.RescheduleBooking(ctx, hash, b.Start.Add(time.Hour), b.End.Add(time.Hour), outboxNow, allow, []byte("sealed-2")); err != nil {
		t.Fatal(err)
	}
	if got := withToken(); len(got) != 2 || got[MailRescheduled] != "sealed-2" || got[MailReminder] != "sealed-2" {
		t.Fatalf("after rescheduling, sealed tokens on %v; want the new rescheduled and reminder rows only", got)
	}
	// The reminder of the time it had is withdrawn; the new one waits.
	reminders := func(status, reason string) int {
		t.Helper()
		return countOutbox(t, s, fmt.Sprintf("booking_id = %d AND kind = '%s' AND status = '%s' AND last_error = '%s'", b.ID, MailReminder, status, reason))
	}
	if w, p := reminders("skipped", "withdrawn: the consultation moved"), reminders("pending", ""); w != 1 || p != 1 {
		t.Fatalf("after rescheduling, %d reminders withdrawn and %d pending; want one of each", w, p)
	}
	if _, err := s.CancelBooking(ctx, hash, outboxNow, func(*booking.Booking) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if got := withToken(); len(got) != 0 {
		t.Fatalf("after cancelling, sealed tokens remain on %v", got)
	}
	if w, p := reminders("skipped", "withdrawn: the consultation was cancelled"), reminders("pending", ""); w != 1 || p != 0 {
		t.Fatalf("after cancelling, %d reminders withdrawn for it and %d pending; want one and none", w, p)
	}
}

func TestClaimLeaseAndSettle(t *testing.T) {
	ctx := context.Background()
	s := newOutboxStore(t, WithReminderLead(0))
	bookAt(t, s, outboxNow.Add(72*time.Hour), []byte("sealed"))
	lease := 5 * time.Minute

	got, err := s.ClaimOutbox(ctx, outboxNow.Add(-time.Second), lease, 10)
	if err != nil || len(got) != 0 {
		t.Fatalf("claimed %d messages before they were due (err %v)", len(got), err)
	}
	first, err := s.ClaimOutbox(ctx, outboxNow, lease, 1)
	if err != nil || len(first) != 1 {
		t.Fatalf("claim: %v, %d messages", err, len(first))
	}
	m := first[0]
	if m.Kind != MailConfirmation || m.Attempts != 1 || m.Status != booking.OutboxSending || !bytes.Equal(m.MailToken, []byte("sealed")) {
		t.Fatalf("claimed %+v", m)
	}
	second, _ := s.ClaimOutbox(ctx, outboxNow, lease, 10)
	if len(second) != 1 || second[0].ID == m.ID {
		t.Fatalf("second claim got %+v, want only the other message", second)
	}
	// The worker holding m dies; after the lease another claims it again.
	if again, _ := s.ClaimOutbox(ctx, outboxNow.Add(lease-time.Second), lease, 10); len(again) != 0 {
		t.Fatalf("reclaimed %d messages inside their lease", len(again))
	}
	again, _ := s.ClaimOutbox(ctx, outboxNow.Add(lease), lease, 10)
	if len(again) != 2 || again[0].Attempts != 2 {
		t.Fatalf("after the lease: %+v", again)
	}
	// The first claim is stale now: it cannot record an outcome.
	if err := s.CompleteOutbox(ctx, m.ID, 1, outboxNow, "x@y"); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("complete with a lost claim: %v, want ECONFLICT", err)
	}
	if err := s.CompleteOutbox(ctx, m.ID, 2, outboxNow, "id@consult.test"); err != nil {
		t.Fatal(err)
	}
	if n := countOutbox(t, s, "id = $1 AND status = 'sent' AND sealed_token IS NULL AND message_id = 'id@consult.test'", m.ID); n != 1 {
		t.Fatal("a sent message kept its sealed token or lost its Message-ID")
	}
	other := again[1].ID
	if err := s.DeferOutbox(ctx, other, 2, outboxNow.Add(time.Hour), "451 try later"); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.ClaimOutbox(ctx, outboxNow.Add(59*time.Minute), lease, 10); len(n) != 0 {
		t.Fatal("a deferred message was claimed before its retry time")
	}
	if err := s.CloseOutbox(ctx, other, 2, booking.OutboxSent, ""); booking.ErrorCode(err) != booking.EINVALID {
		t.Fatalf("close as sent: %v, want EINVALID", err)
	}
}

func TestClaimSkipsRowsLockedByAnotherWorker(t *testing.T) {
	ctx := context.Background()
	s := newOutboxStore(t, WithReminderLead(0))
	bookAt(t, s, outboxNow.Add(72*time.Hour), nil)
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var locked int64
	if err := tx.QueryRow(ctx, `SELECT id FROM outbox ORDER BY id LIMIT 1 FOR UPDATE`).Scan(&locked); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	got, err := s.ClaimOutbox(cctx, outboxNow, time.Minute, 10)
	if err != nil {
		t.Fatalf("claim waited on the locked row: %v", err)
	}
	if len(got) != 1 || got[0].ID == locked {
		t.Fatalf("claimed %+v while %d was locked; want only the other row", got, locked)
	}
}

func TestRetryAndListOutbox(t *testing.T) {
	ctx := context.Background()
	s := newOutboxStore(t, WithReminderLead(0))
	b, _ := bookAt(t, s, outboxNow.Add(72*time.Hour), nil)
	msgs, _ := s.ClaimOutbox(ctx, outboxNow, time.Minute, 10)
	if len(msgs) != 2 {
		t.Fatalf("claimed %d", len(msgs))
	}
	failed, sent := msgs[0], msgs[1]
	if err := s.CloseOutbox(ctx, failed.ID, 1, booking.OutboxFailed, "550 no such user"); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteOutbox(ctx, sent.ID, 1, outboxNow, "m@consult.test"); err != nil {
		t.Fatal(err)
	}

	list, err := s.ListOutbox(ctx, booking.OutboxFilter{Status: booking.OutboxFailed})
	if err != nil || len(list) != 1 || list[0].ID != failed.ID || list[0].LastError != "550 no such user" || list[0].BookingID != b.ID {
		t.Fatalf("failed list: %+v, %v", list, err)
	}
	if list[0].MailToken != nil {
		t.Error("a listing exposes the sealed token")
	}
	all, _ := s.ListOutbox(ctx, booking.OutboxFilter{BookingID: b.ID})
	if len(all) != 2 || all[0].ID < all[1].ID {
		t.Fatalf("list by booking: %+v, want both, newest first", all)
	}
	if page, _ := s.ListOutbox(ctx, booking.OutboxFilter{BeforeID: all[0].ID, Limit: 1}); len(page) != 1 || page[0].ID != all[1].ID {
		t.Fatalf("second page: %+v", page)
	}
	if _, err := s.ListOutbox(ctx, booking.OutboxFilter{Status: "lost"}); booking.ErrorCode(err) != booking.EINVALID {
		t.Fatalf("unknown status: %v, want EINVALID", err)
	}

	if err := s.RetryOutbox(ctx, sent.ID, outboxNow); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("retry of a sent message: %v, want ECONFLICT", err)
	}
	if err := s.RetryOutbox(ctx, 999999, outboxNow); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("retry of a missing message: %v, want ENOTFOUND", err)
	}
	later := outboxNow.Add(time.Hour)
	if err := s.RetryOutbox(ctx, failed.ID, later); err != nil {
		t.Fatal(err)
	}
	m, err := s.OutboxByID(ctx, failed.ID)
	if err != nil || m.Status != booking.OutboxPending || m.Attempts != 0 || !m.SendAfter.Equal(later) {
		t.Fatalf("after retry: %+v, %v", m, err)
	}
}

func TestMailKeyIsMadeOnce(t *testing.T) {
	ctx := context.Background()
	s := newOutboxStore(t)
	if _, err := s.MailKey(ctx, false); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("key before any was made: %v, want ENOTFOUND", err)
	}
	k1, err := s.MailKey(ctx, true)
	if err != nil || len(k1) != 32 {
		t.Fatalf("key: %x, %v", k1, err)
	}
	k2, _ := s.MailKey(ctx, true)
	k3, _ := s.MailKey(ctx, false)
	if !bytes.Equal(k1, k2) || !bytes.Equal(k1, k3) {
		t.Fatal("the mail key changed between calls")
	}
}

func TestPurgeMailTokensOfPastBookings(t *testing.T) {
	ctx := context.Background()
	s := newOutboxStore(t)
	b, _ := bookAt(t, s, outboxNow.Add(72*time.Hour), []byte("sealed"))
	if n, err := s.PurgeMailTokens(ctx, outboxNow); err != nil || n != 0 {
		t.Fatalf("purged %d before the booking started (err %v)", n, err)
	}
	if n, err := s.PurgeMailTokens(ctx, b.Start); err != nil || n != 2 {
		t.Fatalf("purged %d once the booking started, want 2 (err %v)", n, err)
	}
}

func TestNoReminderInsideItsWindow(t *testing.T) {
	s := newOutboxStore(t)
	soon, _ := bookAt(t, s, outboxNow.Add(20*time.Hour), nil)
	later, _ := bookAt(t, s, outboxNow.Add(25*time.Hour), nil)
	if n := countOutbox(t, s, "booking_id = $1 AND kind = 'reminder'", soon.ID); n != 0 {
		t.Errorf("a booking 20 hours ahead queued %d reminders, want none", n)
	}
	var at time.Time
	err := s.pool.QueryRow(context.Background(), `SELECT send_after FROM outbox WHERE booking_id = $1 AND kind = 'reminder'`, later.ID).Scan(&at)
	if err != nil || !at.Equal(later.Start.Add(-24*time.Hour)) {
		t.Errorf("reminder of a booking 25 hours ahead due %s (%v), want %s", at, err, later.Start.Add(-24*time.Hour))
	}
}

// claimBookingMessages books a time on a fresh store and claims its two
// messages due at once.
func claimBookingMessages(t *testing.T) (*Store, []booking.OutboxMessage) {
	t.Helper()
	s := newOutboxStore(t, WithReminderLead(0))
	bookAt(t, s, outboxNow.Add(72*time.Hour), []byte("sealed"))
	claimed, err := s.ClaimOutbox(context.Background(), outboxNow, 5*time.Minute, 10)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %v, %d messages; want 2", err, len(claimed))
	}
	return s, claimed
}

// TestKeepOutboxRecordsOnlyItsOwnClaims claims a booking's two due
// messages and records them kept unsent, one at the attempt it was
// claimed with and one at another, and expects only the first to be
// kept.
func TestKeepOutboxRecordsOnlyItsOwnClaims(t *testing.T) {
	ctx := context.Background()
	s, claimed := claimBookingMessages(t)
	n, err := s.KeepOutbox(ctx, []int64{claimed[0].ID, claimed[1].ID}, []int{claimed[0].Attempts, claimed[1].Attempts + 1}, "not sent")
	if err != nil || n != 1 {
		t.Fatalf("kept %d (%v), want 1: the other's claim is not this attempt", n, err)
	}
	kept, err := s.OutboxByID(ctx, claimed[0].ID)
	if err != nil || kept.Status != booking.OutboxLogged || kept.LastError != "not sent" {
		t.Fatalf("first message: %+v, %v; want logged", kept, err)
	}
	other, err := s.OutboxByID(ctx, claimed[1].ID)
	if err != nil || other.Status != booking.OutboxSending {
		t.Fatalf("second message: %+v, %v; want still sending", other, err)
	}
	if _, err := s.KeepOutbox(ctx, []int64{1}, nil, "x"); booking.ErrorCode(err) != booking.EINVALID {
		t.Errorf("ids without attempts: %v, want EINVALID", err)
	}
}

// TestSkipOutboxRecordsEachReason claims a booking's two due messages and
// skips them in one call, one at the attempt it was claimed with and one
// at another, and expects only the first skipped, with its reason and
// without its sealed token.
func TestSkipOutboxRecordsEachReason(t *testing.T) {
	ctx := context.Background()
	s, claimed := claimBookingMessages(t)
	n, err := s.SkipOutbox(ctx, []int64{claimed[0].ID, claimed[1].ID},
		[]int{claimed[0].Attempts, claimed[1].Attempts + 1}, []string{"stale: first", "stale: second"})
	if err != nil || n != 1 {
		t.Fatalf("skipped %d (%v), want 1: the other's claim is not this attempt", n, err)
	}
	skipped, err := s.OutboxByID(ctx, claimed[0].ID)
	if err != nil || skipped.Status != booking.OutboxSkipped || skipped.LastError != "stale: first" {
		t.Fatalf("first message: %+v, %v; want skipped for its reason", skipped, err)
	}
	if n := countOutbox(t, s, "id = $1 AND sealed_token IS NULL", claimed[0].ID); n != 1 {
		t.Error("the message skipped keeps its sealed token")
	}
	other, err := s.OutboxByID(ctx, claimed[1].ID)
	if err != nil || other.Status != booking.OutboxSending {
		t.Fatalf("second message: %+v, %v; want still sending", other, err)
	}
	if _, err := s.SkipOutbox(ctx, []int64{1}, []int{1}, nil); booking.ErrorCode(err) != booking.EINVALID {
		t.Errorf("ids without reasons: %v, want EINVALID", err)
	}
}
