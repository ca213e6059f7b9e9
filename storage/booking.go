package storage

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"consult/booking"
	"consult/booking/mailbox"
)

// bookingColumns is the column list every booking query selects, in the
// order scanBooking reads them.
const bookingColumns = `id, starts_at, ends_at, status, name, email, phone, note, time_zone,
	coalesce(hour_cycle, 0), coalesce(language, ''), sequence, created_at, updated_at, cancelled_at, hold_expires_at, mode, video_link, region, answers`

func scanBooking(row pgx.Row) (*booking.Booking, error) {
	var b booking.Booking
	if err := scanBookingInto(row, &b); err != nil {
		return nil, err
	}
	return &b, nil
}

// scanBookingInto reads bookingColumns, then any extra destinations, into
// b, with every instant in UTC. No row is ENOTFOUND with a message fit for
// the client.
func scanBookingInto(row pgx.Row, b *booking.Booking, extra ...any) error {
	var status, mode string
	dest := append([]any{&b.ID, &b.Start, &b.End, &status, &b.Name, &b.Email, &b.Phone, &b.Note,
		&b.TimeZone, &b.HourCycle, &b.Language, &b.Sequence, &b.CreatedAt, &b.UpdatedAt, &b.CancelledAt, &b.HoldExpires, &mode, &b.VideoLink, &b.Region, &b.Answers}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.Errorf(booking.ENOTFOUND, "We could not find that booking.")
		}
		return translate(err)
	}
	b.Status, b.Mode = booking.Status(status), booking.Mode(mode)
	b.Start, b.End = b.Start.UTC(), b.End.UTC()
	b.CreatedAt, b.UpdatedAt = b.CreatedAt.UTC(), b.UpdatedAt.UTC()
	if b.CancelledAt != nil {
		t := b.CancelledAt.UTC()
		b.CancelledAt = &t
	}
	if b.HoldExpires != nil {
		t := b.HoldExpires.UTC()
		b.HoldExpires = &t
	}
	return nil
}

// Busy implements booking.Store.
func (s *Store) Busy(ctx context.Context, from, to time.Time) ([]booking.Interval, error) {
	return busy(ctx, s.db, from, to, 0)
}

// busy returns the bookings holding time in [from, to): confirmed ones,
// held ones, and those already marked completed or no-show (marking a
// consultation early must not free the rest of its time, its buffer or
// the day's cap). It leaves out the booking with id except (0: none). A
// hold past its expiry counts until it is expired (ExpireHolds), which
// every booking transaction does first and a sweep does every half
// minute.
func busy(ctx context.Context, q querier, from, to time.Time, except int64) ([]booking.Interval, error) {
	rows, err := q.Query(ctx, busySQL, from, to, except)
	if err != nil {
		return nil, fmt.Errorf("storage: busy: %w", translate(err))
	}
	return scanBusy(rows)
}

// busySQL's statuses are those of the index bookings_busy (migration
// 00023): a query naming others reads the whole table.
const busySQL = `
	SELECT starts_at, ends_at FROM bookings
	WHERE status IN ('confirmed', 'held', 'completed', 'no_show') AND during && tstzrange($1, $2, '[)') AND id <> $3
	ORDER BY starts_at`

// scanBusy reads busySQL's rows. The times are scanned into one pair of
// variables for all rows: a pair per row (pgx.CollectRows) went to the
// heap for every row, a twentieth of make bench's mixed-load allocation,
// where every booking's new version reads the horizon's few hundred.
func scanBusy(rows pgx.Rows) ([]booking.Interval, error) {
	defer rows.Close()
	ivs := make([]booking.Interval, 0, 64)
	var start, end time.Time
	for rows.Next() {
		if err := rows.Scan(&start, &end); err != nil {
			return nil, fmt.Errorf("storage: busy: %w", translate(err))
		}
		ivs = append(ivs, booking.Interval{Start: start.UTC(), End: end.UTC()})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: busy: %w", translate(err))
	}
	return ivs, nil
}

