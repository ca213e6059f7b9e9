package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"consult/booking/password"
	"consult/storage/storagetest"
)

// storedHash reads the password hash of email.
func storedHash(t *testing.T, dbURL, email string) (hash string, epoch int) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(context.Background(), `SELECT password_hash, session_epoch FROM users WHERE lower(email) = lower($1)`, email).Scan(&hash, &epoch); err != nil {
		t.Fatal(err)
	}
	return hash, epoch
}

func TestAdminCreateAndResetPassword(t *testing.T) {
	dbURL := storagetest.NewDBURL(t)
	getenv := env("DATABASE_URL", dbURL)
	ctx := context.Background()
	admin := func(stdin string, args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, append([]string{"admin"}, args...), getenv, testNow, strings.NewReader(stdin), &out, &errOut)
		return out.String() + errOut.String(), err
	}

	out, err := admin("a long enough passphrase\n", "create", "--email", "pat@example.org")
	if err != nil || !strings.Contains(out, "Created the admin account pat@example.org") || strings.Contains(out, "passphrase") {
		t.Fatalf("create: %v\n%s", err, out)
	}
	hash, epoch := storedHash(t, dbURL, "pat@example.org")
	if ok, _ := password.Verify(hash, "a long enough passphrase"); !ok || !strings.HasPrefix(hash, "$argon2id$") {
		t.Fatalf("stored hash %q does not check the password", hash)
	}
	if out, err := admin("another long passphrase\n", "create", "--email=PAT@example.org"); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("second create: %v\n%s", err, out)
	}

	// No password on stdin: one is generated and printed once.
	out, err = admin("", "reset-password", "--email", "pat@example.org")
	m := regexp.MustCompile(`Password \(shown only now, keep it safe\): (\S+)`).FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("reset: %v\n%s", err, out)
	}
	hash, epoch2 := storedHash(t, dbURL, "pat@example.org")
	if ok, _ := password.Verify(hash, m[1]); !ok || len(m[1]) < 20 {
		t.Fatalf("generated password %q does not sign in", m[1])
	}
	if epoch2 <= epoch {
		t.Fatal("resetting the password did not end the sessions")
	}

	for _, c := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"short\n", []string{"create", "--email", "new@example.org"}, "at least 12"},
		{"password1234\n", []string{"create", "--email", "new@example.org"}, "too common"},
		{"a long enough passphrase\n", []string{"create", "--email", "not-an-email"}, "email address"},
		{"a long enough passphrase\n", []string{"create"}, "--email is required"},
		{"a long enough passphrase\n", []string{"reset-password", "--email", "nobody@example.org"}, "no account"},
	} {
		if out, err := admin(c.stdin, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error about %q\n%s", c.args, err, c.want, out)
		}
	}
}

// TestRecoveryRemovesAnIntruder plays the recovery the README documents
// after a stolen session: an intruder's API token and authenticator must
// stop working once the practitioner resets the password and two-step
// sign-in from the terminal.
func TestRecoveryRemovesAnIntruder(t *testing.T) {
	dbURL := storagetest.NewDBURL(t)
	getenv := env("DATABASE_URL", dbURL)
	ctx := context.Background()
	admin := func(stdin string, args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, append([]string{"admin"}, args...), getenv, testNow, strings.NewReader(stdin), &out, &errOut)
		return out.String() + errOut.String(), err
	}
	if out, err := admin("a long enough passphrase\n", "create", "--email", "pat@example.org"); err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// What the intruder left: a token and their own authenticator.
	if _, err := conn.Exec(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at)
		SELECT id, 'mine now', '\x0102', '2026-12-01T12:00:00Z' FROM users`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `UPDATE users SET totp_secret = 'JBSWY3DPEHPK3PXP'`); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		var n int
		if err := conn.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	if out, err := admin("another long passphrase\n", "reset-password", "--email", "pat@example.org"); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("reset-password: %v\n%s", err, out)
	}
	if n := count(`SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL`); n != 0 {
		t.Errorf("%d API tokens still work after reset-password", n)
	}

	if out, err := admin("someone@else.org\n", "reset-2fa", "--email", "pat@example.org"); err == nil || !strings.Contains(err.Error(), "not confirmed") {
		t.Fatalf("reset-2fa with a wrong confirmation: %v\n%s", err, out)
	}
	if n := count(`SELECT count(*) FROM users WHERE totp_secret <> ''`); n != 1 {
		t.Fatal("an unconfirmed reset-2fa changed the account")
	}
	_, epoch := storedHash(t, dbURL, "pat@example.org")
	if out, err := admin("PAT@example.org\n", "reset-2fa", "--email", "pat@example.org"); err != nil || !strings.Contains(out, "Two-step sign-in is off") {
		t.Fatalf("reset-2fa: %v\n%s", err, out)
	}
	if n := count(`SELECT count(*) FROM users WHERE totp_secret <> ''`); n != 0 {
		t.Error("two-step sign-in is still on after reset-2fa")
	}
	if _, epoch2 := storedHash(t, dbURL, "pat@example.org"); epoch2 <= epoch {
		t.Error("reset-2fa did not end the sessions")
	}
	if n := count(`SELECT count(*) FROM audit_log WHERE action IN ('user.reset-password', 'user.reset-2fa') AND via = 'cli'`); n != 2 {
		t.Errorf("%d audit entries for the two resets, want 2", n)
	}
}
