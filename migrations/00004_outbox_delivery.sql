-- +goose Up
-- Delivery bookkeeping for the outbox worker.
--   sealed_token: the client's manage token sealed (AES-GCM) with the mail
--     key, so the email can carry their private link; erased once sent.
--   lease_until: a row in 'sending' belongs to one worker until then; after
--     it (the worker crashed) another worker may claim it again.
--   message_id: the Message-ID the message is sent with, the same on every
--     attempt so a duplicate after a lost reply is recognisable.
--   'logged': kept but not sent, because no SMTP server was configured.
ALTER TABLE outbox
    ADD COLUMN sealed_token bytea,
    ADD COLUMN lease_until  timestamptz,
    ADD COLUMN message_id   text NOT NULL DEFAULT '';
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped', 'logged'));
CREATE INDEX outbox_leased ON outbox (lease_until) WHERE status = 'sending';
CREATE INDEX outbox_status ON outbox (status, id);

-- The key that seals manage tokens when no MAIL_KEY is configured: made
-- once, at the first start, and shared by every instance on the database.
CREATE TABLE mail_keys (
    id         boolean     PRIMARY KEY DEFAULT true CHECK (id),
    key        bytea       NOT NULL CHECK (length(key) = 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE mail_keys;
DROP INDEX outbox_status;
DROP INDEX outbox_leased;
UPDATE outbox SET status = 'skipped' WHERE status = 'logged';
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped'));
ALTER TABLE outbox
    DROP COLUMN message_id,
    DROP COLUMN lease_until,
    DROP COLUMN sealed_token;
