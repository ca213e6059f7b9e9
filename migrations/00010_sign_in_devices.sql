-- +goose Up
-- Browsers the practitioner has signed in from, known by a random token
-- in a cookie (kept here only as a hash). A known browser keeps a sign-in
-- budget of its own, so that wrong passwords from anyone else cannot lock
-- the practitioner out.
CREATE TABLE sign_in_devices (
    token_hash   bytea       PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz NOT NULL
);
CREATE INDEX sign_in_devices_user ON sign_in_devices (user_id);

-- +goose Down
DROP TABLE sign_in_devices;
