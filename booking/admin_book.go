package booking

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// RestoreWindow is how long after a cancellation the practitioner may
// undo it.
const RestoreWindow = 24 * time.Hour

// ClientBooking is a booking the practitioner makes for a client, one who
// phoned say. Mode is one the practice offers, or "": then the only one
// offered, or none when several are (the practitioner arranges it).
type ClientBooking struct {
	Start time.Time
	Name  string
	Email string
	Phone string
	Mode  string
	// OverrideRules books the time even when it breaks the practice's
	// rules (notice, hours, horizon, daily cap, buffer); never over
	// another booking or in the past.
	OverrideRules bool
}

// Validate trims cb and names each bad field: start, name, email, phone,
// mode.
func (cb *ClientBooking) Validate() error {
	cb.Name, cb.Email, cb.Phone = strings.TrimSpace(cb.Name), strings.TrimSpace(cb.Email), strings.TrimSpace(cb.Phone)
	f := FieldErrors{}
	if cb.Start.IsZero() {
		f.Add("start", "Choose a date and time.")
	}
	switch {
	case cb.Name == "":
		f.Add("name", "Enter the client's name.")
	case utf8.RuneCountInString(cb.Name) > MaxNameLen:
		f.Add("name", "Keep the name to 100 characters or fewer.")
	case hasControl(cb.Name):
		f.Add("name", "Write the name with ordinary characters only.")
	}
	switch msg := checkEmail(cb.Email); {
	case cb.Email == "":
		f.Add("email", "Enter the client's email address: the confirmation goes there.")
	case msg != "":
		f.Add("email", msg)
	}
	if cb.Phone != "" && (len(cb.Phone) > MaxPhoneLen || !phoneLike(cb.Phone)) {
		f.Add("phone", "Enter a phone number using digits, spaces, +, - or brackets, up to 30 characters.")
	}
	return f.Err()
}

// AdminOption configures an Admin in NewAdmin.
type AdminOption func(*Admin)

// AdminSealer has the bookings the practitioner makes carry the client's
// private link in their emails, sealed by sealer (see WithSealer).
func AdminSealer(sealer TokenSealer) AdminOption {
	return func(a *Admin) { a.sealer = sealer }
}

