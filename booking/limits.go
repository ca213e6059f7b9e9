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
// upcoming and lastYear bookings may not book another, or nil.
func (l ClientLimits) Check(upcoming, lastYear int) error {
	var msg string
	switch {
	case l.MaxUpcoming > 0 && upcoming >= l.MaxUpcoming:
		msg = "You already have a consultation booked with this email address. " +
			"You can change its time with the link in your confirmation email."
	case l.MaxPerYear > 0 && lastYear >= l.MaxPerYear:
		msg = "The free consultation is offered once a year per person, and this email address has had one."
		if l.Contact != "" {
			msg += fmt.Sprintf(" Please contact the practice at %s and we will gladly help.", l.Contact)
		} else {
			msg += " Please contact the practice directly and we will gladly help."
		}
	default:
		return nil
	}
	return &Error{Code: ECONFLICT, Message: msg, Fields: map[string]string{"email": msg}}
}
