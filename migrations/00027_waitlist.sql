-- +goose Up
-- People waiting for a time that suits them. An entry is unconfirmed until
-- its owner follows the link emailed to them (dropped after 48 hours if
-- they never do), active while it may be offered times, and ended when it
-- is claimed, left, removed, expired or erased. One open entry per inbox,
-- by the same fingerprint the booking limits use.
CREATE TABLE waitlist_entries (
    id           bigserial PRIMARY KEY,
    name         text NOT NULL,
    email        text NOT NULL,
    client_key   bytea NOT NULL,
    time_zone    text NOT NULL,
    hour_cycle   smallint,
    days         smallint[] NOT NULL,
    parts        text[] NOT NULL,
    first_day    date NOT NULL,
    last_day     date NOT NULL,
    region       text NOT NULL DEFAULT '',
    status       text NOT NULL DEFAULT 'unconfirmed'
                 CHECK (status IN ('unconfirmed', 'active', 'ended')),
    end_reason   text NOT NULL DEFAULT '',
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL,
    confirmed_at timestamptz,
    ended_at     timestamptz
);
CREATE UNIQUE INDEX waitlist_one_open_per_inbox ON waitlist_entries (client_key) WHERE status <> 'ended';
CREATE INDEX waitlist_active ON waitlist_entries (id) WHERE status = 'active';

-- A time offered to an entry: held for it as a booking in status 'held'
-- (so the slot engine and the no-overlap rule keep everyone else off it)
-- until the hold's end. A time is offered to an entry at most once.
CREATE TABLE waitlist_offers (
    id         bigserial PRIMARY KEY,
    entry_id   bigint NOT NULL REFERENCES waitlist_entries ON DELETE CASCADE,
    booking_id bigint REFERENCES bookings ON DELETE SET NULL,
    starts_at  timestamptz NOT NULL,
    status     text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'expired', 'withdrawn')),
    created_at timestamptz NOT NULL,
    UNIQUE (entry_id, starts_at)
);
CREATE UNIQUE INDEX waitlist_one_open_offer ON waitlist_offers (entry_id) WHERE status = 'open';
CREATE INDEX waitlist_offers_booking ON waitlist_offers (booking_id);

-- The confirmation request of an entry is queued like any email; it is
-- about no booking.
ALTER TABLE outbox ADD COLUMN waitlist_entry_id bigint REFERENCES waitlist_entries ON DELETE CASCADE;

ALTER TABLE practice_settings ADD COLUMN waitlist_enabled boolean NOT NULL DEFAULT true;

-- +goose Down
ALTER TABLE practice_settings DROP COLUMN waitlist_enabled;
ALTER TABLE outbox DROP COLUMN waitlist_entry_id;
DROP TABLE waitlist_offers;
DROP TABLE waitlist_entries;
