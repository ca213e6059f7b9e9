package password

import (
	"context"

	"consult/booking"
)

// maxHashes is how many argon2 computations a Hasher runs at once. Each
// takes 64 MiB, so a burst of sign-ins must queue rather than exhaust
// memory; the queue is bounded by the request timeout.
const maxHashes = 2

// Hasher hashes and checks passwords within a few slots, so however many
// requests arrive at once, only a few argon2 computations run together.
type Hasher struct {
	slots chan struct{}
}

// NewHasher returns a Hasher with its slots free.
func NewHasher() *Hasher { return &Hasher{slots: make(chan struct{}, maxHashes)} }

// within runs fn once a slot is free, or gives up when ctx ends first.
// EUNAVAILABLE then.
func (h *Hasher) within(ctx context.Context, fn func()) error {
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		return booking.Errorf(booking.EUNAVAILABLE, "Too many sign-ins at once. Please try again in a moment.")
	}
	defer func() { <-h.slots }()
	fn()
	return nil
}

// Verify is the package's Verify within the Hasher's slots.
func (h *Hasher) Verify(ctx context.Context, hash, pw string) (ok bool, err error) {
	if werr := h.within(ctx, func() { ok, err = Verify(hash, pw) }); werr != nil {
		return false, werr
	}
	return ok, err
}

// Hash is the package's Hash within the Hasher's slots.
func (h *Hasher) Hash(ctx context.Context, pw string) (hash string, err error) {
	if werr := h.within(ctx, func() { hash, err = Hash(pw) }); werr != nil {
		return "", werr
	}
	return hash, err
}
