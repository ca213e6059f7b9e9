package storage

import (
	"context"
	"testing"
	"time"
)

// TestEraseClientLeavesNothingToSend: erasing a client on request also
// drops the sealed links of their queued mail and the fingerprint kept for
// the yearly limit, since they asked for everything to go.
func TestEraseClientLeavesNothingToSend(t *testing.T) {
	ctx := context.Background()
	s := newOutboxStore(t)
	b, _ := bookAt(t, s, outboxNow.Add(72*time.Hour), []byte("sealed link"))
	if n := countOutbox(t, s, "sealed_token IS NOT NULL"); n == 0 {
		t.Fatal("the booking queued no mail with a sealed link")
	}
	ids, err := s.EraseClient(ctx, "ADA@example.org", outboxNow)
	if err != nil || len(ids) != 1 || ids[0] != b.ID {
		t.Fatalf("EraseClient = %v, %v", ids, err)
	}
	if n := countOutbox(t, s, "sealed_token IS NOT NULL OR status IN ('pending', 'logged', 'failed')"); n != 0 {
		t.Errorf("%d queued messages still hold a link or could still be sent", n)
	}
	var hasKey bool
	if err := s.pool.QueryRow(ctx, `SELECT client_key IS NOT NULL FROM bookings WHERE id = $1`, b.ID).Scan(&hasKey); err != nil || hasKey {
		t.Errorf("the email fingerprint survived the erasure (%v)", err)
	}
}
