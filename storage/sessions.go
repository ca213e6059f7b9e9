package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"consult/booking"
)

// Sessions keeps the practitioner's sign-in sessions in PostgreSQL for
// the session manager (it satisfies scs.Store and scs.CtxStore), on the
// service's clock. The manager hands over an expiry read from the real
// clock; only the time left until it is kept, counted from the service's
// clock, so whether a session has expired is decided by the same clock as
// everything else (and moves when a test moves it).
//
// Session ids are stored as their SHA-256 hashes, so the table holds
// nothing a browser could present; the manager only ever hands over ids
// it generated (128 bits of randomness or more), so no salt is needed.
type Sessions struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// NewSessions returns the session store on pool, deciding expiry by now.
func NewSessions(pool *pgxpool.Pool, now func() time.Time) *Sessions {
	return &Sessions{pool: pool, now: now}
}

// FindCtx returns the data of the unexpired session token, and whether
// there is one.
func (s *Sessions) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM sessions WHERE token = $1 AND expiry > $2`,
		sessionKey(token), s.now()).Scan(&data)
	switch err := translate(err); {
	case err == nil:
		return data, true, nil
	case booking.ErrorCode(err) == booking.ENOTFOUND:
		return nil, false, nil
	default:
		return nil, false, fmt.Errorf("storage: find session: %w", err)
	}
}

// CommitCtx stores the session until expiry.
func (s *Sessions) CommitCtx(ctx context.Context, token string, data []byte, expiry time.Time) error {
	// time.Until measures the session's remaining length on the clock the
	// manager used; the stored expiry is on the service's clock.
	until := s.now().Add(time.Until(expiry))
	_, err := s.pool.Exec(ctx, `
		INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`,
		sessionKey(token), data, until)
	if err != nil {
		return fmt.Errorf("storage: save session: %w", translate(err))
	}
	return nil
}

// DeleteCtx removes the session token.
func (s *Sessions) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token = $1`, sessionKey(token)); err != nil {
		return fmt.Errorf("storage: delete session: %w", translate(err))
	}
	return nil
}

// Find is FindCtx without a context, which the manager's interface also
// asks for.
func (s *Sessions) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit stores the session until expiry.
func (s *Sessions) Commit(token string, data []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, data, expiry)
}

// Delete removes the session token.
func (s *Sessions) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// DeleteExpired removes the sessions expired at now, for the hourly
// clean-up, and returns how many there were.
func (s *Sessions) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expiry <= $1`, stamp(now))
	if err != nil {
		return 0, fmt.Errorf("storage: delete expired sessions: %w", translate(err))
	}
	return tag.RowsAffected(), nil
}

// sessionKey is what the table keeps of a session id.
func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
