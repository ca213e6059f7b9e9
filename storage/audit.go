package storage

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"consult/booking"
)

// Audit implements booking.AuditStore. There is deliberately no method
// that changes or removes an entry; the table's trigger refuses it too.
func (s *Store) Audit(ctx context.Context, e booking.AuditEntry) error {
	_, err := s.db.Exec(ctx, `
		INSERT INTO audit_log (at, user_id, via, token_id, action, target, address)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		stamp(e.At), nullID(e.UserID), e.Via, nullID(e.TokenID), e.Action, e.Target, e.Address)
	if err != nil {
		return fmt.Errorf("storage: audit: %w", translate(err))
	}
	return nil
}

// AuditLog implements booking.AuditStore.
func (s *Store) AuditLog(ctx context.Context, limit, offset int) ([]booking.AuditEntry, int, error) {
	var total int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM audit_log`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("storage: audit log: %w", translate(err))
	}
	rows, err := s.db.Query(ctx, `
		SELECT a.id, a.at, coalesce(a.user_id, 0), coalesce(u.email, ''), a.via, coalesce(a.token_id, 0),
		       a.action, a.target, a.address
		FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
		ORDER BY a.at DESC, a.id DESC LIMIT $1 OFFSET $2`, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: audit log: %w", translate(err))
	}
	es, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.AuditEntry, error) {
		var e booking.AuditEntry
		err := r.Scan(&e.ID, &e.At, &e.UserID, &e.UserEmail, &e.Via, &e.TokenID, &e.Action, &e.Target, &e.Address)
		e.At = e.At.UTC()
		return e, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("storage: audit log: %w", translate(err))
	}
	return es, total, nil
}

// nullID stores 0 as NULL.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
