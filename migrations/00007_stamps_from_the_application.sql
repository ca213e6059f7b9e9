-- +goose Up

-- Change stamps come from the application's clock, never the database's:
-- a feed's Last-Modified, the slots' version and every decision that
-- compares times must agree with the clock the service was given, or a
-- server whose clock differs (or a test that sets its own) sees changes
-- in the wrong order.
--
-- practice_settings.availability_changed_at is set by the statement that
-- changes the settings, and by the application in the same transaction
-- as a change to the weekly hours, special dates or time off. The
-- triggers keep only what needs no clock: the stamp never goes back, and
-- a write that does not stamp (a change made by hand) still moves it by
-- a microsecond, so the version changes and caches are refreshed.
ALTER TABLE practice_settings ALTER COLUMN availability_changed_at DROP DEFAULT;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION practice_settings_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.availability_changed_at := greatest(NEW.availability_changed_at, OLD.availability_changed_at + interval '1 microsecond');
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION availability_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE practice_settings SET availability_changed_at = availability_changed_at;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- A booking's insert or update carries its own updated_at; a delete has no
-- stamp of its own, so it moves only the version, and the application
-- stamps changed_at where a delete frees a time (erasing a client).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bookings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE booking_changes SET version = version + 1,
            changed_at = greatest(changed_at, NEW.updated_at);
    ELSE
        UPDATE booking_changes SET version = version + 1;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bookings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION availability_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE practice_settings SET availability_changed_at = clock_timestamp();
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION practice_settings_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.availability_changed_at := greatest(clock_timestamp(), OLD.availability_changed_at + interval '1 microsecond');
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

ALTER TABLE practice_settings ALTER COLUMN availability_changed_at SET DEFAULT now();
