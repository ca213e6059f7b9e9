package storage

// connected says which of a booking change's follow-ups have anywhere to
// go: an enabled webhook endpoint, a calendar the bookings are written
// to (or, for a change to an existing booking, a write of it still
// pending), an open waitlist entry of the client's inbox. The statements
// that queue those follow-ups find nothing to do without them, yet each
// costs PostgreSQL its setup (the target table and its indexes opened);
// under make bench's mixed load, in a practice with none of the three,
// they were four of a booking's seventeen statements and two of a
// cancellation's ten. So a client's booking and cancellation read what
// is connected in a statement they send anyway, and leave out what has
// nowhere to go.
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

// newBookingConnected reads, as three columns, what a new booking is
// followed by; its parameter $2 is the client key of the booking's inbox.
const newBookingConnected = `
	EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled),
	EXISTS (SELECT 1 FROM calendar_sources WHERE write_bookings AND kind = 'caldav'),
	EXISTS (SELECT 1 FROM waitlist_entries WHERE client_key = $2 AND status <> 'ended')`

// bookingConnected reads, as two columns of a statement on the bookings
// row it follows, what a change to that booking is followed by: its
// calendar writes still pending are superseded even when no calendar
// takes bookings any more. The waitlist does not follow such a change.
const bookingConnected = `
	EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled),
	EXISTS (SELECT 1 FROM calendar_sources WHERE write_bookings AND kind = 'caldav')
	OR EXISTS (SELECT 1 FROM calendar_writes w WHERE w.booking_id = bookings.id AND w.status = 'pending')`
