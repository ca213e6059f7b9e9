-- +goose Up

-- One row that moves on every change to bookings, as
-- practice_settings.availability_changed_at does for the hours and rules,
-- so the open-slots feed and the slots API can tell with a one-row read
-- whether any booking changed, instead of aggregating over the bookings.
--   version: grows by one with every row written, deleted or truncated.
--   changed_at: the latest updated_at a change wrote (the clock at a
--     delete), the bookings' part of the feed's Last-Modified.
-- Each writing transaction holds this row until it commits, so versions
-- follow commit order; booking changes are serialised by the booking lock
-- already, and each transaction writes bookings in one statement, so the
-- row adds no wait and no deadlock.
CREATE TABLE booking_changes (
    id         boolean     PRIMARY KEY DEFAULT true CHECK (id),
    version    bigint      NOT NULL DEFAULT 0,
    changed_at timestamptz
);
INSERT INTO booking_changes (changed_at) SELECT max(updated_at) FROM bookings;

-- Row-level, so a statement that matches no row (the retention job's, most
-- days) moves nothing.
-- +goose StatementBegin
CREATE FUNCTION bookings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE booking_changes SET version = version + 1,
            changed_at = greatest(changed_at, NEW.updated_at);
    ELSE
        UPDATE booking_changes SET version = version + 1,
            changed_at = greatest(changed_at, clock_timestamp());
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER bookings_changed AFTER INSERT OR UPDATE OR DELETE ON bookings
    FOR EACH ROW EXECUTE FUNCTION bookings_changed();
CREATE TRIGGER bookings_truncated AFTER TRUNCATE ON bookings
    FOR EACH STATEMENT EXECUTE FUNCTION bookings_changed();

-- +goose Down
DROP TRIGGER bookings_truncated ON bookings;
DROP TRIGGER bookings_changed ON bookings;
DROP FUNCTION bookings_changed();
DROP TABLE booking_changes;
