package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"consult/booking"
)

// Waitlist email kinds; see the booking package.
const (
	MailWaitlistConfirm = booking.MailWaitlistConfirm
	MailWaitlistOffer   = booking.MailWaitlistOffer
)

// EventOffered is a time held for a waitlist entry.
const EventOffered BookingEvent = 100

const waitlistColumns = `e.id, e.name, e.email, e.time_zone, coalesce(e.hour_cycle, 0), coalesce(e.language, ''), e.days, e.parts, e.first_day, e.last_day,
	e.region, e.status, e.end_reason, e.created_at, e.confirmed_at, o.booking_id, o.starts_at, b.hold_expires_at`

// waitlistFrom joins an entry with its open offer, if any.
const waitlistFrom = ` FROM waitlist_entries e
	LEFT JOIN waitlist_offers o ON o.entry_id = e.id AND o.status = 'open'
	LEFT JOIN bookings b ON b.id = o.booking_id`

func scanWaitlist(row pgx.Row) (*booking.WaitlistEntry, error) {
	var e booking.WaitlistEntry
	var days []int16
	var first, last time.Time
	var offerID *int64
	var offerStart, offerExpires *time.Time
	if err := row.Scan(&e.ID, &e.Name, &e.Email, &e.TimeZone, &e.HourCycle, &e.Language, &days, &e.Parts, &first, &last,
		&e.Region, &e.Status, &e.EndReason, &e.CreatedAt, &e.ConfirmedAt, &offerID, &offerStart, &offerExpires); err != nil {
		if booking.ErrorCode(translate(err)) == booking.ENOTFOUND {
			return nil, booking.Errorf(booking.ENOTFOUND, "We could not find that waitlist entry.")
		}
		return nil, fmt.Errorf("storage: waitlist entry: %w", translate(err))
	}
	for _, d := range days {
		e.Days = append(e.Days, time.Weekday(d))
	}
	e.From, e.To = booking.DateOf(first.UTC()), booking.DateOf(last.UTC())
	e.CreatedAt = e.CreatedAt.UTC()
	if offerID != nil && offerStart != nil && offerExpires != nil {
		e.Offer = &booking.WaitlistOffer{BookingID: *offerID, Start: offerStart.UTC(), Expires: offerExpires.UTC()}
	}
	return &e, nil
}

