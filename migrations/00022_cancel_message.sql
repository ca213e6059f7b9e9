-- +goose Up
-- The practitioner's words to the client when they cancelled a booking,
-- kept with the booking so its page can show what the client was told.
-- Personal data as the client's note is: erased with it.
ALTER TABLE bookings ADD COLUMN cancel_message text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE bookings DROP COLUMN cancel_message;
