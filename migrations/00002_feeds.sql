-- +goose Up

-- The secret in the private bookings feed's URL, stored as its SHA-256.
-- There is one active secret: rotating replaces this row, so the old URL
-- stops working in the same transaction.
CREATE TABLE feed_secrets (
    id          boolean     PRIMARY KEY DEFAULT true CHECK (id),
    secret_hash bytea       NOT NULL CHECK (length(secret_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- event_title: the neutral title of invitations and .ics downloads; ''
--   means "Consultation with <practice name>".
-- feed_full_details: the private feed shows clients' names and contact
--   details instead of their initials.
-- availability_changed_at: moves forward on every change to these settings,
--   the weekly hours, special dates and time off (the triggers below keep
--   it, whoever writes), so a feed can tell with one cheap query whether
--   anything it shows may have changed.
ALTER TABLE practice_settings
    ADD COLUMN event_title             text        NOT NULL DEFAULT '' CHECK (length(event_title) <= 200),
    ADD COLUMN feed_full_details       boolean     NOT NULL DEFAULT false,
    ADD COLUMN availability_changed_at timestamptz NOT NULL DEFAULT now();

-- Strictly increasing, even when the clock repeats a reading or steps
-- back, so a change is never hidden behind an earlier one's stamp. The
-- clock, not now(): now() is when the transaction began, which may be
-- before a change another transaction has already made visible.
-- +goose StatementBegin
CREATE FUNCTION practice_settings_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.availability_changed_at := greatest(clock_timestamp(), OLD.availability_changed_at + interval '1 microsecond');
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER practice_settings_stamp BEFORE UPDATE ON practice_settings
    FOR EACH ROW EXECUTE FUNCTION practice_settings_stamp();

-- +goose StatementBegin
CREATE FUNCTION availability_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE practice_settings SET availability_changed_at = clock_timestamp();
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER weekly_windows_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON weekly_windows
    FOR EACH STATEMENT EXECUTE FUNCTION availability_changed();
CREATE TRIGGER date_overrides_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON date_overrides
    FOR EACH STATEMENT EXECUTE FUNCTION availability_changed();
CREATE TRIGGER override_windows_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON override_windows
    FOR EACH STATEMENT EXECUTE FUNCTION availability_changed();
CREATE TRIGGER time_off_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON time_off
    FOR EACH STATEMENT EXECUTE FUNCTION availability_changed();

-- The private feed keeps cancelled bookings for a while after their
-- cancellation; its version query finds the last one to drop out here.
CREATE INDEX bookings_cancelled_at ON bookings (cancelled_at) WHERE status = 'cancelled';

-- +goose Down
DROP INDEX bookings_cancelled_at;
DROP TRIGGER time_off_changed ON time_off;
DROP TRIGGER override_windows_changed ON override_windows;
DROP TRIGGER date_overrides_changed ON date_overrides;
DROP TRIGGER weekly_windows_changed ON weekly_windows;
DROP FUNCTION availability_changed();
DROP TRIGGER practice_settings_stamp ON practice_settings;
DROP FUNCTION practice_settings_stamp();
ALTER TABLE practice_settings
    DROP COLUMN availability_changed_at,
    DROP COLUMN feed_full_details,
    DROP COLUMN event_title;
DROP TABLE feed_secrets;
