-- +goose Up
-- A one-way fingerprint of the client's email (SHA-256 of it in lower
-- case), so the "one free consultation a year" limit still holds after
-- retention has erased the address. It is kept twelve months after the
-- consultation, then cleared.
ALTER TABLE bookings ADD COLUMN client_key bytea;
UPDATE bookings SET client_key = sha256(convert_to(lower(email), 'UTF8'))
WHERE email NOT LIKE 'erased-%@invalid';
CREATE INDEX bookings_client_key ON bookings (client_key) WHERE client_key IS NOT NULL;

-- +goose Down
DROP INDEX bookings_client_key;
ALTER TABLE bookings DROP COLUMN client_key;
