package storage_test

import (
	"testing"
	"time"

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
