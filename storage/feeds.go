package storage

import (
	"context"
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"consult/booking"
)

// The calendar feeds' data: the private feed's secret, the feed settings
// and the "version" queries that let a feed answer a conditional request
// with one cheap query instead of rebuilding itself.
//
// A version covers every row a feed is built from. The open-slots feed's
// is read from change stamps the database's triggers keep. The private
// feed's aggregates over its bookings: count(*) notices rows that come and
// go, max(updated_at) gives the time of the last change, and the sum of
// the rows' xmin (the id of the transaction that wrote each row version)
// notices every other change, including two that commit out of the order
// of their updated_at and writers that forget updated_at.

// RotateFeedSecret makes a new secret for the private bookings feed and
// returns it. Only its hash is stored, replacing the previous one, so the
// old feed URL stops working at once and this is the one time the new
// secret can be read.
func (s *Store) RotateFeedSecret(ctx context.Context, now time.Time) (string, error) {
	secret, hash := booking.NewToken()
	_, err := s.db.Exec(ctx, `
		INSERT INTO feed_secrets (secret_hash, created_at) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, created_at = EXCLUDED.created_at`,
		hash, stamp(now))
	if err != nil {
		return "", fmt.Errorf("storage: rotate feed secret: %w", translate(err))
	}
	return secret, nil
}

// FeedSecretCreatedAt returns when the current feed secret was made.
// ENOTFOUND when there is none yet.
func (s *Store) FeedSecretCreatedAt(ctx context.Context) (time.Time, error) {
	var t time.Time
	if err := s.db.QueryRow(ctx, `SELECT created_at FROM feed_secrets`).Scan(&t); err != nil {
		return t, translate(err)
	}
	return t.UTC(), nil
}

// FeedSecretMatches reports whether hash is the hash of the current feed
// secret, comparing in constant time.
func (s *Store) FeedSecretMatches(ctx context.Context, hash []byte) (bool, error) {
	var stored []byte
	err := s.db.QueryRow(ctx, `SELECT secret_hash FROM feed_secrets`).Scan(&stored)
	if booking.ErrorCode(translate(err)) == booking.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("storage: feed secret: %w", translate(err))
	}
	return secretMatches(stored, hash), nil
}

// secretMatches compares hashes in constant time; no stored hash matches nothing.
func secretMatches(stored, hash []byte) bool {
	return len(stored) > 0 && subtle.ConstantTimeCompare(stored, hash) == 1
}

// FeedSettings returns the neutral event title ("" for the default) and
// whether the private feed shows clients' full details. ENOTFOUND when the
// practice has no settings yet.
func (s *Store) FeedSettings(ctx context.Context) (eventTitle string, fullDetails bool, err error) {
	err = s.db.QueryRow(ctx, `SELECT event_title, feed_full_details FROM practice_settings`).
		Scan(&eventTitle, &fullDetails)
	if err != nil {
		return "", false, translate(err)
	}
	return eventTitle, fullDetails, nil
}

// SetFeedSettings stores the neutral event title and whether the private
// feed shows full details, stamped now. ENOTFOUND when the practice has
// no settings yet; EINVALID when the title is longer than 200 characters.
func (s *Store) SetFeedSettings(ctx context.Context, eventTitle string, fullDetails bool, now time.Time) error {
	tag, err := s.db.Exec(ctx, `UPDATE practice_settings SET event_title = $1, feed_full_details = $2,
		availability_changed_at = $3`, eventTitle, fullDetails, stamp(now))
	if err != nil {
		return fmt.Errorf("storage: feed settings: %w", translate(err))
	}
	if tag.RowsAffected() == 0 {
		return booking.Errorf(booking.ENOTFOUND, "The practice has no settings yet.")
	}
	return nil
}

// AvailabilityFeedVersion returns a version of everything the open-slots
// feed (and the slots API) is built from, and the time of its last change,
// from two one-row tables: the settings, weekly hours, special dates and
// time off move practice_settings.availability_changed_at, every booking
// written moves booking_changes (migration 00005). It is a one-row read
// however many bookings there are, at the price of moving on changes that
// cannot alter what is open (a past booking marked completed, a note),
// which costs subscribers one refetch. It names each of the sixteen
// change counts, so that ChangedBetween can tell what changed between two
// versions. now is not needed any more; it stays in the signature for the
// feed's interface. ENOTFOUND when the practice has no settings yet.
func (s *Store) AvailabilityFeedVersion(ctx context.Context, now time.Time) (version string, changed time.Time, err error) {
	return scanAvailabilityVersion(s.db.QueryRow(ctx, availabilityVersionSQL))
}

