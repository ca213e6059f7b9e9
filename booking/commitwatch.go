package booking

import (
	"context"
	"time"
)

// CommitWatcher is told of a booking write made with a context carrying
// it (WithCommitWatcher), once the write has committed. advance brings a
// version of the data (FeedStore's AvailabilityFeedVersion) to the same
// version with this write's change added; ok is false when the version
// does not end just before the write's change, for the caller to read
// the version afresh. After every booking and cancellation, every
// request waited for that read.
type CommitWatcher interface {
	Committed(advance func(version string) (next string, changed time.Time, ok bool))
}

type commitWatcherKey struct{}

// WithCommitWatcher returns ctx carrying w for the writes made with it.
func WithCommitWatcher(ctx context.Context, w CommitWatcher) context.Context {
	return context.WithValue(ctx, commitWatcherKey{}, w)
}

// CommitWatcherOf returns the CommitWatcher ctx carries, nil when none.
func CommitWatcherOf(ctx context.Context) CommitWatcher {
	w, _ := ctx.Value(commitWatcherKey{}).(CommitWatcher)
	return w
}
