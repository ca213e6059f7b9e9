package storage

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"consult/booking"
)

const userColumns = `id, email, password_hash, totp_secret, totp_last_step, session_epoch, coalesce(language, ''), created_at`

func (s *Store) scanUser(row pgx.Row) (*booking.User, error) {
	var u booking.User
	err := row.Scan(&u.ID, &u.Email, &u.PasswordHash, &u.TOTPSecret, &u.TOTPLastStep, &u.SessionEpoch, &u.Language, &u.CreatedAt)
	if err != nil {
		if booking.ErrorCode(translate(err)) == booking.ENOTFOUND {
			return nil, booking.Errorf(booking.ENOTFOUND, "No such account.")
		}
		return nil, fmt.Errorf("storage: user: %w", translate(err))
	}
	u.CreatedAt = u.CreatedAt.UTC()
	if u.TOTPSecret != "" && s.secrets != nil {
		if u.TOTPSecret, err = s.secrets.OpenSecret(u.TOTPSecret); err != nil {
			return nil, fmt.Errorf("storage: user %d: two-step secret: %w", u.ID, err)
		}
	}
	return &u, nil
}

// CreateUser implements booking.AccountStore.
func (s *Store) CreateUser(ctx context.Context, email, passwordHash string, now time.Time) (*booking.User, error) {
	u, err := s.scanUser(s.db.QueryRow(ctx, `
		INSERT INTO users (email, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $3)
		RETURNING `+userColumns, strings.TrimSpace(email), passwordHash, stamp(now)))
	if booking.ErrorCode(err) == booking.ECONFLICT {
		return nil, booking.Errorf(booking.ECONFLICT, "An account with that email already exists.")
	}
	return u, err
}

// UserByEmail implements booking.AccountStore.
func (s *Store) UserByEmail(ctx context.Context, email string) (*booking.User, error) {
	return s.scanUser(s.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE lower(email) = lower($1)`,
		strings.TrimSpace(email)))
}

// UserByID implements booking.AccountStore.
func (s *Store) UserByID(ctx context.Context, id int64) (*booking.User, error) {
	return s.scanUser(s.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
}

// SetLanguage implements booking.AccountStore.
func (s *Store) SetLanguage(ctx context.Context, userID int64, language string, now time.Time) (*booking.User, error) {
	return s.scanUser(s.db.QueryRow(ctx, `
		UPDATE users SET language = $2, updated_at = $3
		WHERE id = $1 RETURNING `+userColumns, userID, language, stamp(now)))
}

// SetPassword implements booking.AccountStore.
func (s *Store) SetPassword(ctx context.Context, userID int64, passwordHash string, now time.Time) (*booking.User, error) {
	return s.scanUser(s.db.QueryRow(ctx, `
		UPDATE users SET password_hash = $2, session_epoch = session_epoch + 1, updated_at = $3
		WHERE id = $1 RETURNING `+userColumns, userID, passwordHash, stamp(now)))
}

// EnableTOTP implements booking.AccountStore.
func (s *Store) EnableTOTP(ctx context.Context, userID int64, secret string, recoveryHashes [][]byte, now time.Time) (*booking.User, error) {
	stored := secret
	if s.secrets != nil {
		var err error
		if stored, err = s.secrets.SealSecret(secret); err != nil {
			return nil, fmt.Errorf("storage: seal two-step secret: %w", err)
		}
	}
	var u *booking.User
	err := s.transact(ctx, func(tx txn) error {
		var err error
		u, err = s.scanUser(tx.QueryRow(ctx, `
			UPDATE users SET totp_secret = $2, totp_last_step = 0, session_epoch = session_epoch + 1, updated_at = $3
			WHERE id = $1 RETURNING `+userColumns, userID, stored, stamp(now)))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
			return translate(err)
		}
		for _, h := range recoveryHashes {
			if _, err := tx.Exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, h); err != nil {
				return translate(err)
			}
		}
		return nil
	})
	return u, err
}

// DisableTOTP implements booking.AccountStore.
func (s *Store) DisableTOTP(ctx context.Context, userID int64, now time.Time) (*booking.User, error) {
	var u *booking.User
	err := s.transact(ctx, func(tx txn) error {
		var err error
		u, err = s.scanUser(tx.QueryRow(ctx, `
			UPDATE users SET totp_secret = '', totp_last_step = 0, session_epoch = session_epoch + 1, updated_at = $2
			WHERE id = $1 RETURNING `+userColumns, userID, stamp(now)))
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID)
		return translate(err)
	})
	return u, err
}

// UseTOTPStep implements booking.AccountStore. The conditional update makes
// two requests racing with one code accept it at most once.
func (s *Store) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	tag, err := s.db.Exec(ctx, `UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`, userID, step)
	if err != nil {
		return false, fmt.Errorf("storage: use code: %w", translate(err))
	}
	return tag.RowsAffected() == 1, nil
}

// UseRecoveryCode implements booking.AccountStore.
func (s *Store) UseRecoveryCode(ctx context.Context, userID int64, hash []byte, now time.Time) (bool, error) {
	tag, err := s.db.Exec(ctx, `
		UPDATE recovery_codes SET used_at = $3
		WHERE id = (SELECT id FROM recovery_codes WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL LIMIT 1)`,
		userID, hash, stamp(now))
	if err != nil {
		return false, fmt.Errorf("storage: use recovery code: %w", translate(err))
	}
	return tag.RowsAffected() == 1, nil
}

// RecoveryCodesLeft implements booking.AccountStore.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("storage: recovery codes: %w", translate(err))
	}
	return n, nil
}

// EndSessions implements booking.AccountStore.
func (s *Store) EndSessions(ctx context.Context, userID int64, now time.Time) (*booking.User, error) {
	return s.scanUser(s.db.QueryRow(ctx, `
		UPDATE users SET session_epoch = session_epoch + 1, updated_at = $2
		WHERE id = $1 RETURNING `+userColumns, userID, stamp(now)))
}

// RecordLoginFailure implements booking.SignInStore. Failures older than a
// day are dropped on the way: no throttle looks back further.
func (s *Store) RecordLoginFailure(ctx context.Context, keys [][]byte, at time.Time) error {
	return s.transact(ctx, func(tx txn) error {
		for _, k := range keys {
			if _, err := tx.Exec(ctx, `INSERT INTO login_failures (key_hash, at) VALUES ($1, $2)`, k, at); err != nil {
				return fmt.Errorf("storage: record failure: %w", translate(err))
			}
		}
		_, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE at < $1`, at.Add(-24*time.Hour))
		return translate(err)
	})
}

