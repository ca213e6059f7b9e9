-- +goose Up
-- The mail worker claims the earliest due messages, and a change to a
-- booking withdraws its pending ones. With a backlog of due messages
-- (make bench's mixed load queues about a thousand a second) the claim
-- sorted every due message for each batch, and the withdrawal, planned
-- on stale statistics, scanned them all: both now read an index in the
-- order or for the booking they need.
CREATE INDEX outbox_due_order ON outbox (send_after, id) WHERE status = 'pending';
DROP INDEX outbox_due;
CREATE INDEX outbox_booking_pending ON outbox (booking_id, kind) WHERE status = 'pending';

-- +goose Down
DROP INDEX outbox_booking_pending;
CREATE INDEX outbox_due ON outbox (send_after) WHERE status = 'pending';
DROP INDEX outbox_due_order;
