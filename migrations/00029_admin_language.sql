-- +goose Up
-- The language the practitioner reads the admin area in (NULL: not chosen
-- yet, taken from the browser's Accept-Language).
ALTER TABLE users ADD COLUMN language text CHECK (language IN ('en', 'de'));

-- +goose Down
ALTER TABLE users DROP COLUMN language;
