package storage

import (
	"github.com/jackc/pgx/v5"
)

// connected says which of a booking change's follow-ups have anywhere to
// go: an enabled webhook endpoint, a calendar the bookings are written
// to (or, for a change to an existing booking, a write of it still
// pending), an open waitlist entry of the client's inbox. The statements
// that queue those follow-ups find nothing to do without them, yet each
// costs PostgreSQL its setup (the target table and its indexes opened);
// under make bench's mixed load, in a practice with none of the three,
// they were four of a booking's seventeen statements and two of a
// cancellation's ten. So a client's booking and cancellation read what
// is connected with a statement in a round trip they make anyway, and
// leave out what has nowhere to go.
//
// It is read inside the change's transaction, before the change is
// written: an endpoint added while that transaction runs misses this
// change, as it would had it been added a moment later.
type connected struct {
	webhooks, calendars, waitlist bool
}

// everywhere is for the changes that do not read what is connected: all
// their follow-ups are queued, each finding its own targets.
var everywhere = connected{webhooks: true, calendars: true, waitlist: true}

// queueConnectedForBooking queues on b the read of what a new booking of
// the inbox with client key inbox is followed by, into c.
func queueConnectedForBooking(b *pgx.Batch, inbox []byte, c *connected) {
	b.Queue(`
		SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled),
		       EXISTS (SELECT 1 FROM calendar_sources WHERE write_bookings AND kind = 'caldav'),
		       EXISTS (SELECT 1 FROM waitlist_entries WHERE client_key = $1 AND status <> 'ended')`,
		inbox).QueryRow(func(row pgx.Row) error {
		return row.Scan(&c.webhooks, &c.calendars, &c.waitlist)
	})
}

// queueConnectedForToken queues on b the read of what a change to the
// booking with manage token tokenHash is followed by, into c: its
// calendar writes still pending are superseded even when no calendar is
// written to any more. The waitlist does not follow such a change.
func queueConnectedForToken(b *pgx.Batch, tokenHash []byte, c *connected) {
	b.Queue(`
		SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled),
		       EXISTS (SELECT 1 FROM calendar_sources WHERE write_bookings AND kind = 'caldav')
		       OR EXISTS (SELECT 1 FROM calendar_writes w JOIN bookings b ON b.id = w.booking_id
		                  WHERE b.manage_token_hash = $1 AND w.status = 'pending')`,
		tokenHash).QueryRow(func(row pgx.Row) error {
		c.waitlist = false
		return row.Scan(&c.webhooks, &c.calendars)
	})
}
