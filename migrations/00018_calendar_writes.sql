-- +goose Up

-- The outbox of writes into the practitioner's CalDAV calendars (sources
-- with write_bookings): queued in the same transaction as the booking
-- change, so a change is never stored without its write, and carried out
-- by a worker that retries until the calendar answers. A write carries no
-- content: the worker writes the booking as it stands then (or removes it
-- once cancelled), so writes may be retried and reordered safely and the
-- calendar ends as the booking is.
--   status: pending, sending (leased until lease_until), done, failed
--     (given up after many attempts), superseded (a later write of the
--     same booking replaced it before it ran).
CREATE TABLE calendar_writes (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id   bigint      NOT NULL REFERENCES calendar_sources (id) ON DELETE CASCADE,
    booking_id  bigint      NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    status      text        NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'done', 'failed', 'superseded')),
    attempts    integer     NOT NULL DEFAULT 0,
    send_after  timestamptz NOT NULL,
    lease_until timestamptz,
    last_error  text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    done_at     timestamptz
);
CREATE INDEX calendar_writes_due ON calendar_writes (send_after) WHERE status IN ('pending', 'sending');
CREATE INDEX calendar_writes_booking ON calendar_writes (booking_id);

-- +goose Down
DROP TABLE calendar_writes;
