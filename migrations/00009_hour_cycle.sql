-- +goose Up
-- The clock a client reads times on (12- or 24-hour), chosen on the
-- booking page or taken from their browser's language, so their emails
-- write times as the pages did. NULL for bookings made before.
ALTER TABLE bookings ADD COLUMN hour_cycle smallint CHECK (hour_cycle IN (12, 24));

-- +goose Down
ALTER TABLE bookings DROP COLUMN hour_cycle;