// BookForClient books cb for a client at a free time, and sends them the
// confirmation and invitation a booking of their own gets. A time that
// breaks the practice's rules is EINVALID (start, of kind
// RefusedOutsideRules, naming the rule) unless cb.OverrideRules; a time
// another booking holds is ECONFLICT whatever the override.
func (a *Admin) BookForClient(ctx context.Context, who Actor, cb ClientBooking) (*Booking, error) {
	if err := cb.Validate(); err != nil {
		return nil, err
	}
	st, err := a.settings(ctx)
	if err != nil {
		return nil, err
	}
	mode := Mode(strings.TrimSpace(cb.Mode))
	if modes := st.Profile.Modes.Enabled(); mode != "" || len(modes) == 1 {
		if mode, err = ChooseMode(st.Profile.Modes, mode, cb.Phone); err != nil {
			return nil, err
		}
	}
	token, tokenHash := NewToken()
	nb := NewBooking{Start: cb.Start.UTC(), End: cb.Start.UTC().Add(st.SlotLength),
		Name: cb.Name, Email: cb.Email, Phone: cb.Phone, TimeZone: st.TimeZone, TokenHash: tokenHash, Mode: mode}
	if mode == ModeVideo {
		nb.VideoLink = videoLinkFor(st.Profile.Modes.Video)
	}
	if nb.MailToken, err = a.sealForMail(token); err != nil {
		return nil, err
	}
	var b *Booking
	var broke bool
	err = a.change(ctx, who, "booking.create", func(tx AdminStore, now time.Time) (string, error) {
		nb.Now = now
		var err error
		if b, err = tx.CreateBooking(ctx, nb, practitionerTime(nb.Start, nb.End, now, cb.OverrideRules, &broke)); err != nil {
			return "", err
		}
		return bookingTarget(b.ID, broke), nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// MoveBooking moves booking id to start, keeping its length, and sends the
// client the updated invitation (same UID, SEQUENCE grown) a reschedule
// of their own gets. EINVALID (start) and ECONFLICT as BookForClient;
// ENOTFOUND; ECONFLICT for a booking that is not confirmed or has started.
func (a *Admin) MoveBooking(ctx context.Context, who Actor, id int64, start time.Time, override bool) (*Booking, error) {
	if start.IsZero() {
		return nil, FieldErrors{"start": "Choose the new date and time."}.Err()
	}
	cur, err := a.store.AdminBooking(ctx, id)
	if err != nil {
		return nil, err
	}
	start = start.UTC()
	end := start.Add(cur.End.Sub(cur.Start))
	var b *Booking
	var broke bool
	err = a.change(ctx, who, "booking.move", func(tx AdminStore, now time.Time) (string, error) {
		check := func(c Booking) error {
			if err := checkMovable(c, now); err != nil {
				return err
			}
			if c.Start.Equal(start) {
				return FieldErrors{"start": "The consultation is already at that time."}.Err()
			}
			return nil
		}
		var err error
		b, err = tx.RescheduleBookingByID(ctx, id, start, end, now, check, practitionerTime(start, end, now, override, &broke))
		return bookingTarget(id, broke), err
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// checkMovable is the rule for the practitioner moving b at now: a
// confirmed booking that has not started.
func checkMovable(b Booking, now time.Time) error {
	if b.Status != StatusConfirmed {
		return Errorf(ECONFLICT, "Only a confirmed booking can be moved.")
	}
	if !b.Start.After(now) {
		return Errorf(ECONFLICT, "This consultation has already started or taken place.")
	}
	return nil
}

// CheckRestore is the rule for the practitioner restoring cancelled
// booking b at now: within RestoreWindow of the cancellation, before the
// consultation, of a client whose data is not erased. ECONFLICT otherwise.
func CheckRestore(b Booking, now time.Time) error {
	switch {
	case b.Status != StatusCancelled || b.CancelledAt == nil:
		return Errorf(ECONFLICT, "Only a cancelled booking can be restored.")
	case !b.Start.After(now):
		return Errorf(ECONFLICT, "This consultation's time has passed, so it cannot be restored.")
	case !now.Before(b.CancelledAt.Add(RestoreWindow)):
		return Errorf(ECONFLICT, "A cancellation can be undone only in the 24 hours after it. Book the client again instead.")
	case strings.HasSuffix(b.Email, "@invalid"):
		return Errorf(ECONFLICT, "This client's data has been erased, so the booking cannot be restored.")
	}
	return nil
}

// RestoreBooking undoes the cancellation of booking id: confirmed again
// at its time, if no other booking holds it now, with the client sent an
// updated invitation. ENOTFOUND; ECONFLICT as CheckRestore, or of kind
// RefusedTaken when the time was booked meanwhile.
func (a *Admin) RestoreBooking(ctx context.Context, who Actor, id int64) (*Booking, error) {
	cur, err := a.store.AdminBooking(ctx, id)
	if err != nil {
		return nil, err
	}
	var b *Booking
	err = a.change(ctx, who, "booking.restore", func(tx AdminStore, now time.Time) (string, error) {
		var err error
		// The time was the client's already: only another booking over it
		// stops it coming back, not the rules.
		b, err = tx.RestoreBookingByID(ctx, id, now, func(c Booking) error { return CheckRestore(c, now) },
			practitionerTime(cur.Start, cur.End, now, true, nil))
		return fmt.Sprintf("booking:%d", id), err
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// bookingTarget names booking id in the audit log, noting a time booked
// outside the rules.
func bookingTarget(id int64, outsideRules bool) string {
	if outsideRules {
		return fmt.Sprintf("booking:%d outside-rules", id)
	}
	return fmt.Sprintf("booking:%d", id)
}

// sealForMail seals token for the outbox, or returns nil without a sealer.
func (a *Admin) sealForMail(token string) ([]byte, error) {
	if a.sealer == nil {
		return nil, nil
	}
	sealed, err := a.sealer.SealToken(token)
	if err != nil {
		return nil, &Error{Code: EINTERNAL, Message: "manage token could not be sealed for email", Err: err}
	}
	return sealed, nil
}
