-- +goose Up
-- A time held for a client who must confirm by email: a booking in status
-- 'held' until hold_expires_at, holding its time under the same overlap
-- rule as a confirmed one. An unclaimed hold becomes 'expired', its
-- personal data erased, and is deleted a day later.
ALTER TABLE bookings ADD COLUMN hold_expires_at timestamptz;
ALTER TABLE bookings DROP CONSTRAINT bookings_status_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_status_check
    CHECK (status IN ('held', 'expired', 'confirmed', 'cancelled', 'completed', 'no_show'));
ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap;
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap
    EXCLUDE USING gist (calendar_id WITH =, during WITH &&) WHERE (status IN ('confirmed', 'held'));
CREATE INDEX bookings_holds ON bookings (hold_expires_at) WHERE status IN ('held', 'expired');

-- +goose Down
DELETE FROM bookings WHERE status IN ('held', 'expired');
DROP INDEX bookings_holds;
ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap;
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap
    EXCLUDE USING gist (calendar_id WITH =, during WITH &&) WHERE (status = 'confirmed');
ALTER TABLE bookings DROP CONSTRAINT bookings_status_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_status_check
    CHECK (status IN ('confirmed', 'cancelled', 'completed', 'no_show'));
ALTER TABLE bookings DROP COLUMN hold_expires_at;