// checkInTx loads, inside tx, what check needs around [start, end) (its
// booking.SpanFor) and runs it, the locks of its dates taken before the
// bookings are read (see booking_locks.go).
func checkInTx(ctx context.Context, tx txn, start, end time.Time, except int64, check booking.CheckFunc) error {
	span := booking.SpanFor(start, end)
	sched, err := loadSchedule(ctx, tx, span.FirstDay, span.LastDay)
	if err != nil {
		return err
	}
	return checkScheduleInTx(ctx, tx, sched, span, start, end, except, check, nil)
}

// checkLockedInTx is checkInTx under the booking lock taken shared by
// lockForBooking, which read the schedule's stamp: the process's copy of
// the schedule is used when it was read at that stamp, in place of the
// five reads of loadSchedule in every booking.
//
// also, when not nil, queues more reads to send with the check's.
func (s *Store) checkLockedInTx(ctx context.Context, tx txn, scheduleStamp, start, end time.Time, except int64, check booking.CheckFunc, also func(*pgx.Batch)) error {
	span := booking.SpanFor(start, end)
	sched, ok := s.schedule.at(scheduleStamp, span.FirstDay, span.LastDay)
	if !ok {
		var err error
		if sched, err = loadSchedule(ctx, tx, span.FirstDay, span.LastDay); err != nil {
			return err
		}
	}
	return checkScheduleInTx(ctx, tx, sched, span, start, end, except, check, also)
}

// checkScheduleInTx takes the locks of the dates of a check of [start,
// end) under sched, reads the bookings of span, sends what also queues
// (when not nil) with them, and runs check.
func checkScheduleInTx(ctx context.Context, tx txn, sched booking.Schedule, span booking.Span, start, end time.Time, except int64, check booking.CheckFunc, also func(*pgx.Batch)) error {
	// The dates' locks and the bookings in one round trip.
	b := &pgx.Batch{}
	held, err := queueCheck(b, sched, span, start, end, except, also)
	if err != nil {
		return err
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("storage: check: %w", translate(err))
	}
	return check(sched, *held)
}

// queueCheck queues on b the locks of the dates of a check of [start,
// end) under sched, the read of the bookings of span, and what also
// queues (when not nil). The bookings read are in what it returns once b
// is sent.
func queueCheck(b *pgx.Batch, sched booking.Schedule, span booking.Span, start, end time.Time, except int64, also func(*pgx.Batch)) (*[]booking.Interval, error) {
	if err := queueDateLocks(b, sched.Settings, start, end); err != nil {
		return nil, err
	}
	held := new([]booking.Interval)
	b.Queue(busySQL, span.BusyFrom, span.BusyTo, except).Query(func(rows pgx.Rows) (err error) {
		*held, err = scanBusy(rows)
		return err
	})
	if also != nil {
		also(b)
	}
	return held, nil
}

// errScheduleMoved is a new booking's check sent with its locks under a
// copy of the schedule that turned out older than the stamp read with
// them: the dates it locked may not be the check's, and taking those
// afterwards could wait on another booking in the wrong order. The
// transaction begins again, checking after the locks as before.
var errScheduleMoved = errors.New("storage: the schedule changed under a booking's check")

// guessedCheck is a new booking's check sent with its locks, under the
// process's copy of the schedule as read at stamp.
type guessedCheck struct {
	sched booking.Schedule
	stamp time.Time
	held  *[]booking.Interval
}

// clientKey is a booking's client_key: a one-way fingerprint of the inbox
// its email reaches (see booking/mailbox), which outlives the address for
// the yearly limit and counts every spelling of one inbox as one client.
func clientKey(email string) []byte {
	sum := sha256.Sum256([]byte(mailbox.Key(email)))
	return sum[:]
}

// networkKey is a booking's network_key: a one-way fingerprint of the
// network it was booked from (booking.NetworkOf), nil when unknown.
func networkKey(network string) []byte {
	if network == "" {
		return nil
	}
	sum := sha256.Sum256([]byte("consult network\x00" + network))
	return sum[:]
}

