-- +goose Up
-- Admin session ids are kept as SHA-256 hashes (hex), like every other
-- secret the service checks: a copy of the database (a backup, a
-- replica) then holds no cookie that opens the admin area. Sessions
-- signed in before this change keep working.
UPDATE sessions SET token = encode(sha256(convert_to(token, 'UTF8')), 'hex');

-- +goose Down
-- The ids cannot be recovered from their hashes: everyone signs in again.
DELETE FROM sessions;