// availabilityVersionSQL reads what AvailabilityFeedVersion is made of.
const availabilityVersionSQL = `
	SELECT s.availability_changed_at, c.version, c.changed_at, c.counts
	FROM practice_settings s CROSS JOIN (
		SELECT sum(version)::bigint AS version, max(changed_at) AS changed_at,
			array_agg(version ORDER BY shard) AS counts
		FROM booking_change_counts) c`

// scanAvailabilityVersion reads availabilityVersionSQL's row.
func scanAvailabilityVersion(row pgx.Row) (version string, changed time.Time, err error) {
	var settingsAt time.Time
	var n int64
	var bookingsAt *time.Time
	var counts []int64
	if err := row.Scan(&settingsAt, &n, &bookingsAt, &counts); err != nil {
		return "", time.Time{}, fmt.Errorf("storage: availability feed version: %w", translate(err))
	}
	changed = feedLatest(&settingsAt, bookingsAt)
	// The counts let ChangedBetween tell which bookings changed in between.
	return formatVersion(settingsAt.UnixMicro(), n, feedMicros(bookingsAt), counts), changed, nil
}

// BookingsFeedVersion checks secretHash against the private feed's secret
// and returns a version of everything the feed holds at now, and the time
// of its last change, in one query. The feed holds the bookings FeedBookings
// returns; the time of the last change includes the moment the latest
// booking left that window. ENOTFOUND when secretHash is not the current
// secret's (or there is none).
func (s *Store) BookingsFeedVersion(ctx context.Context, secretHash []byte, now time.Time, keepPast, keepCancelled time.Duration) (version string, changed time.Time, err error) {
	from, cancelledFrom := now.Add(-keepPast), now.Add(-keepCancelled)
	var stored []byte
	var settingsAt, updated, leftStart, leftCancel *time.Time
	var n, xsum int64
	err = s.db.QueryRow(ctx, `
		SELECT (SELECT secret_hash FROM feed_secrets),
		       (SELECT availability_changed_at FROM practice_settings),
		       count(*), max(updated_at), coalesce(sum(xmin::text::bigint), 0),
		       (SELECT max(starts_at) FROM bookings WHERE starts_at < $1),
		       (SELECT max(cancelled_at) FROM bookings WHERE status = 'cancelled' AND cancelled_at < $2)
		FROM bookings
		WHERE starts_at >= $1 AND (status <> 'cancelled' OR cancelled_at >= $2) AND status NOT IN ('held', 'expired')`,
		from, cancelledFrom).Scan(&stored, &settingsAt, &n, &updated, &xsum, &leftStart, &leftCancel)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("storage: bookings feed version: %w", translate(err))
	}
	if !secretMatches(stored, secretHash) {
		return "", time.Time{}, booking.Errorf(booking.ENOTFOUND, "Not found.")
	}
	// A booking leaves the window keepPast after its start, a cancelled one
	// at the latest keepCancelled after its cancellation. The newest start
	// or cancellation already outside gives a moment no earlier than the
	// last departure and no later than now: a safe Last-Modified.
	var leftAt, cancelLeftAt time.Time
	if leftStart != nil {
		leftAt = leftStart.Add(keepPast)
	}
	if leftCancel != nil {
		cancelLeftAt = leftCancel.Add(keepCancelled)
	}
	changed = feedLatest(settingsAt, updated, &leftAt, &cancelLeftAt)
	return fmt.Sprintf("%d/%d/%d/%d", feedMicros(settingsAt), n, feedMicros(updated), xsum), changed, nil
}

// FeedBookings returns the private feed's bookings at now, by start: every
// booking that started keepPast ago or later, except cancelled ones whose
// cancellation is keepCancelled old or older.
func (s *Store) FeedBookings(ctx context.Context, now time.Time, keepPast, keepCancelled time.Duration) ([]booking.Booking, error) {
	rows, err := s.db.Query(ctx, `SELECT `+bookingColumns+` FROM bookings
		WHERE starts_at >= $1 AND (status <> 'cancelled' OR cancelled_at >= $2) AND status NOT IN ('held', 'expired')
		ORDER BY starts_at, id`, now.Add(-keepPast), now.Add(-keepCancelled))
	if err != nil {
		return nil, fmt.Errorf("storage: feed bookings: %w", translate(err))
	}
	defer rows.Close()
	var out []booking.Booking
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: feed bookings: %w", err)
		}
		out = append(out, *b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: feed bookings: %w", translate(err))
	}
	return out, nil
}

// feedLatest returns the latest of the non-nil times, in UTC.
func feedLatest(ts ...*time.Time) time.Time {
	var t time.Time
	for _, u := range ts {
		if u != nil && u.After(t) {
			t = *u
		}
	}
	return t.UTC()
}

// feedMicros writes a nullable time into a version.
func feedMicros(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return t.UnixMicro()
}
