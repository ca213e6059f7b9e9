package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"consult/booking"
)

const webhookColumns = `id, url, events, include_client_details, enabled, disabled_reason, failing_since, created_at`

func scanWebhook(row pgx.Row) (*booking.WebhookEndpoint, error) {
	var w booking.WebhookEndpoint
	if err := row.Scan(&w.ID, &w.URL, &w.Events, &w.IncludeClientDetails, &w.Enabled, &w.DisabledReason,
		&w.FailingSince, &w.CreatedAt); err != nil {
		if booking.ErrorCode(translate(err)) == booking.ENOTFOUND {
			return nil, booking.Errorf(booking.ENOTFOUND, "We could not find that endpoint.")
		}
		return nil, fmt.Errorf("storage: webhook: %w", translate(err))
	}
	w.CreatedAt = w.CreatedAt.UTC()
	return &w, nil
}

// CreateWebhook implements booking.WebhookStore.
func (s *Store) CreateWebhook(ctx context.Context, w booking.WebhookEndpoint, secret string, now time.Time) (*booking.WebhookEndpoint, error) {
	stored := secret
	if s.secrets != nil {
		var err error
		if stored, err = s.secrets.SealSecret(secret); err != nil {
			return nil, fmt.Errorf("storage: webhook secret: %w", err)
		}
	}
	return scanWebhook(s.db.QueryRow(ctx, `
		INSERT INTO webhook_endpoints (url, events, include_client_details, secret, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5) RETURNING `+webhookColumns,
		w.URL, w.Events, w.IncludeClientDetails, stored, stamp(now)))
}

// Webhooks implements booking.WebhookStore.
func (s *Store) Webhooks(ctx context.Context) ([]booking.WebhookEndpoint, error) {
	rows, err := s.db.Query(ctx, `SELECT `+webhookColumns+` FROM webhook_endpoints ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("storage: webhooks: %w", translate(err))
	}
	defer rows.Close()
	var out []booking.WebhookEndpoint
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *w)
	}
	return out, translate(rows.Err())
}

// Webhook implements booking.WebhookStore.
func (s *Store) Webhook(ctx context.Context, id int64) (*booking.WebhookEndpoint, error) {
	return scanWebhook(s.db.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhook_endpoints WHERE id = $1`, id))
}

// DeleteWebhook implements booking.WebhookStore.
func (s *Store) DeleteWebhook(ctx context.Context, id int64) error {
	tag, err := s.db.Exec(ctx, `DELETE FROM webhook_endpoints WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("storage: delete webhook: %w", translate(err))
	}
	if tag.RowsAffected() == 0 {
		return booking.Errorf(booking.ENOTFOUND, "We could not find that endpoint.")
	}
	return nil
}

// EnableWebhook implements booking.WebhookStore.
func (s *Store) EnableWebhook(ctx context.Context, id int64, now time.Time) error {
	return s.transact(ctx, func(tx txn) error {
		tag, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET enabled = true, disabled_reason = '',
			failing_since = NULL, updated_at = $2 WHERE id = $1`, id, stamp(now))
		if err != nil {
			return fmt.Errorf("storage: enable webhook: %w", translate(err))
		}
		if tag.RowsAffected() == 0 {
			return booking.Errorf(booking.ENOTFOUND, "We could not find that endpoint.")
		}
		_, err = tx.Exec(ctx, `UPDATE webhook_deliveries SET next_attempt_at = $2
			WHERE endpoint_id = $1 AND status = 'pending'`, id, now)
		return translate(err)
	})
}

// deliveryColumns are a delivery's columns as the log shows them.
const deliveryColumns = `d.id, d.endpoint_id, d.event_id, d.event_type, d.status, d.attempts, d.next_attempt_at,
	d.last_status, d.last_error, d.last_duration_ms, d.created_at, d.finished_at`

