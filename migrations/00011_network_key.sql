-- +goose Up
-- A one-way fingerprint of the network a booking was made from (its /24
-- for IPv4, /48 for IPv6), kept only while the booking is upcoming, for
-- the limit on upcoming bookings per network. The address itself is
-- never stored.
ALTER TABLE bookings ADD COLUMN network_key bytea;
CREATE INDEX bookings_network_key ON bookings (network_key) WHERE network_key IS NOT NULL;

-- +goose Down
DROP INDEX bookings_network_key;
ALTER TABLE bookings DROP COLUMN network_key;
