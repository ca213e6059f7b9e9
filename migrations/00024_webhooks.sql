-- +goose Up
-- Endpoints another system gave the practitioner to be told of booking
-- changes. The signing secret is stored sealed with the mail keys. An
-- endpoint failing without a success since failing_since is switched off
-- with the reason, and on again by the practitioner.
CREATE TABLE webhook_endpoints (
    id                     bigserial PRIMARY KEY,
    url                    text NOT NULL CHECK (length(url) <= 2048),
    events                 text[] NOT NULL,
    include_client_details boolean NOT NULL DEFAULT false,
    secret                 text NOT NULL,
    enabled                boolean NOT NULL DEFAULT true,
    disabled_reason        text NOT NULL DEFAULT '',
    failing_since          timestamptz,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL
);

-- One event for one endpoint, queued in the transaction of the change that
-- caused it and sent at least once under its event_id (the webhook-id).
-- The body is kept only while it may still be sent and for the delivery
-- log's seven days; personal marks a body that carries the client's
-- details, so erasing the client empties it.
CREATE TABLE webhook_deliveries (
    id               bigserial PRIMARY KEY,
    endpoint_id      bigint NOT NULL REFERENCES webhook_endpoints ON DELETE CASCADE,
    event_id         text NOT NULL,
    event_type       text NOT NULL,
    booking_id       bigint REFERENCES bookings ON DELETE SET NULL,
    payload          bytea,
    personal         boolean NOT NULL DEFAULT false,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'delivered', 'failed', 'skipped')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    claimed_until    timestamptz,
    last_status      integer NOT NULL DEFAULT 0,
    last_error       text NOT NULL DEFAULT '',
    last_duration_ms integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL,
    finished_at      timestamptz,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (endpoint_id, id DESC);
CREATE INDEX webhook_deliveries_booking ON webhook_deliveries (booking_id) WHERE booking_id IS NOT NULL;

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
