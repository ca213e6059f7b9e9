package booking

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The practitioner's own account, API tokens, calendar feeds and email
// queue: each change with its audit entry, in one transaction.

// ChangePassword stores hash, the hash of a new password that passed the
// policy, as the acting account's, ending every session. ENOTFOUND.
func (a *Admin) ChangePassword(ctx context.Context, who Actor, hash string) (*User, error) {
	return a.accountChange(ctx, who, "password.change", func(tx AdminStore, now time.Time) (*User, error) {
		return tx.SetPassword(ctx, who.UserID, hash, now)
	})
}

// EndSessions ends every session of the acting account and revokes its
// API tokens: "sign out everywhere" is what a practitioner reaches for
// when a device or a token may be in someone else's hands. ENOTFOUND.
func (a *Admin) EndSessions(ctx context.Context, who Actor) (*User, error) {
	return a.accountChange(ctx, who, "signout.everywhere", func(tx AdminStore, now time.Time) (*User, error) {
		if _, err := tx.RevokeAPITokens(ctx, who.UserID, now); err != nil {
			return nil, err
		}
		return tx.EndSessions(ctx, who.UserID, now)
	})
}

// ResetPassword is the recovery from the command line (`consult admin
// reset-password`): a new password, every session ended and every API
// token revoked, so that nothing an intruder held still works. ENOTFOUND.
func (a *Admin) ResetPassword(ctx context.Context, who Actor, hash string) (*User, error) {
	return a.accountChange(ctx, who, "user.reset-password", func(tx AdminStore, now time.Time) (*User, error) {
		if _, err := tx.RevokeAPITokens(ctx, who.UserID, now); err != nil {
			return nil, err
		}
		return tx.SetPassword(ctx, who.UserID, hash, now)
	})
}

// ResetTOTP is the recovery from the command line (`consult admin
// reset-2fa`) for a lost authenticator, or one an intruder set up: two-step
// sign-in off, recovery codes gone, every session ended (DisableTOTP
// ends them). ENOTFOUND.
func (a *Admin) ResetTOTP(ctx context.Context, who Actor) (*User, error) {
	return a.accountChange(ctx, who, "user.reset-2fa", func(tx AdminStore, now time.Time) (*User, error) {
		return tx.DisableTOTP(ctx, who.UserID, now)
	})
}

// EnableTOTP turns two-step sign-in on for the acting account with
// secret, spending step, the time step of the code that confirmed it, and
// storing the hashes of fresh recovery codes; every session ends. ENOTFOUND.
func (a *Admin) EnableTOTP(ctx context.Context, who Actor, secret string, step int64, recoveryHashes [][]byte) (*User, error) {
	return a.accountChange(ctx, who, "totp.enable", func(tx AdminStore, now time.Time) (*User, error) {
		u, err := tx.EnableTOTP(ctx, who.UserID, secret, recoveryHashes, now)
		if err != nil {
			return nil, err
		}
		if _, err := tx.UseTOTPStep(ctx, who.UserID, step); err != nil {
			return nil, err
		}
		return u, nil
	})
}

// DisableTOTP turns two-step sign-in off for the acting account, ending
// every session. ENOTFOUND.
func (a *Admin) DisableTOTP(ctx context.Context, who Actor) (*User, error) {
	return a.accountChange(ctx, who, "totp.disable", func(tx AdminStore, now time.Time) (*User, error) {
		return tx.DisableTOTP(ctx, who.UserID, now)
	})
}

// SetLanguage stores the language the acting account reads the admin area
// in. EINVALID (language) for one the area is not written in; ENOTFOUND.
func (a *Admin) SetLanguage(ctx context.Context, who Actor, language string) (*User, error) {
	language = strings.TrimSpace(language)
	if !ValidAdminLanguage(language) {
		return nil, FieldErrors{"language": "Choose one of the languages listed."}.Err()
	}
	return a.accountChange(ctx, who, "user.language", func(tx AdminStore, now time.Time) (*User, error) {
		return tx.SetLanguage(ctx, who.UserID, language, now)
	})
}

