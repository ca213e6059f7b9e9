package storage

import (
	"context"
	"fmt"
	"time"

	"consult/booking"
)

// EmbedSettings implements booking.EmbedStore.
func (s *Store) EmbedSettings(ctx context.Context) (booking.EmbedSettings, error) {
	var es booking.EmbedSettings
	if err := s.db.QueryRow(ctx, `SELECT embed_origins, embed_accent FROM practice_settings`).Scan(&es.Origins, &es.Accent); err != nil {
		return es, fmt.Errorf("storage: embed settings: %w", translate(err))
	}
	return es, nil
}

// SaveEmbedSettings implements booking.EmbedStore.
func (s *Store) SaveEmbedSettings(ctx context.Context, es booking.EmbedSettings, now time.Time) error {
	stamp(now)
	if _, err := s.db.Exec(ctx, `UPDATE practice_settings SET embed_origins = $1, embed_accent = $2`, es.Origins, es.Accent); err != nil {
		return fmt.Errorf("storage: embed settings: %w", translate(err))
	}
	return nil
}