// civil is d as the date PostgreSQL stores.
func civil(d booking.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// JoinWaitlist implements booking.WaitlistStore.
func (s *Store) JoinWaitlist(ctx context.Context, e booking.WaitlistEntry, tokenHash, mailToken []byte, now time.Time) (bool, error) {
	days := make([]int16, len(e.Days))
	for i, d := range e.Days {
		days[i] = int16(d)
	}
	joined := false
	err := s.transact(ctx, func(tx txn) error {
		var id int64
		err := tx.QueryRow(ctx, `
			INSERT INTO waitlist_entries (name, email, client_key, time_zone, hour_cycle, days, parts, first_day, last_day,
				region, token_hash, created_at, language)
			SELECT $1, $2, $3, $4, nullif($5, 0), $6, $7, $8, $9, $10, $11, $12, nullif($13, '')
			WHERE NOT EXISTS (SELECT 1 FROM bookings WHERE client_key = $3 AND status IN ('confirmed', 'held') AND ends_at > $12)
			ON CONFLICT (client_key) WHERE status <> 'ended' DO NOTHING
			RETURNING id`,
			e.Name, e.Email, clientKey(e.Email), e.TimeZone, e.HourCycle, days, e.Parts, civil(e.From), civil(e.To),
			e.Region, tokenHash, stamp(now), e.Language).Scan(&id)
		if booking.ErrorCode(translate(err)) == booking.ENOTFOUND {
			return nil // waiting already, or a consultation coming: nothing new, and nothing said
		}
		if err != nil {
			return fmt.Errorf("storage: join waitlist: %w", translate(err))
		}
		joined = true
		_, err = tx.Exec(ctx, `INSERT INTO outbox (waitlist_entry_id, kind, recipient, send_after, sealed_token, created_at)
			VALUES ($1, $2, $3, $4, $5, $4)`, id, MailWaitlistConfirm, booking.RecipientClient, now, mailToken)
		return translate(err)
	})
	return joined, err
}

// WaitlistByToken implements booking.WaitlistStore.
func (s *Store) WaitlistByToken(ctx context.Context, tokenHash []byte, now time.Time) (*booking.WaitlistEntry, error) {
	e, err := scanWaitlist(s.db.QueryRow(ctx, `SELECT `+waitlistColumns+waitlistFrom+` WHERE e.token_hash = $1`, tokenHash))
	if err == nil && e.Offer != nil && !e.Offer.Expires.After(now) {
		e.Offer = nil // released, though not yet swept
	}
	return e, err
}

// WaitlistEntryByID returns an entry by id, for its emails. ENOTFOUND.
func (s *Store) WaitlistEntryByID(ctx context.Context, id int64) (*booking.WaitlistEntry, error) {
	return scanWaitlist(s.db.QueryRow(ctx, `SELECT `+waitlistColumns+waitlistFrom+` WHERE e.id = $1`, id))
}

// ConfirmWaitlist implements booking.WaitlistStore.
func (s *Store) ConfirmWaitlist(ctx context.Context, tokenHash []byte, now time.Time) (*booking.WaitlistEntry, error) {
	if _, err := s.db.Exec(ctx, `UPDATE waitlist_entries SET status = 'active', confirmed_at = $2
		WHERE token_hash = $1 AND status = 'unconfirmed'`, tokenHash, stamp(now)); err != nil {
		return nil, fmt.Errorf("storage: confirm waitlist: %w", translate(err))
	}
	e, err := s.WaitlistByToken(ctx, tokenHash, now)
	if err == nil && e.Status == booking.WaitlistEnded {
		return e, booking.Errorf(booking.ECONFLICT, "This waitlist entry has ended. You are welcome to join again from the booking page.")
	}
	return e, err
}

// LeaveWaitlist implements booking.WaitlistStore.
func (s *Store) LeaveWaitlist(ctx context.Context, tokenHash []byte, reason string, now time.Time) (*booking.WaitlistEntry, error) {
	var id int64
	if err := s.db.QueryRow(ctx, `SELECT id FROM waitlist_entries WHERE token_hash = $1`, tokenHash).Scan(&id); err != nil {
		if booking.ErrorCode(translate(err)) == booking.ENOTFOUND {
			return nil, booking.Errorf(booking.ENOTFOUND, "We could not find that waitlist entry.")
		}
		return nil, translate(err)
	}
	if err := s.EndWaitlistEntry(ctx, id, reason, now); err != nil {
		return nil, err
	}
	return s.WaitlistByToken(ctx, tokenHash, now)
}

// EndWaitlistEntry ends entry id with reason, releases the time held for
// it and withdraws its unsent emails. ENOTFOUND.
func (s *Store) EndWaitlistEntry(ctx context.Context, id int64, reason string, now time.Time) error {
	now = stamp(now)
	return s.transact(ctx, func(tx txn) error {
		if err := lockBookings(ctx, tx); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE waitlist_entries SET status = 'ended', end_reason = $2, ended_at = $3
			WHERE id = $1 AND status <> 'ended'`, id, reason, now)
		if err != nil {
			return fmt.Errorf("storage: end waitlist entry: %w", translate(err))
		}
		if tag.RowsAffected() == 0 {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM waitlist_entries WHERE id = $1)`, id).Scan(&exists); err != nil || !exists {
				return booking.Errorf(booking.ENOTFOUND, "We could not find that waitlist entry.")
			}
			return nil // ended already
		}
		return releaseOffers(ctx, tx, `o.entry_id = $1`, now, id)
	})
}

