package booking

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Actor is who takes an admin action, as the audit log records it.
type Actor struct {
	UserID  int64  // 0 when nobody is signed in
	Via     string // ViaSession, ViaToken, ViaCLI or ViaAnonymous
	TokenID int64  // the API token used, with ViaToken
	Address string // the client's address
}

// entry is the audit entry of action on target by a, at at.
func (a Actor) entry(at time.Time, action, target string) AuditEntry {
	return AuditEntry{At: at, UserID: a.UserID, Via: a.Via, TokenID: a.TokenID,
		Action: action, Target: target, Address: a.Address}
}

// Admin is the practitioner's operations, the same for the admin pages
// and the admin API. Each one validates its input, stamps the change with
// the clock and writes its audit entry in the same transaction as the
// change, so nothing changes unrecorded and a failed audit changes
// nothing. Views of client data are recorded before they are returned.
type Admin struct {
	store AdminStore
	now   func() time.Time
	// sealer, when set, seals the manage token of a booking the
	// practitioner makes, for the client's emails.
	sealer TokenSealer
}

// NewAdmin returns the admin operations on store, using now as the clock.
func NewAdmin(store AdminStore, now func() time.Time, opts ...AdminOption) *Admin {
	a := &Admin{store: store, now: now}
	for _, opt := range opts {
		opt(a)
	}
	return a
}

// change runs fn and appends the audit entry of action in one
// transaction; fn makes the change, stamped now, and names its target.
func (a *Admin) change(ctx context.Context, who Actor, action string, fn func(tx AdminStore, now time.Time) (target string, err error)) error {
	now := a.now().UTC()
	return a.store.InTx(ctx, func(tx AdminStore) error {
		target, err := fn(tx, now)
		if err != nil {
			return err
		}
		if what, ok := securityNotices[action]; ok {
			// Told by email, so a change the practitioner did not make
			// (a stolen session, a lost laptop) does not go unnoticed.
			if err := tx.QueueSecurityNotice(ctx, what, now); err != nil {
				return err
			}
		}
		if err := tx.Audit(ctx, who.entry(now, action, target)); err != nil {
			return fmt.Errorf("booking: %s not saved, as the audit log refused it: %w", action, err)
		}
		return nil
	})
}

// Record appends an audit entry for an action that changes nothing
// stored: signing in or out, or a view of client data read elsewhere.
// Callers showing client data record first and show nothing if it fails.
func (a *Admin) Record(ctx context.Context, who Actor, action, target string) error {
	return a.store.Audit(ctx, who.entry(a.now().UTC(), action, target))
}

// recordBookings records a view of the bookings bs; none, no entry.
func (a *Admin) recordBookings(ctx context.Context, who Actor, action string, bs []AdminBooking) error {
	if len(bs) == 0 {
		return nil
	}
	ids := make([]int64, len(bs))
	for i, b := range bs {
		ids[i] = b.ID
	}
	return a.Record(ctx, who, action, BookingsTarget(ids))
}

// BookingsTarget names bookings in the audit log, by id only.
func BookingsTarget(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return "bookings:" + strings.Join(parts, ",")
}

// settings reads the practice's current settings.
func (a *Admin) settings(ctx context.Context) (Settings, error) {
	today := DateOf(a.now().UTC())
	sched, err := a.store.Schedule(ctx, today, today)
	return sched.Settings, err
}

// today returns the practice's zone and today's date in it.
func (a *Admin) today(ctx context.Context) (*time.Location, Date, error) {
	st, err := a.settings(ctx)
	if err != nil {
		return nil, Date{}, err
	}
	loc, err := st.Location()
	if err != nil {
		return nil, Date{}, err
	}
	return loc, DateOf(a.now().In(loc)), nil
}

// Settings returns the practice's settings, recording the view.
func (a *Admin) Settings(ctx context.Context, who Actor) (Settings, error) {
	st, err := a.settings(ctx)
	if err != nil {
		return st, err
	}
	return st, a.Record(ctx, who, "settings.view", "")
}

// SaveRules stores st, the practice's settings with the booking rules
// changed. EINVALID, naming each bad field, as ValidateSettings.
func (a *Admin) SaveRules(ctx context.Context, who Actor, st Settings) error {
	if err := ValidateSettings(st); err != nil {
		return err
	}
	return a.change(ctx, who, "settings.update", func(tx AdminStore, now time.Time) (string, error) {
		return "rules", tx.UpdateSettings(ctx, st, now)
	})
}

// RenamePractice changes the practice's name. EINVALID (practice_name).
func (a *Admin) RenamePractice(ctx context.Context, who Actor, name string) error {
	st, err := a.settings(ctx)
	if err != nil {
		return err
	}
	st.PracticeName = strings.TrimSpace(name)
	if err := ValidateSettings(st); err != nil {
		return err
	}
	return a.change(ctx, who, "settings.update", func(tx AdminStore, now time.Time) (string, error) {
		return "practice_name", tx.UpdateSettings(ctx, st, now)
	})
}

// securityNotices are the changes to how the practitioner signs in that
// are also emailed to them, with what the email says happened.
var securityNotices = map[string]string{
	"password.change":     "Your password was changed",
	"totp.enable":         "Two-step sign-in was turned on",
	"totp.disable":        "Two-step sign-in was turned off",
	"token.create":        "A new API token was created",
	"signout.everywhere":  "Every session was signed out and every API token revoked",
	"user.reset-password": "Your password was reset from the server's command line, ending every session and revoking every API token",
	"user.reset-2fa":      "Two-step sign-in was turned off from the server's command line",
}
