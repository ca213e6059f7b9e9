-- +goose Up

-- How the consultation happens: the modes the practice offers, each on or
-- off with its details, and the mode of each booking with its video room.
-- And who it is for: the place the client said they will be in during the
-- consultation (an ISO 3166 code), which must be one the practice serves.
ALTER TABLE practice_settings
    ADD COLUMN video_enabled        boolean NOT NULL DEFAULT false,
    ADD COLUMN video_room           text    NOT NULL DEFAULT '' CHECK (length(video_room) <= 300),
    ADD COLUMN video_base_url       text    NOT NULL DEFAULT '' CHECK (length(video_base_url) <= 300),
    ADD COLUMN video_details        text    NOT NULL DEFAULT '' CHECK (length(video_details) <= 500),
    ADD COLUMN phone_enabled        boolean NOT NULL DEFAULT false,
    ADD COLUMN phone_details        text    NOT NULL DEFAULT '' CHECK (length(phone_details) <= 500),
    ADD COLUMN in_person_enabled    boolean NOT NULL DEFAULT false,
    ADD COLUMN in_person_address    text    NOT NULL DEFAULT '' CHECK (length(in_person_address) <= 300),
    ADD COLUMN in_person_directions text    NOT NULL DEFAULT '' CHECK (length(in_person_directions) <= 500);

ALTER TABLE bookings
    ADD COLUMN mode       text NOT NULL DEFAULT '' CHECK (mode IN ('', 'video', 'phone', 'in_person')),
    ADD COLUMN video_link text NOT NULL DEFAULT '' CHECK (length(video_link) <= 300),
    ADD COLUMN region     text NOT NULL DEFAULT '' CHECK (length(region) <= 6);

-- +goose Down
ALTER TABLE bookings DROP COLUMN mode, DROP COLUMN video_link, DROP COLUMN region;
ALTER TABLE practice_settings
    DROP COLUMN video_enabled, DROP COLUMN video_room, DROP COLUMN video_base_url, DROP COLUMN video_details,
    DROP COLUMN phone_enabled, DROP COLUMN phone_details,
    DROP COLUMN in_person_enabled, DROP COLUMN in_person_address, DROP COLUMN in_person_directions;
