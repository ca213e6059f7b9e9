-- +goose Up
-- Proof-of-work challenges already answered (by a hash of the challenge),
-- kept until they expire, so that one solution books at most once.
CREATE TABLE used_proofs (
    challenge_hash bytea       PRIMARY KEY,
    expires_at     timestamptz NOT NULL
);
CREATE INDEX used_proofs_expires_at ON used_proofs (expires_at);

-- +goose Down
DROP TABLE used_proofs;