func scanDelivery(row pgx.Row, extra ...any) (*booking.WebhookDelivery, error) {
	var d booking.WebhookDelivery
	dest := append([]any{&d.ID, &d.EndpointID, &d.EventID, &d.EventType, &d.Status, &d.Attempts, &d.NextAttempt,
		&d.LastStatus, &d.LastError, &d.LastTookMS, &d.CreatedAt, &d.FinishedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, translate(err)
	}
	d.NextAttempt, d.CreatedAt = d.NextAttempt.UTC(), d.CreatedAt.UTC()
	return &d, nil
}

// WebhookDeliveries implements booking.WebhookStore.
func (s *Store) WebhookDeliveries(ctx context.Context, id int64, limit int) ([]booking.WebhookDelivery, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.db.Query(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries d
		WHERE d.endpoint_id = $1 ORDER BY d.id DESC LIMIT $2`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: webhook deliveries: %w", translate(err))
	}
	defer rows.Close()
	var out []booking.WebhookDelivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: webhook deliveries: %w", err)
		}
		out = append(out, *d)
	}
	return out, translate(rows.Err())
}

// queueWebhooks queues, inside tx, event on b for every enabled endpoint
// that subscribes to it, each with the body its client-details choice
// gives: so a change is never stored without its webhooks, and none is
// queued for a change that rolled back.
func (s *Store) queueWebhooks(ctx context.Context, tx execer, b *booking.Booking, event string, now time.Time) error {
	id := booking.NewEventID()
	plain := booking.EncodeWebhook(id, event, now, b, false)
	full := booking.EncodeWebhook(id, event, now, b, true)
	_, err := tx.Exec(ctx, `
		INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, booking_id, payload, personal, next_attempt_at, created_at)
		SELECT id, $1, $2, $3, CASE WHEN include_client_details THEN $5::bytea ELSE $4::bytea END,
			include_client_details, $6, $6
		FROM webhook_endpoints WHERE enabled AND $2 = ANY(events)`,
		id, event, b.ID, plain, full, stamp(now))
	if err != nil {
		return fmt.Errorf("storage: queue webhooks: %w", translate(err))
	}
	return nil
}

// QueueWebhookTest implements booking.WebhookStore.
func (s *Store) QueueWebhookTest(ctx context.Context, id int64, payload []byte, eventID string, now time.Time) (*booking.WebhookSend, error) {
	var send *booking.WebhookSend
	err := s.transact(ctx, func(tx txn) error {
		var err error
		send, err = s.claimed(ctx, tx, `
			WITH d AS (
				INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, payload, next_attempt_at, created_at,
					attempts, claimed_until)
				SELECT id, $2, $3, $4, $5, $5, 1, $6 FROM webhook_endpoints WHERE id = $1
				RETURNING *)`, id, eventID, booking.EventWebhookTest, payload, stamp(now), now.Add(claimFor))
		if booking.ErrorCode(err) == booking.ENOTFOUND {
			return booking.Errorf(booking.ENOTFOUND, "We could not find that endpoint.")
		}
		return err
	})
	return send, err
}

// claimFor is how long a claimed delivery is left to its sender before
// another worker may take it: longer than a send's timeout.
const claimFor = 2 * time.Minute

// claimed runs with, a statement ending in a CTE named d of delivery
// rows, and returns the first with its endpoint's URL and secret opened.
func (s *Store) claimed(ctx context.Context, tx txn, with string, args ...any) (*booking.WebhookSend, error) {
	sends, err := s.claimedAll(ctx, tx, with, args...)
	if err != nil {
		return nil, err
	}
	if len(sends) == 0 {
		return nil, booking.Errorf(booking.ENOTFOUND, "No such delivery.")
	}
	return &sends[0], nil
}

func (s *Store) claimedAll(ctx context.Context, tx txn, with string, args ...any) ([]booking.WebhookSend, error) {
	rows, err := tx.Query(ctx, with+`
		SELECT `+deliveryColumns+`, e.url, e.secret, d.payload
		FROM d JOIN webhook_endpoints e ON e.id = d.endpoint_id ORDER BY d.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: claim webhooks: %w", translate(err))
	}
	defer rows.Close()
	var out []booking.WebhookSend
	for rows.Next() {
		var send booking.WebhookSend
		d, err := scanDelivery(rows, &send.URL, &send.Secret, &send.Payload)
		if err != nil {
			return nil, fmt.Errorf("storage: claim webhooks: %w", err)
		}
		send.WebhookDelivery = *d
		if s.secrets != nil {
			if send.Secret, err = s.secrets.OpenSecret(send.Secret); err != nil {
				return nil, fmt.Errorf("storage: webhook %d secret: %w", d.EndpointID, err)
			}
		}
		out = append(out, send)
	}
	return out, translate(rows.Err())
}

