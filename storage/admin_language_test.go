package storage

import (
	"context"
	"testing"

	"consult/booking"
)

// An account keeps the language its practitioner reads the admin area
// in; none chosen reads back as none, and the database refuses a language
// the admin area is not written in.
func TestAccountKeepsTheAdminLanguage(t *testing.T) {
	ctx := context.Background()
	s := newOutboxStore(t)
	u, err := s.CreateUser(ctx, "practitioner@example.org", "hash", outboxNow)
	if err != nil {
		t.Fatal(err)
	}
	if u.Language != "" {
		t.Errorf("a new account reads %q", u.Language)
	}
	set, err := s.SetLanguage(ctx, u.ID, "de", outboxNow)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if set.Language != "de" || got.Language != "de" || got.SessionEpoch != u.SessionEpoch {
		t.Errorf("stored de: set %q, read back %q (epoch %d, was %d)", set.Language, got.Language, got.SessionEpoch, u.SessionEpoch)
	}
	if _, err := s.SetLanguage(ctx, u.ID, "fr", outboxNow); err == nil {
		t.Error("language fr was stored for the admin area")
	}
	if _, err := s.SetLanguage(ctx, u.ID+1, "en", outboxNow); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Errorf("another account: %v, want ENOTFOUND", err)
	}
}
