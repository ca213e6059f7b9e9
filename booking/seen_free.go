package booking

import (
	"context"
	"time"
)

// A booking begins with a first look at the time without the booking
// lock (see book): the schedule and the bookings around it read, so
// that a crowd racing for a time already taken is refused before it
// queues on the lock. A caller that keeps the free slots of the data's
// current version (the slots API's copies) already knows the time was
// free then, and the settings: it says so with SeenFree, and the first
// look is skipped. Whatever the copy says, the check inside the store's
// transaction decides; a copy behind the database only sends a taken
// time on to be refused there.

type seenFreeKey struct{}

// seenFree is a time a caller saw free, and the settings it was free
// under.
type seenFree struct {
	start    time.Time
	settings Settings
}

// SeenFree returns ctx saying that start was free under settings in the
// caller's copy of the current data.
func SeenFree(ctx context.Context, start time.Time, settings Settings) context.Context {
	return context.WithValue(ctx, seenFreeKey{}, seenFree{start: start, settings: settings})
}

// seenFreeAt returns the settings start was seen free under, if ctx says
// it was.
func seenFreeAt(ctx context.Context, start time.Time) (Settings, bool) {
	s, ok := ctx.Value(seenFreeKey{}).(seenFree)
	if !ok || !s.start.Equal(start) {
		return Settings{}, false
	}
	return s.settings, true
}