// ClaimWebhooks takes up to limit deliveries that are due at now, for
// enabled endpoints, for this worker alone until they are finished or
// claimFor passes; each attempt is counted as it is claimed.
func (s *Store) ClaimWebhooks(ctx context.Context, now time.Time, limit int) ([]booking.WebhookSend, error) {
	var out []booking.WebhookSend
	err := s.transact(ctx, func(tx txn) error {
		var err error
		out, err = s.claimedAll(ctx, tx, `
			WITH d AS (
				UPDATE webhook_deliveries SET attempts = attempts + 1, claimed_until = $2
				WHERE id IN (
					SELECT w.id FROM webhook_deliveries w JOIN webhook_endpoints e ON e.id = w.endpoint_id
					WHERE w.status = 'pending' AND w.next_attempt_at <= $1 AND e.enabled
						AND w.payload IS NOT NULL AND (w.claimed_until IS NULL OR w.claimed_until <= $1)
					ORDER BY w.next_attempt_at, w.id LIMIT $3
					FOR UPDATE OF w SKIP LOCKED)
				RETURNING *)`, stamp(now), now.Add(claimFor), limit)
		return err
	})
	return out, err
}

// FinishWebhook records the outcome of delivery id's attempt at now. A
// success clears its endpoint's failing streak; a failure starts one, and
// an endpoint failing for booking.WebhookDisableAfter is switched off
// with the reason. It returns the endpoint's reason when this switched it
// off, "" otherwise.
func (s *Store) FinishWebhook(ctx context.Context, id int64, o booking.WebhookOutcome, now time.Time) (disabled string, err error) {
	err = s.transact(ctx, func(tx txn) error {
		status := booking.DeliveryPending
		var finished *time.Time
		next := o.RetryAt
		switch {
		case o.Delivered:
			status, finished, next = booking.DeliveryDelivered, &now, now
		case o.RetryAt.IsZero():
			status, finished, next = booking.DeliveryFailed, &now, now
		}
		var endpoint int64
		var personal bool
		err := tx.QueryRow(ctx, `
			UPDATE webhook_deliveries SET status = $2, claimed_until = NULL, next_attempt_at = $3,
				last_status = $4, last_error = $5, last_duration_ms = $6, finished_at = $7
			WHERE id = $1 RETURNING endpoint_id, personal`,
			id, status, next, o.Status, truncate(o.Error, 300), int(o.Took.Milliseconds()), finished).Scan(&endpoint, &personal)
		if err != nil {
			return fmt.Errorf("storage: finish webhook: %w", translate(err))
		}
		if o.Delivered {
			_, err = tx.Exec(ctx, `UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`, endpoint)
			return translate(err)
		}
		if personal && status == booking.DeliveryFailed {
			// Given up: the client's details are not kept for nothing.
			if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET payload = NULL WHERE id = $1`, id); err != nil {
				return translate(err)
			}
		}
		reason := fmt.Sprintf("Switched off on %s: every delivery for %d days failed (the last: %s).",
			now.UTC().Format("2 Jan 2006 15:04 UTC"), int(booking.WebhookDisableAfter/(24*time.Hour)), truncate(o.Error, 200))
		return tx.QueryRow(ctx, `
			UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, $2),
				enabled = enabled AND coalesce(failing_since, $2) > $3,
				disabled_reason = CASE WHEN enabled AND coalesce(failing_since, $2) <= $3
					THEN $4 ELSE disabled_reason END,
				updated_at = $2
			WHERE id = $1
			RETURNING CASE WHEN enabled THEN '' ELSE disabled_reason END`,
			endpoint, stamp(now), now.Add(-booking.WebhookDisableAfter), reason).Scan(&disabled)
	})
	return disabled, err
}

// truncate cuts s to at most n bytes, at a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// PurgeWebhookBodies empties the bodies of deliveries made before cutoff
// that are no longer pending, and removes log rows made before forget.
func (s *Store) PurgeWebhookBodies(ctx context.Context, cutoff, forget time.Time) error {
	if _, err := s.db.Exec(ctx, `UPDATE webhook_deliveries SET payload = NULL
		WHERE payload IS NOT NULL AND status <> 'pending' AND created_at < $1`, stamp(cutoff)); err != nil {
		return fmt.Errorf("storage: purge webhook bodies: %w", translate(err))
	}
	if _, err := s.db.Exec(ctx, `DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < $1`, stamp(forget)); err != nil {
		return fmt.Errorf("storage: purge webhook log: %w", translate(err))
	}
	return nil
}

// eraseWebhookBodies empties, inside tx, every body that carries the
// details of the clients of bookings ids; those not sent yet are skipped.
func eraseWebhookBodies(ctx context.Context, tx txn, ids []int64) error {
	_, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET payload = NULL,
			status = CASE WHEN status = 'pending' THEN 'skipped' ELSE status END,
			last_error = CASE WHEN status = 'pending' THEN 'not sent: the client''s data was erased' ELSE last_error END
		WHERE personal AND booking_id = ANY($1)`, ids)
	if err != nil {
		return fmt.Errorf("storage: erase webhook bodies: %w", translate(err))
	}
	return nil
}
