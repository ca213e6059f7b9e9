-- +goose Up
-- The language a client reads the site in, so their emails and invitations
-- are written in it too (NULL: before languages existed, read as English).
ALTER TABLE bookings ADD COLUMN language text CHECK (language IN ('en', 'de', 'fr', 'es'));
ALTER TABLE waitlist_entries ADD COLUMN language text CHECK (language IN ('en', 'de', 'fr', 'es'));

-- +goose Down
ALTER TABLE waitlist_entries DROP COLUMN language;
ALTER TABLE bookings DROP COLUMN language;
