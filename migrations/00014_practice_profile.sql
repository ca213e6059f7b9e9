-- +goose Up

-- The practice's profile: who the client will talk with, how to reach the
-- practice and where it may see clients, shown on the public pages and in
-- emails; and how emails to clients are worded (sender name and subject),
-- kept apart from the practice name so an inbox need not name a
-- treatment. Empty means not set: the pages stay neutral.
ALTER TABLE practice_settings
    ADD COLUMN practitioner_name  text   NOT NULL DEFAULT '' CHECK (length(practitioner_name) <= 100),
    ADD COLUMN credentials        text[] NOT NULL DEFAULT '{}' CHECK (cardinality(credentials) <= 10),
    ADD COLUMN bio                text   NOT NULL DEFAULT '' CHECK (length(bio) <= 1500),
    ADD COLUMN contact_email      text   NOT NULL DEFAULT '' CHECK (length(contact_email) <= 254),
    ADD COLUMN contact_phone      text   NOT NULL DEFAULT '' CHECK (length(contact_phone) <= 30),
    ADD COLUMN regions            text[] NOT NULL DEFAULT '{}' CHECK (cardinality(regions) <= 400),
    ADD COLUMN mail_sender_name   text   NOT NULL DEFAULT '' CHECK (length(mail_sender_name) <= 100),
    ADD COLUMN mail_subject       text   NOT NULL DEFAULT '' CHECK (length(mail_subject) <= 100),
    ADD COLUMN profile_updated_at timestamptz;

-- +goose Down
ALTER TABLE practice_settings
    DROP COLUMN practitioner_name,
    DROP COLUMN credentials,
    DROP COLUMN bio,
    DROP COLUMN contact_email,
    DROP COLUMN contact_phone,
    DROP COLUMN regions,
    DROP COLUMN mail_sender_name,
    DROP COLUMN mail_subject,
    DROP COLUMN profile_updated_at;
