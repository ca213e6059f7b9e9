package storage_test

import (
	"context"
	"testing"
	"time"

	"consult/booking"
	"consult/storage"
	"consult/storage/storagetest"
)

func TestEraseExpiredKeepsCountsNotPeople(t *testing.T) {
	ctx := context.Background()
	pool := storagetest.NewDB(t)
	s := storage.New(pool)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	insert := func(start time.Time, email string) int64 {
		t.Helper()
		_, tok := booking.NewToken()
		var id int64
		err := pool.QueryRow(ctx, `INSERT INTO bookings (starts_at, ends_at, name, email, phone, note, practitioner_note,
				cancel_message, time_zone, manage_token_hash, client_key, mode, video_link, region, answers)
			VALUES ($1, $2, 'Olga Old', $3, '+1 555 0100', 'a note', 'seen before', 'Sorry, Olga.', 'UTC', $4,
				sha256(convert_to(lower($3), 'UTF8')), 'video', 'https://meet.example.org/room', 'US-CA',
				'[{"question": "How did you hear of us?", "answer": "A friend"}]') RETURNING id`,
			start, start.Add(20*time.Minute), email, tok).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `INSERT INTO outbox (booking_id, kind, recipient, message, sealed_token, last_error)
			VALUES ($1, 'confirmation', 'client', 'a message', '\x01', 'to olga@example.org refused')`, id); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `INSERT INTO idempotency_keys (key_hash, request_hash, booking_id, sealed_token)
			VALUES ($1, '\x00', $2, '\x00')`, booking.HashToken(email), id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	ancient := insert(now.AddDate(-1, -2, 0), "ancient@example.org")
	old := insert(now.AddDate(0, 0, -200), "old@example.org")
	recent := insert(now.AddDate(0, 0, -100), "recent@example.org")
	upcoming := insert(now.AddDate(0, 0, 3), "upcoming@example.org")

	n, err := s.EraseExpired(ctx, now.AddDate(0, 0, -180), now)
	if err != nil || n != 2 {
		t.Fatalf("EraseExpired = %d, %v; want 2", n, err)
	}
	// The room, the place and the answers to the extra questions go too.
	for id, kept := range map[int64]bool{ancient: false, old: false, recent: true, upcoming: true} {
		var link, region, answers string
		if err := pool.QueryRow(ctx, `SELECT video_link, region, answers::text FROM bookings WHERE id = $1`, id).Scan(&link, &region, &answers); err != nil {
			t.Fatal(err)
		}
		if got := link != "" && region != "" && answers != "[]"; got != kept {
			t.Errorf("booking %d: room %q, region %q, answers %s; want kept %v", id, link, region, answers, kept)
		}
	}
	type row struct {
		name, email, phone, note, pnote string
		cancelMsg                       string
		seq                             int
		hasKey                          bool
		outboxText, sealed, idem        int
	}
	read := func(id int64) row {
		t.Helper()
		var r row
		err := pool.QueryRow(ctx, `SELECT name, email, phone, note, practitioner_note, cancel_message, sequence, client_key IS NOT NULL,
			(SELECT count(*) FROM outbox WHERE booking_id = b.id AND (message <> '' OR last_error <> '')),
			(SELECT count(*) FROM outbox WHERE booking_id = b.id AND sealed_token IS NOT NULL),
			(SELECT count(*) FROM idempotency_keys WHERE booking_id = b.id)
			FROM bookings b WHERE id = $1`, id).Scan(&r.name, &r.email, &r.phone, &r.note, &r.pnote, &r.cancelMsg, &r.seq, &r.hasKey,
			&r.outboxText, &r.sealed, &r.idem)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, id := range []int64{ancient, old} {
		r := read(id)
		if r.name != "Erased" || r.phone != "" || r.note != "" || r.pnote != "" || r.cancelMsg != "" || r.email == "old@example.org" {
			t.Errorf("booking %d still holds personal data: %+v", id, r)
		}
		if r.seq != 1 {
			t.Errorf("booking %d: sequence %d after erasure, want 1 so calendars update", id, r.seq)
		}
		if r.outboxText+r.sealed+r.idem != 0 {
			t.Errorf("booking %d: mail text, sealed links or idempotency records left: %+v", id, r)
		}
	}
	if !read(old).hasKey {
		t.Error("the fingerprint for the yearly limit went before 12 months")
	}
	if read(ancient).hasKey {
		t.Error("the fingerprint is kept beyond 12 months")
	}
	for _, id := range []int64{recent, upcoming} {
		if r := read(id); r.name != "Olga Old" || r.outboxText == 0 || r.seq != 0 {
			t.Errorf("booking %d within the retention period was touched: %+v", id, r)
		}
	}
	if n, _ := s.EraseExpired(ctx, now.AddDate(0, 0, -180), now); n != 0 {
		t.Errorf("second run erased %d again", n)
	}
	// Idempotency records older than a day go too, whatever their booking.
	if _, err := pool.Exec(ctx, `UPDATE idempotency_keys SET created_at = $1`, now.Add(-25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EraseExpired(ctx, now.AddDate(0, 0, -180), now); err != nil {
		t.Fatal(err)
	}
	var idem int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM idempotency_keys`).Scan(&idem); err != nil || idem != 0 {
		t.Errorf("%d idempotency records older than a day remain (%v)", idem, err)
	}
}

// TestYearlyLimitOutlivesRetention: after retention erased the address,
// the same person still cannot book a second free consultation within 12
// months.
func TestYearlyLimitOutlivesRetention(t *testing.T) {
	ctx := context.Background()
	pool := storagetest.NewDB(t)
	s := storage.New(pool)
	if err := s.InitSettings(ctx, booking.DefaultSettings(), settingsCreated); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SeedDemoHours(ctx, settingsCreated); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	past := now.AddDate(0, -7, 0)
	_, tok := booking.NewToken()
	if _, err := pool.Exec(ctx, `INSERT INTO bookings (starts_at, ends_at, status, name, email, time_zone, manage_token_hash, client_key)
		VALUES ($1, $2, 'completed', 'Pat', 'Pat@Example.org', 'UTC', $3, sha256(convert_to(lower('Pat@Example.org'), 'UTF8')))`,
		past, past.Add(20*time.Minute), tok); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EraseExpired(ctx, now.AddDate(0, 0, -180), now); err != nil {
		t.Fatal(err)
	}
	svc := booking.NewService(s, func() time.Time { return now }, booking.WithLimits(booking.DefaultClientLimits()))
	slots, _, err := svc.Slots(ctx, now.Add(24*time.Hour), now.Add(72*time.Hour))
	if err != nil || len(slots) == 0 {
		t.Fatalf("slots: %v, %v", slots, err)
	}
	_, _, err = svc.Book(ctx, booking.Request{Start: slots[0].Start, Name: "Pat", Email: "pat@example.org"}, "")
	if booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("second consultation within a year after erasure: %v, want a conflict", err)
	}
	if _, _, err := svc.Book(ctx, booking.Request{Start: slots[0].Start, Name: "Kim", Email: "kim@example.org"}, ""); err != nil {
		t.Errorf("another person was refused: %v", err)
	}
}
