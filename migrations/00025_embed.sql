-- +goose Up
-- The origins of the practice's own website allowed to frame the booking
-- page (none: no framing), and the accent colour the framed page takes.
ALTER TABLE practice_settings ADD COLUMN embed_origins text[] NOT NULL DEFAULT '{}';
ALTER TABLE practice_settings ADD COLUMN embed_accent text NOT NULL DEFAULT ''
    CHECK (embed_accent = '' OR embed_accent ~ '^#[0-9a-f]{6}$');

-- +goose Down
ALTER TABLE practice_settings DROP COLUMN embed_accent;
ALTER TABLE practice_settings DROP COLUMN embed_origins;