// queueClientLimits queues on b the counts of the inbox's upcoming
// bookings, its consultations of the last twelve months (cancelled ones
// aside) and the bookings made for it in the last 24 hours (cancelled
// ones included, so booking and cancelling again and again cannot flood
// it with email), and of the network's upcoming bookings when that limit
// is on. It returns the check of nb's limits to run once b is sent: the
// counts go with the dates' locks and the bookings, one round trip fewer
// per booking. nil when no limit is on.
func queueClientLimits(b *pgx.Batch, nb booking.NewBooking) func() error {
	l := nb.Limits
	if l.MaxUpcoming == 0 && l.MaxPerYear == 0 && l.MaxPerDay == 0 && l.MaxUpcomingPerNetwork == 0 {
		return nil
	}
	now := stamp(nb.Now)
	var c booking.ClientCounts
	b.Queue(`
		SELECT count(*) FILTER (WHERE status IN ('confirmed', 'held') AND ends_at > $2),
		       count(*) FILTER (WHERE status <> 'cancelled' AND starts_at > $2 - interval '12 months'),
		       count(*) FILTER (WHERE created_at > $2 - interval '24 hours')
		FROM bookings WHERE client_key = $1`, clientKey(nb.Email), now).QueryRow(func(row pgx.Row) error {
		return row.Scan(&c.Upcoming, &c.LastYear, &c.LastDay)
	})
	if key := networkKey(nb.Network); key != nil && l.MaxUpcomingPerNetwork > 0 {
		b.Queue(`SELECT count(*) FROM bookings
			WHERE network_key = $1 AND status IN ('confirmed', 'held') AND ends_at > $2`, key, now).QueryRow(func(row pgx.Row) error {
			return row.Scan(&c.NetworkUpcoming)
		})
	}
	return func() error { return l.Check(c) }
}

