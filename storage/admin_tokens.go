package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"consult/booking"
)

// CreateAPIToken implements booking.TokenStore.
func (s *Store) CreateAPIToken(ctx context.Context, userID int64, name string, hash []byte, now time.Time) (*booking.APIToken, error) {
	t, err := scanToken(s.db.QueryRow(ctx, `
		INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)
		RETURNING `+tokenColumns, userID, name, hash, stamp(now)))
	return t, err
}

const tokenColumns = `id, user_id, name, created_at, last_used_at, revoked_at`

func scanToken(row pgx.Row) (*booking.APIToken, error) {
	var t booking.APIToken
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt); err != nil {
		return nil, translate(err)
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return &t, nil
}

// APITokens implements booking.TokenStore.
func (s *Store) APITokens(ctx context.Context, userID int64) ([]booking.APIToken, error) {
	rows, err := s.db.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("storage: tokens: %w", translate(err))
	}
	ts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.APIToken, error) {
		t, err := scanToken(r)
		if err != nil {
			return booking.APIToken{}, err
		}
		return *t, nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: tokens: %w", translate(err))
	}
	return ts, nil
}

// RevokeAPIToken implements booking.TokenStore.
func (s *Store) RevokeAPIToken(ctx context.Context, userID, tokenID int64, now time.Time) error {
	tag, err := s.db.Exec(ctx, `
		UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $3) WHERE id = $1 AND user_id = $2`,
		tokenID, userID, stamp(now))
	if err != nil {
		return fmt.Errorf("storage: revoke token: %w", translate(err))
	}
	if tag.RowsAffected() == 0 {
		return booking.Errorf(booking.ENOTFOUND, "No such token.")
	}
	return nil
}

// RevokeAPITokens implements booking.TokenStore.
func (s *Store) RevokeAPITokens(ctx context.Context, userID int64, now time.Time) (int64, error) {
	tag, err := s.db.Exec(ctx, `UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`,
		userID, stamp(now))
	if err != nil {
		return 0, fmt.Errorf("storage: revoke tokens: %w", translate(err))
	}
	return tag.RowsAffected(), nil
}

// UserByAPIToken implements booking.TokenStore.
func (s *Store) UserByAPIToken(ctx context.Context, hash []byte, now time.Time) (*booking.User, *booking.APIToken, error) {
	t, err := scanToken(s.db.QueryRow(ctx, `
		UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL
		RETURNING `+tokenColumns, hash, stamp(now)))
	if err != nil {
		if booking.ErrorCode(err) == booking.ENOTFOUND {
			return nil, nil, booking.Errorf(booking.ENOTFOUND, "No such token.")
		}
		return nil, nil, fmt.Errorf("storage: token: %w", err)
	}
	u, err := s.UserByID(ctx, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	return u, t, nil
}
