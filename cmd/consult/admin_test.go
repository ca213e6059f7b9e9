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
