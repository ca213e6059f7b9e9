package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"consult/booking"
	passwd "consult/booking/password"
	"consult/storage"
)

const adminUsage = `Usage:
  consult admin create --email E            create a practitioner account
  consult admin reset-password --email E    set a new password, ending every
                                            session and revoking every API token
  consult admin reset-2fa --email E         turn two-step sign-in off, ending
                                            every session (asks to confirm)

The password is read from the first line of standard input; when standard
input is a terminal or empty, a strong password is generated and printed
once. reset-2fa reads its confirmation, the account's email address, from
the first line of standard input. All work whether or not "consult serve"
is running.
`

// adminCmd runs "consult admin create|reset-password --email E".
func adminCmd(ctx context.Context, args []string, getenv func(string) string, clock func() time.Time, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "reset-password" && args[0] != "reset-2fa") {
		fmt.Fprint(stderr, adminUsage)
		if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return errUsage
	}
	action, rest := args[0], args[1:]
	email, rest, err := takeEmailFlag(rest)
	if err != nil {
		fmt.Fprint(stderr, adminUsage)
		return err
	}
	cfg, err := parseConfig("admin "+action, rest, getenv, stderr)
	if err != nil {
		return err
	}
	if email, err = booking.NormalizeAccountEmail(email); err != nil {
		return errors.New("admin: --email must be an email address like name@example.org")
	}
	if action == "reset-2fa" {
		return resetTOTP(ctx, cfg, email, clock, stdin, stdout, stderr)
	}
	password, generated, err := readPassword(stdin)
	if err != nil {
		return err
	}
	if msg := passwd.CheckPolicy(password, email); msg != "" {
		return fmt.Errorf("admin: the password is not acceptable: %s", msg)
	}
	hash, err := passwd.Hash(password)
	if err != nil {
		return err
	}

	db, err := openForCommand(ctx, cfg, stderr, true)
	if err != nil {
		return err
	}
	defer db.Close()
	store := storage.New(db.Pool)
	now := clock().UTC()
	switch action {
	case "create":
		u, err := store.CreateUser(ctx, email, hash, now)
		if err != nil {
			if booking.ErrorCode(err) == booking.ECONFLICT {
				return fmt.Errorf("admin: an account for %s exists already; use \"consult admin reset-password\"", email)
			}
			return err
		}
		if err := store.Audit(ctx, booking.AuditEntry{At: now, UserID: u.ID, Via: booking.ViaCLI,
			Action: "user.create", Target: fmt.Sprintf("user:%d", u.ID)}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Created the admin account %s. Sign in at /admin/sign-in.\n", email)
	case "reset-password":
		u, err := accountFor(ctx, store, email)
		if err != nil {
			return err
		}
		if _, err := booking.NewAdmin(store, clock).ResetPassword(ctx, cliActor(u), hash); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Set a new password for %s; every session of the account has ended and every API token is revoked.\n", email)
	}
	if generated {
		fmt.Fprintf(stdout, "Password (shown only now, keep it safe): %s\n", password)
	}
	return nil
}

// resetTOTP turns two-step sign-in off for the account email once the
// operator confirms by typing that address.
func resetTOTP(ctx context.Context, cfg config, email string, clock func() time.Time, stdin io.Reader, stdout, stderr io.Writer) error {
	fmt.Fprintf(stdout, "This turns two-step sign-in off for %s and ends every session.\nType the account's email address to confirm: ", email)
	var answer string
	if stdin != nil {
		line, err := bufio.NewReader(io.LimitReader(stdin, 1024)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("admin: read confirmation: %w", err)
		}
		answer = strings.TrimSpace(line)
	}
	fmt.Fprintln(stdout)
	if !strings.EqualFold(answer, email) {
		return errors.New("admin: not confirmed; two-step sign-in is unchanged")
	}
	db, err := openForCommand(ctx, cfg, stderr, true)
	if err != nil {
		return err
	}
	defer db.Close()
	store := storage.New(db.Pool)
	u, err := accountFor(ctx, store, email)
	if err != nil {
		return err
	}
	if _, err := booking.NewAdmin(store, clock).ResetTOTP(ctx, cliActor(u)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Two-step sign-in is off for %s and every session has ended. Sign in with the password and set it up again.\n", email)
	return nil
}

// accountFor finds the account of email, with a message naming the fix.
func accountFor(ctx context.Context, store *storage.Store, email string) (*booking.User, error) {
	u, err := store.UserByEmail(ctx, email)
	if booking.ErrorCode(err) == booking.ENOTFOUND {
		return nil, fmt.Errorf("admin: there is no account for %s; use \"consult admin create\"", email)
	}
	return u, err
}

// cliActor is the operator at the terminal acting on account u.
func cliActor(u *booking.User) booking.Actor {
	return booking.Actor{UserID: u.ID, Via: booking.ViaCLI}
}

// takeEmailFlag removes --email E (or --email=E) from args.
func takeEmailFlag(args []string) (string, []string, error) {
	var email string
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--email" || a == "-email":
			if i+1 >= len(args) {
				return "", nil, errors.New("admin: --email needs a value")
			}
			email = args[i+1]
			i++
		case strings.HasPrefix(a, "--email=") || strings.HasPrefix(a, "-email="):
			email = a[strings.IndexByte(a, '=')+1:]
		default:
			rest = append(rest, a)
		}
	}
	if email == "" {
		return "", nil, errors.New("admin: --email is required")
	}
	return email, rest, nil
}

// readPassword reads the first line of stdin, or generates a password when
// stdin is a terminal (where typing would echo it), missing or empty.
func readPassword(stdin io.Reader) (pw string, generated bool, err error) {
	if f, ok := stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			stdin = nil
		}
	}
	if stdin != nil {
		line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, fmt.Errorf("admin: read password: %w", err)
		}
		if line = strings.TrimRight(line, "\r\n"); line != "" {
			return line, false, nil
		}
	}
	return passwd.Generate(), true, nil
}
