package booking

import "fmt"

// ClientLimits keep anyone from hoarding the free consultation: how many
// upcoming bookings one email address may hold, and how many consultations
// (not counting cancelled ones) one address may have in twelve months.
// Zero means no limit.
type ClientLimits struct {
	MaxUpcoming int
	MaxPerYear  int
	// Contact is where the message sends people who need more, e.g. the
	// practice's email address.
	Contact string
}

// DefaultClientLimits allow one upcoming and one consultation a year.
func DefaultClientLimits() ClientLimits { return ClientLimits{MaxUpcoming: 1, MaxPerYear: 1} }

// Check returns an ECONFLICT naming the email field when an address with
// upcoming and lastYear bookings may not book another, or nil. Both limits
// give the same words, and the words do not say that the address has a
// booking: whoever types someone's email must not learn that that person
// is a client of a therapy practice.
func (l ClientLimits) Check(upcoming, lastYear int) error {
	if (l.MaxUpcoming <= 0 || upcoming < l.MaxUpcoming) && (l.MaxPerYear <= 0 || lastYear < l.MaxPerYear) {
		return nil
	}
	msg := "We cannot book another free consultation with this email address. " +
		"If you have booked one already, the link in its confirmation email lets you change the time."
	if l.Contact != "" {
		msg += fmt.Sprintf(" Otherwise please write to %s and we will gladly help.", l.Contact)
	} else {
		msg += " Otherwise please contact the practice and we will gladly help."
	}
	return &Error{Code: ECONFLICT, Message: msg, Fields: map[string]string{"email": msg}}
}
