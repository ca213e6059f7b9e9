package storage

import (
	"context"
	"fmt"
	"time"
)

// BookingsSince implements proof.Store: every booking row made at or
// after since, held and expired ones included, as each was a request.
func (s *Store) BookingsSince(ctx context.Context, since time.Time) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM bookings WHERE created_at >= $1`, stamp(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("storage: bookings since: %w", translate(err))
	}
	return n, nil
}

// UseProof implements proof.Store.
func (s *Store) UseProof(ctx context.Context, challengeHash []byte, expires, now time.Time) (bool, error) {
	if _, err := s.db.Exec(ctx, `DELETE FROM used_proofs WHERE expires_at < $1`, stamp(now)); err != nil {
		return false, fmt.Errorf("storage: use proof: %w", translate(err))
	}
	tag, err := s.db.Exec(ctx, `INSERT INTO used_proofs (challenge_hash, expires_at) VALUES ($1, $2)
		ON CONFLICT (challenge_hash) DO NOTHING`, challengeHash, stamp(expires))
	if err != nil {
		return false, fmt.Errorf("storage: use proof: %w", translate(err))
	}
	return tag.RowsAffected() == 1, nil
}
