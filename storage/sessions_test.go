package storage_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"consult/notify"
	"consult/storage"
	"consult/storage/storagetest"
)

// TestSessionIdsAreNotStored finds a session by its id while the table
// holds only a hash of it, so a copy of the database opens nothing.
func TestSessionIdsAreNotStored(t *testing.T) {
	pool := storagetest.NewDB(t)
	now := storagetest.Now()
	sessions := storage.NewSessions(pool, func() time.Time { return now })
	ctx := t.Context()
	const id = "kq3Xh0Wd9fJm2sT7vYb1cN4eR8uA6iLo5pGz"
	if err := sessions.CommitCtx(ctx, id, []byte("data"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := pool.QueryRow(ctx, `SELECT token FROM sessions`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored == id || len(stored) != 64 {
		t.Errorf("the table keeps %q for session id %q, want its SHA-256", stored, id)
	}
	data, found, err := sessions.FindCtx(ctx, id)
	if err != nil || !found || string(data) != "data" {
		t.Fatalf("FindCtx = %q, %v, %v", data, found, err)
	}
	if _, found, _ := sessions.FindCtx(ctx, stored); found {
		t.Error("the stored hash opens the session")
	}
	if err := sessions.DeleteCtx(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := sessions.FindCtx(ctx, id); found {
		t.Error("the session is still there after DeleteCtx")
	}
}

// TestTwoStepSecretIsSealedAtRest finds the authenticator secret readable
// through the store while the table holds only a sealed copy, and a
// secret stored in the clear before sealing began still read.
func TestTwoStepSecretIsSealedAtRest(t *testing.T) {
	pool := storagetest.NewDB(t)
	keys, err := notify.NewKeyring(bytes.Repeat([]byte{7}, notify.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	s := storage.New(pool, storage.WithSecretSealer(keys))
	ctx := t.Context()
	now := storagetest.Now()
	u, err := s.CreateUser(ctx, "pat@example.org", "hash", now)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "JBSWY3DPEHPK3PXP"
	if got, err := s.EnableTOTP(ctx, u.ID, secret, nil, now); err != nil || got.TOTPSecret != secret {
		t.Fatalf("EnableTOTP = %+v, %v", got, err)
	}
	var stored string
	if err := pool.QueryRow(ctx, `SELECT totp_secret FROM users WHERE id = $1`, u.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, secret) || !strings.HasPrefix(stored, "sealed:") {
		t.Errorf("the table holds %q for the secret", stored)
	}
	if got, err := s.UserByID(ctx, u.ID); err != nil || got.TOTPSecret != secret {
		t.Fatalf("UserByID = %+v, %v", got, err)
	}
	if _, err := pool.Exec(ctx, `UPDATE users SET totp_secret = $2 WHERE id = $1`, u.ID, secret); err != nil {
		t.Fatal(err)
	}
	if got, err := s.UserByID(ctx, u.ID); err != nil || got.TOTPSecret != secret {
		t.Fatalf("a secret stored in the clear before: %+v, %v", got, err)
	}
}
