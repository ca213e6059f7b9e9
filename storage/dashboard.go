package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"consult/booking"
)

// BookingFacts implements booking.StatsStore. It reads no personal data;
// retention keeps these columns, so the counts survive it.
func (s *Store) BookingFacts(ctx context.Context, from, to time.Time) ([]booking.BookingFact, error) {
	rows, err := s.db.Query(ctx, `SELECT created_at, starts_at, status FROM bookings
		WHERE starts_at >= $1 AND starts_at < $2 AND status NOT IN ('held', 'expired') ORDER BY starts_at, id`, stamp(from), stamp(to))
	if err != nil {
		return nil, fmt.Errorf("storage: booking facts: %w", translate(err))
	}
	facts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.BookingFact, error) {
		var f booking.BookingFact
		var st string
		err := r.Scan(&f.Created, &f.Start, &st)
		f.Status = booking.Status(st)
		f.Created, f.Start = f.Created.UTC(), f.Start.UTC()
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: booking facts: %w", translate(err))
	}
	return facts, nil
}