// CreateBooking implements booking.Store.
func (s *Store) CreateBooking(ctx context.Context, nb booking.NewBooking, check booking.CheckFunc) (*booking.Booking, error) {
	b, step, err := s.createBooking(ctx, nb, check, true)
	if errors.Is(err, errScheduleMoved) {
		b, step, err = s.createBooking(ctx, nb, check, false)
	}
	s.settleChange(ctx, step, err == nil, b)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// createBooking is CreateBooking's transaction. With guess, the check is
// sent with the locks under the process's copy of the schedule, one round
// trip fewer per booking, when the copy is of the stamp then read.
func (s *Store) createBooking(ctx context.Context, nb booking.NewBooking, check booking.CheckFunc, guess bool) (*booking.Booking, *changeStep, error) {
	var b *booking.Booking
	var step *changeStep
	err := s.transact(ctx, func(tx txn) error {
		client, network := limitLocks(nb)
		var limits func() error
		alsoRead := func(b *pgx.Batch) { limits = queueClientLimits(b, nb) }
		span := booking.SpanFor(nb.Start, nb.End)
		var guessed *guessedCheck
		withLocks := func(b *execBatch) {
			if !guess {
				return
			}
			sched, at, ok := s.schedule.latest(span.FirstDay, span.LastDay)
			if !ok {
				return
			}
			if held, err := queueCheck(&b.Batch, sched, span, nb.Start, nb.End, 0, alsoRead); err == nil {
				guessed = &guessedCheck{sched: sched, stamp: at, held: held}
			}
		}
		scheduleStamp, id, to, expired, err := lockForNewBooking(ctx, tx, client, network, clientKey(nb.Email), nb.Now, withLocks)
		if err != nil {
			return err
		}
		switch {
		case guessed != nil && !guessed.stamp.Equal(scheduleStamp):
			return errScheduleMoved
		case guessed != nil && !expired:
			if err := check(guessed.sched, *guessed.held); err != nil {
				return err
			}
		default: // no copy, or holds expired since the bookings were read
			if err := s.checkLockedInTx(ctx, tx, scheduleStamp, nb.Start, nb.End, 0, check, alsoRead); err != nil {
				return err
			}
		}
		if limits != nil {
			if err := limits(); err != nil {
				return err
			}
		}
		status, ev := booking.StatusConfirmed, EventBooked
		var holdUntil *time.Time
		if !nb.HoldUntil.IsZero() {
			t := stored(nb.HoldUntil)
			status, ev, holdUntil = booking.StatusHeld, EventHeld, &t
		}
		if nb.WaitlistEntry != 0 {
			if err := recordOffer(ctx, tx, nb.WaitlistEntry); err != nil {
				return err
			}
			ev = EventOffered
		}
		// The booking as stored, with the id taken with the locks: not read
		// back, so that its row goes in the round trip of what follows it
		// (see execBatch), one fewer per booking.
		created := stored(nb.Now)
		b = &booking.Booking{ID: id, Start: stored(nb.Start), End: stored(nb.End), Status: status, Name: nb.Name, Email: nb.Email,
			Phone: nb.Phone, Note: nb.Note, TimeZone: nb.TimeZone, HourCycle: nb.HourCycle, Language: nb.Language,
			CreatedAt: created, UpdatedAt: created, HoldExpires: holdUntil, Mode: nb.Mode, VideoLink: nb.VideoLink, Region: nb.Region,
			Answers: answersValue(nb.Answers)}
		q := &execBatch{}
		var insert execer = q
		if nb.WaitlistEntry != 0 {
			insert = tx // the offer's row refers to it
		}
		if _, err := insert.Exec(ctx, `
			INSERT INTO bookings (id, starts_at, ends_at, name, email, phone, note, time_zone, manage_token_hash,
				created_at, updated_at, client_key, hour_cycle, network_key, status, hold_expires_at, mode, video_link, region, answers, language)
			OVERRIDING SYSTEM VALUE
			VALUES ($20, $1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $11, nullif($10, 0), $12, $13, $14, $15, $16, $17, $18, nullif($19, ''))`,
			b.Start, b.End, nb.Name, nb.Email, nb.Phone, nb.Note, nb.TimeZone, nb.TokenHash, created, nb.HourCycle,
			clientKey(nb.Email), networkKey(nb.Network), string(status), holdUntil, string(nb.Mode), nb.VideoLink, nb.Region, b.Answers, nb.Language, id); err != nil {
			return translate(err)
		}
		if nb.WaitlistEntry != 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO waitlist_offers (entry_id, booking_id, starts_at, created_at)
				VALUES ($1, $2, $3, $4)`, nb.WaitlistEntry, b.ID, b.Start, b.CreatedAt); err != nil {
				return fmt.Errorf("storage: waitlist offer: %w", translate(err))
			}
		}
		if status == booking.StatusConfirmed && (to.waitlist || nb.WaitlistEntry != 0) {
			if err := s.endWaitlistOnBooking(ctx, tx, q, b, nb.Now, nb.WaitlistEntry != 0); err != nil {
				return err
			}
		}
		if err := s.queueFollowUps(ctx, q, b, ev, "", b.CreatedAt, nb.MailToken, to); err != nil {
			return err
		}
		if rec := nb.Idempotency; rec != nil {
			// An expired key may be used again.
			q.Queue(`DELETE FROM idempotency_keys
				WHERE key_hash = $1 AND created_at <= $2::timestamptz - interval '24 hours'`, rec.KeyHash, b.CreatedAt)
			q.Queue(`
				INSERT INTO idempotency_keys (key_hash, request_hash, booking_id, sealed_token, created_at)
				VALUES ($1, $2, $3, $4, $5)`, rec.KeyHash, rec.RequestHash, b.ID, rec.SealedToken, b.CreatedAt)
		}
		step = s.markChange(q, b)
		return sendWithCommit(ctx, tx, q)
	})
	return b, step, err
}

// BookingByToken implements booking.Store.
func (s *Store) BookingByToken(ctx context.Context, tokenHash []byte) (*booking.Booking, error) {
	return scanBooking(s.db.QueryRow(ctx,
		`SELECT `+bookingColumns+` FROM bookings WHERE manage_token_hash = $1`, tokenHash))
}

// BookingByID implements booking.Store.
func (s *Store) BookingByID(ctx context.Context, id int64) (*booking.Booking, error) {
	return scanBooking(s.db.QueryRow(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE id = $1`, id))
}

// BookingsByID returns the bookings with the ids that exist, by id, in
// one query: the mail worker reads those of a claimed batch at once.
func (s *Store) BookingsByID(ctx context.Context, ids []int64) (map[int64]*booking.Booking, error) {
	rows, err := s.db.Query(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("storage: bookings by id: %w", translate(err))
	}
	defer rows.Close()
	out := make(map[int64]*booking.Booking, len(ids))
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			return nil, err
		}
		out[b.ID] = b
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: bookings by id: %w", translate(err))
	}
	return out, nil
}

