-- +goose Up

-- Practitioner accounts. session_epoch grows whenever every session of the
-- account must end (password or two-step change, "sign out everywhere"):
-- a session remembers the epoch it began in and is refused once it differs.
CREATE TABLE users (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    password_hash text        NOT NULL,
    totp_secret   text        NOT NULL DEFAULT '',
    totp_last_step bigint     NOT NULL DEFAULT 0, -- a code is accepted once
    session_epoch integer     NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- One-time recovery codes for two-step sign-in, stored hashed.
CREATE TABLE recovery_codes (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id   bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash bytea       NOT NULL,
    used_at   timestamptz
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- Admin sign-in sessions, in the layout the scs pgx store expects.
CREATE TABLE sessions (
    token  text        PRIMARY KEY,
    data   bytea       NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Personal access tokens for the admin API, stored hashed.
CREATE TABLE api_tokens (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash   bytea       NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Failed sign-ins, keyed by a hash of the account name or of the address,
-- for throttling. The key is hashed so the table holds no email address.
CREATE TABLE login_failures (
    id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key_hash bytea       NOT NULL,
    at       timestamptz NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key_hash, at);

-- The audit log: who did what, when, from where. Targets are ids, never
-- a client's personal data. Rows are only ever added: a trigger refuses
-- UPDATE, DELETE and TRUNCATE whatever the application does.
CREATE TABLE audit_log (
    id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    user_id  bigint,               -- no foreign key: the log outlives accounts
    via      text        NOT NULL CHECK (via IN ('session', 'token', 'cli', 'anonymous')),
    token_id bigint,
    action   text        NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    target   text        NOT NULL DEFAULT '',
    address  text        NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- The practitioner's private note on a booking; never shown to the client.
ALTER TABLE bookings ADD COLUMN practitioner_note text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE bookings DROP COLUMN practitioner_note;
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE login_failures;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE recovery_codes;
DROP TABLE users;
