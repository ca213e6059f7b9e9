-- +goose Up

-- Up to five extra questions the practitioner asks on the booking form
-- (short text, a choice, yes or no), as a JSON array of
-- {"kind", "label", "choices"}; and each booking's answers, a JSON array
-- of {"question", "answer"} keeping the question as it was asked. The
-- answers are the client's personal data: erased with the rest.
ALTER TABLE practice_settings
    ADD COLUMN questions jsonb NOT NULL DEFAULT '[]'
        CHECK (jsonb_typeof(questions) = 'array' AND jsonb_array_length(questions) <= 5 AND length(questions::text) <= 8000),
    -- photo_version names the practitioner's photo (a hash of its bytes),
    -- '' for none, so pages link to it without reading it.
    ADD COLUMN photo_version text NOT NULL DEFAULT '' CHECK (length(photo_version) <= 64);

ALTER TABLE bookings
    ADD COLUMN answers jsonb NOT NULL DEFAULT '[]'
        CHECK (jsonb_typeof(answers) = 'array' AND jsonb_array_length(answers) <= 5 AND length(answers::text) <= 4000);

-- The practitioner's photo, resized and re-encoded without its metadata.
CREATE TABLE practice_photo (
    id           boolean     PRIMARY KEY DEFAULT true CHECK (id),
    content_type text        NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    image        bytea       NOT NULL CHECK (length(image) <= 2000000),
    version      text        NOT NULL CHECK (length(version) BETWEEN 1 AND 64),
    updated_at   timestamptz NOT NULL
);

-- +goose Down
DROP TABLE practice_photo;
ALTER TABLE bookings DROP COLUMN answers;
ALTER TABLE practice_settings DROP COLUMN questions, DROP COLUMN photo_version;