// LoginFailures implements booking.SignInStore.
func (s *Store) LoginFailures(ctx context.Context, key []byte, since time.Time) ([]time.Time, error) {
	rows, err := s.db.Query(ctx, `SELECT at FROM login_failures WHERE key_hash = $1 AND at > $2 ORDER BY at`, key, since)
	if err != nil {
		return nil, fmt.Errorf("storage: failures: %w", translate(err))
	}
	ts, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
	if err != nil {
		return nil, fmt.Errorf("storage: failures: %w", translate(err))
	}
	return ts, nil
}

// loginLockClass is the first key of the advisory locks that serialise
// sign-in attempts; the two-key form keeps them apart from bookingLockKey.
const loginLockClass = 7_310_002

// loginLockID maps a throttle key to the second key of its advisory lock.
// Two keys sharing an id only serialise more than needed.
func loginLockID(key []byte) int32 {
	h := sha256.Sum256(key)
	return int32(binary.BigEndian.Uint32(h[:4]))
}

// BeginLogin implements booking.SignInStore. The advisory locks are taken
// in ascending order, so two attempts sharing keys cannot deadlock, and
// held only for the count and the insert, not for the password check.
func (s *Store) BeginLogin(ctx context.Context, limits []booking.LoginLimit, at time.Time) ([]int64, time.Duration, error) {
	var ids []int64
	var wait time.Duration
	err := s.transact(ctx, func(tx txn) error {
		locks := make([]int32, 0, len(limits))
		for _, l := range limits {
			locks = append(locks, loginLockID(l.Key))
		}
		slices.Sort(locks)
		for _, id := range slices.Compact(locks) {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, loginLockClass, id); err != nil {
				return fmt.Errorf("storage: begin login: %w", translate(err))
			}
		}
		for _, l := range limits {
			rows, err := tx.Query(ctx, `SELECT at FROM login_failures WHERE key_hash = $1 AND at > $2 ORDER BY at`,
				l.Key, at.Add(-l.Throttle.Window))
			if err != nil {
				return fmt.Errorf("storage: begin login: %w", translate(err))
			}
			fs, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
			if err != nil {
				return fmt.Errorf("storage: begin login: %w", translate(err))
			}
			wait = max(wait, l.Throttle.RetryAfter(fs, at))
		}
		if wait > 0 {
			return nil
		}
		for _, l := range limits {
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO login_failures (key_hash, at) VALUES ($1, $2) RETURNING id`,
				l.Key, at).Scan(&id); err != nil {
				return fmt.Errorf("storage: begin login: %w", translate(err))
			}
			ids = append(ids, id)
		}
		_, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE at < $1`, at.Add(-24*time.Hour))
		return translate(err)
	})
	if err != nil || wait > 0 {
		return nil, wait, err
	}
	return ids, 0, nil
}

// ForgetLoginFailures implements booking.SignInStore.
func (s *Store) ForgetLoginFailures(ctx context.Context, ids []int64) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM login_failures WHERE id = ANY($1)`, ids); err != nil {
		return fmt.Errorf("storage: forget login failures: %w", translate(err))
	}
	return nil
}

// ClearLoginFailures implements booking.SignInStore.
func (s *Store) ClearLoginFailures(ctx context.Context, key []byte) error {
	_, err := s.db.Exec(ctx, `DELETE FROM login_failures WHERE key_hash = $1`, key)
	return translate(err)
}

// RememberDevice implements booking.SignInStore.
func (s *Store) RememberDevice(ctx context.Context, userID int64, hash []byte, now time.Time) error {
	_, err := s.db.Exec(ctx, `
		INSERT INTO sign_in_devices (token_hash, user_id, created_at, last_used_at) VALUES ($1, $2, $3, $3)
		ON CONFLICT (token_hash) DO UPDATE SET last_used_at = EXCLUDED.last_used_at`, hash, userID, stamp(now))
	if err != nil {
		return fmt.Errorf("storage: remember device: %w", translate(err))
	}
	return nil
}

// DeviceAccount implements booking.SignInStore; a browser not used since
// since counts as unknown.
func (s *Store) DeviceAccount(ctx context.Context, hash []byte, since time.Time) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT user_id FROM sign_in_devices WHERE token_hash = $1 AND last_used_at > $2`,
		hash, stamp(since)).Scan(&id)
	if err != nil {
		return 0, translate(err)
	}
	return id, nil
}