// releaseOffers withdraws, inside tx, the open offers where cond holds
// (with args from $2): the held time is freed, its personal data erased,
// its unsent emails withdrawn.
func releaseOffers(ctx context.Context, tx execer, cond string, now time.Time, args ...any) error {
	_, err := tx.Exec(ctx, `
		WITH o AS (
			UPDATE waitlist_offers o SET status = 'withdrawn' WHERE o.status = 'open' AND `+cond+`
			RETURNING o.booking_id
		), gone AS (
			UPDATE bookings SET status = 'expired', name = '', email = 'expired-' || id || '@invalid',
				phone = '', note = '', network_key = NULL, hold_expires_at = least(hold_expires_at, $`+fmt.Sprint(len(args)+1)+`),
				updated_at = $`+fmt.Sprint(len(args)+1)+`
			WHERE id IN (SELECT booking_id FROM o) AND status = 'held'
			RETURNING id
		)
		UPDATE outbox SET status = 'skipped', last_error = 'withdrawn: the waitlist entry ended', sealed_token = NULL
		WHERE booking_id IN (SELECT id FROM gone) AND status = 'pending'`, append(args, now)...)
	if err != nil {
		return fmt.Errorf("storage: release waitlist offers: %w", translate(err))
	}
	return nil
}

// WaitingEntries implements booking.WaitlistStore.
func (s *Store) WaitingEntries(ctx context.Context, now time.Time) ([]booking.WaitlistEntry, map[int64][]time.Time, error) {
	// Never offered first, in the order they joined; then those whose
	// last offer passed unclaimed, longest ago first: an unclaimed time
	// passes to the next person, not back to the same one.
	rows, err := s.db.Query(ctx, `SELECT `+waitlistColumns+waitlistFrom+`
		WHERE e.status = 'active' AND o.id IS NULL
		ORDER BY (SELECT max(p.created_at) FROM waitlist_offers p WHERE p.entry_id = e.id) NULLS FIRST, e.id`)
	if err != nil {
		return nil, nil, fmt.Errorf("storage: waiting entries: %w", translate(err))
	}
	var entries []booking.WaitlistEntry
	var ids []int64
	for rows.Next() {
		e, err := scanWaitlist(rows)
		if err != nil {
			rows.Close()
			return nil, nil, err
		}
		entries, ids = append(entries, *e), append(ids, e.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, translate(err)
	}
	offered := map[int64][]time.Time{}
	if len(ids) == 0 {
		return entries, offered, nil
	}
	rows, err = s.db.Query(ctx, `SELECT entry_id, starts_at FROM waitlist_offers WHERE entry_id = ANY($1)`, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("storage: waitlist offers: %w", translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return nil, nil, translate(err)
		}
		offered[id] = append(offered[id], at.UTC())
	}
	return entries, offered, translate(rows.Err())
}

// SweepWaitlist implements booking.WaitlistStore: holds whose time is up
// are released first, so their times are free to offer again.
func (s *Store) SweepWaitlist(ctx context.Context, dropBefore, now time.Time) error {
	now = stamp(now)
	return s.transact(ctx, func(tx txn) error {
		if err := lockBookings(ctx, tx); err != nil {
			return err
		}
		if err := expireHolds(ctx, tx, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM waitlist_entries WHERE status = 'unconfirmed' AND created_at < $1`, stamp(dropBefore)); err != nil {
			return fmt.Errorf("storage: drop unconfirmed waitlist entries: %w", translate(err))
		}
		_, err := tx.Exec(ctx, `UPDATE waitlist_entries SET status = 'ended', end_reason = 'expired', ended_at = $1
			WHERE status = 'active' AND last_day < ($1::timestamptz AT TIME ZONE time_zone)::date`, now)
		if err != nil {
			return fmt.Errorf("storage: expire waitlist entries: %w", translate(err))
		}
		// Ended entries keep nothing for long: a week to answer a late
		// click on their links.
		_, err = tx.Exec(ctx, `DELETE FROM waitlist_entries WHERE status = 'ended' AND ended_at < $1::timestamptz - interval '7 days'`, now)
		return translate(err)
	})
}

// WaitlistEnabled implements booking.WaitlistStore.
func (s *Store) WaitlistEnabled(ctx context.Context) (bool, error) {
	var on bool
	if err := s.db.QueryRow(ctx, `SELECT waitlist_enabled FROM practice_settings`).Scan(&on); err != nil {
		return false, fmt.Errorf("storage: waitlist setting: %w", translate(err))
	}
	return on, nil
}

// SetWaitlistEnabled switches the waitlist on or off; switched off, the
// times held for entries are released and no more are offered.
func (s *Store) SetWaitlistEnabled(ctx context.Context, on bool, now time.Time) error {
	return s.transact(ctx, func(tx txn) error {
		if _, err := tx.Exec(ctx, `UPDATE practice_settings SET waitlist_enabled = $1`, on); err != nil {
			return fmt.Errorf("storage: waitlist setting: %w", translate(err))
		}
		if on {
			return nil
		}
		if err := lockBookings(ctx, tx); err != nil {
			return err
		}
		return releaseOffers(ctx, tx, `true`, now)
	})
}

// Waitlist lists the entries not ended, in the order they joined.
func (s *Store) Waitlist(ctx context.Context) ([]booking.WaitlistEntry, error) {
	rows, err := s.db.Query(ctx, `SELECT `+waitlistColumns+waitlistFrom+` WHERE e.status <> 'ended' ORDER BY e.id`)
	if err != nil {
		return nil, fmt.Errorf("storage: waitlist: %w", translate(err))
	}
	defer rows.Close()
	var out []booking.WaitlistEntry
	for rows.Next() {
		e, err := scanWaitlist(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, translate(rows.Err())
}

// recordOffer checks, inside tx and under the booking lock, that entry
// still waits with nothing held for it, so that two instances offering at
// once cannot both hold a time for one entry. ENOTFOUND otherwise.
func recordOffer(ctx context.Context, tx txn, entry int64) error {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM waitlist_entries e WHERE e.id = $1 AND e.status = 'active'
		AND NOT EXISTS (SELECT 1 FROM waitlist_offers o WHERE o.entry_id = e.id AND o.status = 'open'))`, entry).Scan(&ok)
	if err != nil {
		return fmt.Errorf("storage: waitlist offer: %w", translate(err))
	}
	if !ok {
		return booking.Errorf(booking.ENOTFOUND, "The waitlist entry is not waiting.")
	}
	return nil
}

// endWaitlistOnBooking, inside tx, claims the offer that held b, and ends
// every open entry of b's inbox: someone with a consultation booked no
// longer waits for one. The ending is queued on q, to be sent with the
// caller's statements; offered is false for a booking made just now
// other than from an offer, which no offer can name yet.
func (s *Store) endWaitlistOnBooking(ctx context.Context, tx txn, q *execBatch, b *booking.Booking, now time.Time, offered bool) error {
	if offered {
		tag, err := tx.Exec(ctx, `UPDATE waitlist_offers SET status = 'claimed' WHERE booking_id = $1 AND status = 'open'`, b.ID)
		if err != nil {
			return fmt.Errorf("storage: claim waitlist offer: %w", translate(err))
		}
		if tag.RowsAffected() > 0 {
			if err := s.queueWebhooks(ctx, q, b, booking.EventWaitlistClaimed, now); err != nil {
				return err
			}
		}
	}
	ck := clientKey(b.Email)
	if err := releaseOffers(ctx, q, `o.entry_id IN (SELECT id FROM waitlist_entries WHERE client_key = $1 AND status <> 'ended')`, now, ck); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `UPDATE waitlist_entries SET status = 'ended', end_reason = 'booked', ended_at = $2
		WHERE client_key = $1 AND status <> 'ended'`, ck, stamp(now))
	if err != nil {
		return fmt.Errorf("storage: end waitlist entry: %w", translate(err))
	}
	return nil
}

// WaitlistEntryOfBooking implements booking.WaitlistStore.
func (s *Store) WaitlistEntryOfBooking(ctx context.Context, bookingID int64) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT entry_id FROM waitlist_offers WHERE booking_id = $1`, bookingID).Scan(&id)
	if booking.ErrorCode(translate(err)) == booking.ENOTFOUND {
		return 0, booking.Errorf(booking.ENOTFOUND, "This time was not offered from the waitlist.")
	}
	return id, translate(err)
}

// WaitlistCount implements booking.WaitlistAdminStore.
func (s *Store) WaitlistCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM waitlist_entries WHERE status = 'active'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("storage: waitlist count: %w", translate(err))
	}
	return n, nil
}
