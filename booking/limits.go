package booking

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// ClientLimits keep anyone from hoarding the free consultation, or from
// using the booking form to flood an inbox: how many upcoming bookings one
// inbox may hold, how many consultations (not counting cancelled ones) it
// may have in twelve months, and how many bookings may be made for it in
// 24 hours, cancelled ones included. An inbox is every spelling of one
// address (see booking/mailbox). Zero means no limit.
type ClientLimits struct {
	MaxUpcoming int
	// MaxUpcomingPerNetwork bounds the upcoming bookings made from one
	// network (NetworkOf), so one client cannot fill the calendar under
	// many addresses.
	MaxUpcomingPerNetwork int
	MaxPerYear            int
	MaxPerDay             int
	// Contact is where the message sends people who need more, e.g. the
	// practice's email address.
	Contact string
}

// DefaultClientLimits allow one upcoming and one consultation a year, and
// three bookings a day.
func DefaultClientLimits() ClientLimits {
	return ClientLimits{MaxUpcoming: 1, MaxPerYear: 1, MaxPerDay: 3, MaxUpcomingPerNetwork: 3}
}

// ClientCounts are an inbox's bookings as the limits count them.
type ClientCounts struct {
	Upcoming int // confirmed and not yet over
	LastYear int // not cancelled, starting in the last twelve months
	LastDay  int // made in the last 24 hours, whatever became of them
	// NetworkUpcoming are the upcoming bookings made from the request's network.
	NetworkUpcoming int
}

// ErrClientLimit is wrapped by the refusals of the per-inbox limits, which
// a service confirming bookings by email never shows to the requester.
var ErrClientLimit = errors.New("booking: the inbox's client limits are reached")

// Check returns an ECONFLICT naming the email field when an inbox with
// counts c may not book another, or nil. Every limit gives the same words,
// and the words do not say that the address has a booking: whoever types
// someone's email must not learn that that person is a client of a
// therapy practice.
func (l ClientLimits) Check(c ClientCounts) error {
	within := func(limit, n int) bool { return limit <= 0 || n < limit }
	if !within(l.MaxUpcomingPerNetwork, c.NetworkUpcoming) {
		msg := "Several consultations have been booked from your network already, so we cannot book another online."
		if l.Contact != "" {
			msg += fmt.Sprintf(" Please write to %s and we will gladly help.", l.Contact)
		} else {
			msg += " Please contact the practice and we will gladly help."
		}
		return &Error{Code: ECONFLICT, Message: msg}
	}
	if within(l.MaxUpcoming, c.Upcoming) && within(l.MaxPerYear, c.LastYear) && within(l.MaxPerDay, c.LastDay) {
		return nil
	}
	msg := "We cannot book another free consultation with this email address. " +
		"If you have booked one already, the link in its confirmation email lets you change the time."
	if l.Contact != "" {
		msg += fmt.Sprintf(" Otherwise please write to %s and we will gladly help.", l.Contact)
	} else {
		msg += " Otherwise please contact the practice and we will gladly help."
	}
	return &Error{Code: ECONFLICT, Message: msg, Fields: map[string]string{"email": msg}, Err: ErrClientLimit}
}

// NetworkOf is the network the per-network limit counts an address under:
// its /24 for IPv4 and its /48 for IPv6, the blocks one household, office
// or small provider customer is usually given, so that hopping between
// addresses of one's own block gains nothing. It is "" for an address it
// cannot read.
func NetworkOf(addr string) string {
	ip, err := netip.ParseAddr(strings.TrimSpace(addr))
	if err != nil {
		return ""
	}
	ip = ip.Unmap().WithZone("")
	bits := 48
	if ip.Is4() {
		bits = 24
	}
	p, err := ip.Prefix(bits)
	if err != nil {
		return ""
	}
	return p.String()
}
