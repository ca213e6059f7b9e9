-- +goose Up
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- One row: the practice's booking rules. Durations are whole minutes.
CREATE TABLE practice_settings (
    id                 boolean PRIMARY KEY DEFAULT true CHECK (id),
    practice_name      text    NOT NULL CHECK (length(practice_name) BETWEEN 1 AND 200),
    time_zone          text    NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
    slot_minutes       integer NOT NULL DEFAULT 20  CHECK (slot_minutes BETWEEN 5 AND 240),
    buffer_minutes     integer NOT NULL DEFAULT 10  CHECK (buffer_minutes BETWEEN 0 AND 240),
    min_notice_minutes integer NOT NULL DEFAULT 720 CHECK (min_notice_minutes BETWEEN 0 AND 43200),
    not_same_day       boolean NOT NULL DEFAULT false,
    horizon_days       integer NOT NULL DEFAULT 60  CHECK (horizon_days BETWEEN 0 AND 730),
    daily_cap          integer NOT NULL DEFAULT 6   CHECK (daily_cap BETWEEN 0 AND 100),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- Weekly hours: wall-clock minutes after midnight in the practice's zone.
CREATE TABLE weekly_windows (
    id           bigint   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    weekday      smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6), -- 0 = Sunday
    start_minute smallint NOT NULL,
    end_minute   smallint NOT NULL,
    CHECK (start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440)
);
CREATE INDEX weekly_windows_weekday ON weekly_windows (weekday, start_minute);

-- A date whose hours differ from the weekly ones: closed, or its own windows.
CREATE TABLE date_overrides (
    day    date    PRIMARY KEY,
    closed boolean NOT NULL
);

CREATE TABLE override_windows (
    id           bigint   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    day          date     NOT NULL REFERENCES date_overrides (day) ON DELETE CASCADE,
    start_minute smallint NOT NULL,
    end_minute   smallint NOT NULL,
    CHECK (start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440)
);
CREATE INDEX override_windows_day ON override_windows (day);

-- Time off: every date from first_day to last_day is closed.
CREATE TABLE time_off (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_day date   NOT NULL,
    last_day  date   NOT NULL,
    CHECK (first_day <= last_day)
);

-- Bookings. calendar_id is the practitioner's calendar (one today); the
-- exclusion constraint makes the database itself refuse two overlapping
-- confirmed bookings on one calendar, whatever the application does.
CREATE TABLE bookings (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    calendar_id       smallint    NOT NULL DEFAULT 1,
    starts_at         timestamptz NOT NULL,
    ends_at           timestamptz NOT NULL,
    during            tstzrange   GENERATED ALWAYS AS (tstzrange(starts_at, ends_at, '[)')) STORED,
    status            text        NOT NULL DEFAULT 'confirmed'
                      CHECK (status IN ('confirmed', 'cancelled', 'completed', 'no_show')),
    name              text        NOT NULL,
    email             text        NOT NULL,
    phone             text        NOT NULL DEFAULT '',
    note              text        NOT NULL DEFAULT '',
    time_zone         text        NOT NULL,
    manage_token_hash bytea       NOT NULL UNIQUE,
    sequence          integer     NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    cancelled_at      timestamptz,
    CHECK (starts_at < ends_at),
    CONSTRAINT bookings_no_overlap
        EXCLUDE USING gist (calendar_id WITH =, during WITH &&) WHERE (status = 'confirmed')
);
CREATE INDEX bookings_starts_at ON bookings (starts_at);
CREATE INDEX bookings_email ON bookings (lower(email));

-- Repeated create requests with the same Idempotency-Key return the first
-- booking. The manage token is sealed with a key only the client holds.
CREATE TABLE idempotency_keys (
    key_hash     bytea       PRIMARY KEY,
    request_hash bytea       NOT NULL,
    booking_id   bigint      NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    sealed_token bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- Transactional outbox: each email a booking change sends is written here in
-- the change's own transaction; a worker delivers it. booking_sequence is
-- the booking's sequence when queued: a reminder whose booking changed since
-- is skipped rather than sent with stale details.
CREATE TABLE outbox (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    booking_id       bigint      REFERENCES bookings (id) ON DELETE CASCADE,
    kind             text        NOT NULL,
    recipient        text        NOT NULL CHECK (recipient IN ('client', 'practitioner')),
    booking_sequence integer     NOT NULL DEFAULT 0,
    message          text        NOT NULL DEFAULT '',
    status           text        NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    send_after       timestamptz NOT NULL DEFAULT now(),
    attempts         integer     NOT NULL DEFAULT 0,
    last_error       text        NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz
);
CREATE INDEX outbox_due ON outbox (send_after) WHERE status = 'pending';
CREATE INDEX outbox_booking ON outbox (booking_id);

-- +goose Down
DROP TABLE outbox;
DROP TABLE idempotency_keys;
DROP TABLE bookings;
DROP TABLE time_off;
DROP TABLE override_windows;
DROP TABLE date_overrides;
DROP TABLE weekly_windows;
DROP TABLE practice_settings;
DROP EXTENSION IF EXISTS btree_gist;