// accountChange is change for a change of the acting account itself.
func (a *Admin) accountChange(ctx context.Context, who Actor, action string, fn func(tx AdminStore, now time.Time) (*User, error)) (*User, error) {
	var u *User
	err := a.change(ctx, who, action, func(tx AdminStore, now time.Time) (string, error) {
		var err error
		u, err = fn(tx, now)
		return fmt.Sprintf("user:%d", who.UserID), err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// SpendRecoveryCode spends the unused recovery code with hash of the
// account who.UserID signs in to, recording that it was used; false when
// there is no such code.
func (a *Admin) SpendRecoveryCode(ctx context.Context, who Actor, hash []byte) (bool, error) {
	var ok bool
	err := a.store.InTx(ctx, func(tx AdminStore) error {
		now := a.now().UTC()
		var err error
		if ok, err = tx.UseRecoveryCode(ctx, who.UserID, hash, now); err != nil || !ok {
			return err
		}
		if err := tx.Audit(ctx, who.entry(now, "recovery_code.used", fmt.Sprintf("user:%d", who.UserID))); err != nil {
			return fmt.Errorf("booking: recovery code not spent, as the audit log refused it: %w", err)
		}
		return nil
	})
	return ok && err == nil, err
}

// CreateToken makes an API token for the acting account, named name
// (trimmed), and returns it with its record; the token itself is shown
// once and only its hash is kept. EINVALID (name).
func (a *Admin) CreateToken(ctx context.Context, who Actor, name string) (string, *APIToken, error) {
	name = strings.TrimSpace(name)
	switch {
	case !PlainText(name, false):
		return "", nil, FieldErrors{"name": "Name the token with letters, digits and punctuation only."}.Err()
	case name == "" || utf8.RuneCountInString(name) > MaxTokenNameLen:
		return "", nil, FieldErrors{"name": "Name the token (up to 100 characters), e.g. after the script that uses it."}.Err()
	}
	token, hash := NewToken()
	var t *APIToken
	err := a.change(ctx, who, "token.create", func(tx AdminStore, now time.Time) (string, error) {
		var err error
		if t, err = tx.CreateAPIToken(ctx, who.UserID, name, hash, now); err != nil {
			return "", err
		}
		return fmt.Sprintf("token:%d", t.ID), nil
	})
	if err != nil {
		return "", nil, err
	}
	return token, t, nil
}

// RevokeToken revokes one of the acting account's API tokens. ENOTFOUND.
func (a *Admin) RevokeToken(ctx context.Context, who Actor, id int64) error {
	return a.change(ctx, who, "token.revoke", func(tx AdminStore, now time.Time) (string, error) {
		return fmt.Sprintf("token:%d", id), tx.RevokeAPIToken(ctx, who.UserID, id, now)
	})
}

// RotateFeedSecret makes a new secret for the private bookings feed and
// returns it (see Feeds.RotateSecret: show it once, never log it).
func (a *Admin) RotateFeedSecret(ctx context.Context, who Actor) (string, error) {
	var secret string
	err := a.change(ctx, who, "feed.rotate", func(tx AdminStore, now time.Time) (string, error) {
		var err error
		secret, err = tx.RotateFeedSecret(ctx, now)
		return "feed:bookings", err
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// SaveFeedSettings stores the calendar wording and the private feed's
// detail. EINVALID (event_title) for a title that names a treatment or
// that Feeds.SetSettings refuses.
func (a *Admin) SaveFeedSettings(ctx context.Context, who Actor, fs FeedSettings) error {
	if err := CheckNeutralTitle(fs.EventTitle); err != nil {
		return err
	}
	fs, err := checkFeedSettings(fs)
	if err != nil {
		return err
	}
	target := "feed:settings full_details=off"
	if fs.FullDetails {
		target = "feed:settings full_details=on"
	}
	return a.change(ctx, who, "feed.settings", func(tx AdminStore, now time.Time) (string, error) {
		return target, tx.SetFeedSettings(ctx, fs.EventTitle, fs.FullDetails, now)
	})
}

// treatmentWords are words an event title must not hold: whoever sees a
// client's calendar (family, an employer's assistant) would learn what the
// consultation is about. The check is a guard against the obvious, not a
// complete list; the hint on the page asks for neutral wording. Stems
// catch the languages clients read in too: "ketamin" is also German
// Ketamin and Spanish ketamina, "psilocyb" German Psilocybin.
var treatmentWords = []string{"ketamin", "kétamine", "spravato", "psychedel", "psychédél", "psicodél", "psilocyb", "psilocib", "mdma"}

// CheckNeutralTitle refuses an event title that names a treatment.
// EINVALID (event_title).
func CheckNeutralTitle(title string) error {
	if !NamesNoTreatment(title) {
		return FieldErrors{"event_title": "Keep the title neutral: it must not name a treatment, since others may see the client's calendar."}.Err()
	}
	return nil
}

// RetryEmail puts a failed or kept email back in the queue, due now.
// ENOTFOUND; ECONFLICT when it is in any other state.
func (a *Admin) RetryEmail(ctx context.Context, who Actor, id int64) error {
	return a.change(ctx, who, "email.retry", func(tx AdminStore, now time.Time) (string, error) {
		return fmt.Sprintf("outbox:%d", id), tx.RetryOutbox(ctx, id, now)
	})
}