// CancelBooking implements booking.Store.
func (s *Store) CancelBooking(ctx context.Context, tokenHash []byte, now time.Time, check func(*booking.Booking) error) (*booking.Booking, error) {
	var b *booking.Booking
	var step *changeStep
	err := s.transact(ctx, func(tx txn) error {
		// The booking and what its cancellation is followed by, in one
		// statement.
		cur := &booking.Booking{}
		var to connected
		if err := scanBookingInto(tx.QueryRow(ctx, `SELECT `+bookingColumns+`,`+bookingConnected+`
			FROM bookings WHERE manage_token_hash = $1 FOR UPDATE`, tokenHash), cur, &to.webhooks, &to.calendars); err != nil {
			return err
		}
		if err := check(cur); err != nil {
			return err
		}
		if cur.Status != booking.StatusConfirmed {
			return booking.Errorf(booking.ECONFLICT, "This consultation has already been cancelled.")
		}
		var err error
		b, step, err = s.cancelLockedInTx(ctx, tx, cur, now, to)
		return err
	})
	s.settleChange(ctx, step, err == nil, b)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// stored returns t, an instant from the service's clock or a client's
// request, as the database keeps it and reads it back: in UTC, to the
// microsecond (pgx sends instants truncated so).
func stored(t time.Time) time.Time { return stamp(t).UTC().Truncate(time.Microsecond) }

// cancelLockedInTx is cancelInTx, with no words from the practitioner,
// for cur, the booking as read FOR UPDATE in tx: the booking as cancelled
// is known without reading it back, so the update goes in the round trip
// of what follows it and of the COMMIT (sendWithCommit).
func (s *Store) cancelLockedInTx(ctx context.Context, tx txn, cur *booking.Booking, now time.Time, to connected) (*booking.Booking, *changeStep, error) {
	at := stored(now)
	b := *cur
	b.Status, b.CancelledAt, b.UpdatedAt, b.Sequence = booking.StatusCancelled, &at, at, cur.Sequence+1
	q := &execBatch{}
	q.Queue(`UPDATE bookings SET status = 'cancelled', cancelled_at = $2, updated_at = $2,
			sequence = sequence + 1, cancel_message = '' WHERE id = $1`, cur.ID, at)
	if err := s.queueFollowUps(ctx, q, &b, EventCancelled, "", at, nil, to); err != nil {
		return nil, nil, err
	}
	step := s.markChange(q, &b)
	if err := sendWithCommit(ctx, tx, q); err != nil {
		return nil, nil, fmt.Errorf("storage: cancel booking: %w", err)
	}
	return &b, step, nil
}

// cancelInTx cancels booking id inside tx and queues the emails that go
// with it, message being the practitioner's optional words to the client.
// The step is the cancellation's change (see changes.go), nil inside a
// transaction of the caller's.
func (s *Store) cancelInTx(ctx context.Context, tx txn, id int64, message string, now time.Time) (*booking.Booking, *changeStep, error) {
	b, err := scanBooking(tx.QueryRow(ctx, `
		UPDATE bookings SET status = 'cancelled', cancelled_at = $2, updated_at = $2,
			sequence = sequence + 1, cancel_message = $3
		WHERE id = $1 RETURNING `+bookingColumns, id, now, message))
	if err != nil {
		return nil, nil, err
	}
	q := &execBatch{}
	if err := s.queueMailOn(ctx, q, b, EventCancelled, message, now, nil); err != nil {
		return nil, nil, err
	}
	step := s.markChange(q, b)
	if err := q.send(ctx, tx); err != nil {
		return nil, nil, fmt.Errorf("storage: queue mail: %w", err)
	}
	return b, step, nil
}

// RescheduleBooking implements booking.Store.
func (s *Store) RescheduleBooking(ctx context.Context, tokenHash []byte, start, end, now time.Time, check booking.CheckFunc, mailToken []byte) (*booking.Booking, error) {
	var b *booking.Booking
	err := s.transact(ctx, func(tx txn) error {
		scheduleStamp, err := lockForBooking(ctx, tx, nil, nil, now)
		if err != nil {
			return err
		}
		cur, err := bookingForUpdate(ctx, tx, tokenHash)
		if err != nil {
			return err
		}
		if cur.Status != booking.StatusConfirmed {
			return booking.Errorf(booking.ECONFLICT, "This consultation has been cancelled.")
		}
		if err := s.checkLockedInTx(ctx, tx, scheduleStamp, start, end, cur.ID, check, nil); err != nil {
			return err
		}
		b, err = scanBooking(tx.QueryRow(ctx, `
			UPDATE bookings SET starts_at = $2, ends_at = $3, updated_at = $4, sequence = sequence + 1
			WHERE id = $1 RETURNING `+bookingColumns, cur.ID, start, end, stamp(now)))
		if err != nil {
			return err
		}
		return s.queueMail(ctx, tx, b, EventRescheduled, "", b.UpdatedAt, mailToken)
	})
	return b, err
}

// ChangeBookingMode implements booking.Store.
func (s *Store) ChangeBookingMode(ctx context.Context, tokenHash []byte, mode booking.Mode, videoLink string, now time.Time, mailToken []byte) (*booking.Booking, error) {
	var b *booking.Booking
	err := s.transact(ctx, func(tx txn) error {
		cur, err := bookingForUpdate(ctx, tx, tokenHash)
		if err != nil {
			return err
		}
		if cur.Status != booking.StatusConfirmed {
			return booking.Errorf(booking.ECONFLICT, "This consultation has been cancelled.")
		}
		b, err = scanBooking(tx.QueryRow(ctx, `
			UPDATE bookings SET mode = $2, video_link = $3, updated_at = $4, sequence = sequence + 1
			WHERE id = $1 RETURNING `+bookingColumns, cur.ID, string(mode), videoLink, stamp(now)))
		if err != nil {
			return err
		}
		return s.queueMail(ctx, tx, b, EventRescheduled, "", b.UpdatedAt, mailToken)
	})
	return b, err
}

func bookingForUpdate(ctx context.Context, tx txn, tokenHash []byte) (*booking.Booking, error) {
	return scanBooking(tx.QueryRow(ctx,
		`SELECT `+bookingColumns+` FROM bookings WHERE manage_token_hash = $1 FOR UPDATE`, tokenHash))
}

// Idempotency implements booking.Store.
func (s *Store) Idempotency(ctx context.Context, keyHash []byte, now time.Time) (*booking.IdempotencyRecord, error) {
	var rec booking.IdempotencyRecord
	err := s.db.QueryRow(ctx, `
		SELECT key_hash, request_hash, booking_id, sealed_token FROM idempotency_keys
		WHERE key_hash = $1 AND created_at > $2::timestamptz - interval '24 hours'`, keyHash, stamp(now)).
		Scan(&rec.KeyHash, &rec.RequestHash, &rec.BookingID, &rec.SealedToken)
	if err != nil {
		return nil, translate(err)
	}
	return &rec, nil
}

// answersValue is answers for the jsonb column, never null.
func answersValue(answers []booking.Answer) []booking.Answer {
	if answers == nil {
		return []booking.Answer{}
	}
	return answers
}
