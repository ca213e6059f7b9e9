-- +goose Up

-- The practitioner's own calendars, whose busy time blocks consultation
-- times. The address (a secret ICS address is a credential) and the
-- password are stored sealed with the mail keys; host is what the admin
-- area shows of the address. Nothing of the events themselves is kept:
-- only their busy intervals, below.
--   status: pending (not read yet), ok, error (the last good busy time stays).
--   last_error: a message safe to show, never the address.
--   etag, last_modified: the validators of the copy held, for conditional fetches.
--   sync_token: a CalDAV calendar's ctag or sync token, same use.
--   lease_owner, lease_until: the instance syncing the source now, so that
--     two instances never sync one source at once.
--   stale: unseen for longer than the setting allows, so booking is blocked.
CREATE TABLE calendar_sources (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text        NOT NULL CHECK (kind IN ('ics', 'caldav')),
    url_sealed      text        NOT NULL,
    host            text        NOT NULL,
    username        text        NOT NULL DEFAULT '' CHECK (length(username) <= 200),
    password_sealed text        NOT NULL DEFAULT '',
    owner_email     text        NOT NULL DEFAULT '' CHECK (length(owner_email) <= 254),
    ignore_declined boolean     NOT NULL DEFAULT true,
    write_bookings  boolean     NOT NULL DEFAULT false,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ok', 'error')),
    last_attempt    timestamptz,
    last_success    timestamptz,
    last_error      text        NOT NULL DEFAULT '',
    etag            text        NOT NULL DEFAULT '',
    last_modified   text        NOT NULL DEFAULT '',
    sync_token      text        NOT NULL DEFAULT '',
    lease_owner     text,
    lease_until     timestamptz,
    stale           boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL
);

-- Busy time read from a source: instants only.
CREATE TABLE busy_intervals (
    source_id bigint    NOT NULL REFERENCES calendar_sources (id) ON DELETE CASCADE,
    during    tstzrange NOT NULL CHECK (NOT isempty(during) AND lower(during) IS NOT NULL AND upper(during) IS NOT NULL)
);
CREATE INDEX busy_intervals_during ON busy_intervals USING gist (during);
CREATE INDEX busy_intervals_source ON busy_intervals (source_id);

-- +goose Down
DROP TABLE busy_intervals;
DROP TABLE calendar_sources;
