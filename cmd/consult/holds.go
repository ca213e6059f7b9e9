package main

import (
	"context"
	"log/slog"
	"time"

	"consult/booking"
	"consult/storage"
)

// holdSweepInterval is how often unconfirmed holds are looked for: a
// released time is offered again within it.
const holdSweepInterval = 30 * time.Second

// holdSweeper releases the times held for confirmation by email (or for
// a waitlist entry) whose hold is up, so that they are offered again and
// the unconfirmed requester's details are deleted, and then offers the
// free times to the waitlist.
type holdSweeper struct {
	store *storage.Store
	// svc offers the times freed to the waitlist, after each sweep.
	svc    *booking.Service
	now    func() time.Time
	logger *slog.Logger
}

// Run sweeps at start and then every holdSweepInterval until ctx ends; it
// returns nil then. Several instances may run it at once.
func (h *holdSweeper) Run(ctx context.Context) error {
	for {
		if err := h.store.ExpireHolds(ctx, h.now()); err != nil && ctx.Err() == nil {
			h.logger.Warn("holds: release expired holds", "error", err)
		}
		if n, err := h.svc.OfferWaitlist(ctx); err != nil && ctx.Err() == nil {
			h.logger.Warn("waitlist: offer freed times", "error", err)
		} else if n > 0 {
			h.logger.Info("waitlist: offered freed times", "offers", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(holdSweepInterval):
		}
	}
}
