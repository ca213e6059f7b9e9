package storage

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"consult/booking"
)

// The bookings this process writes, known by the change count each one
// moved. Every change to a booking row moves one of the sixteen counts
// of booking_change_counts (migration 00023), the one its transaction id
// picks, and the data's version (AvailabilityFeedVersion) carries all
// sixteen. When every step of every count between two versions is a
// booking this process made or cancelled, the change between them is
// known: those bookings' times, and nothing else. The slots API then
// computes again only the days around them, where after every booking it
// read and computed the whole horizon (a third of make bench's mixed-load
// allocation, and its costliest query).
//
// A count a transaction moves is held from that moment until it commits,
// so its steps are taken one transaction at a time, and a version shows
// a step only once its transaction has committed. A booking write takes
// its step just before it commits (changeMark) and learns which it was;
// the step stands for the booking once the commit succeeded. A step nobody here
// remembers (another instance, the practitioner's changes, the hold
// sweep, a transaction that changed two rows) makes the change unknown,
// and the slots are computed afresh.

// changeShards is the number of counts in booking_change_counts.
const changeShards = 16

// changeStep is one step of one count.
type changeStep struct {
	shard int
	count int64
}

// changeMark queues on b the statements that take tx's step now, rather
// than at commit (the trigger is deferred), and read which step it was,
// calling read with it as soon as it is known. The transaction must
// change exactly one booking row for the step to stand for it; when it
// changed more, the steps before are unknown.
func changeMark(b *execBatch, read func(*changeStep)) *changeStep {
	step := &changeStep{}
	b.Queue(`SET CONSTRAINTS bookings_changed IMMEDIATE`)
	b.Queue(`SELECT shard, version FROM booking_change_counts
		WHERE shard = pg_current_xact_id()::text::bigint % 16`).QueryRow(func(row pgx.Row) error {
		if err := row.Scan(&step.shard, &step.count); err != nil {
			return err
		}
		read(step)
		return nil
	})
	return step
}

// markChange is changeMark on a transaction of the Store's own, for the
// change of ch's time: the step is expected for it (expectChange) as soon
// as it is read. Inside one of the caller's (InTx), where a commit here
// is only a savepoint's, it queues nothing and returns nil.
//
// The step is read in the round trip of the transaction's COMMIT
// (sendWithCommit), so it is expected a moment after the commit: a
// version read in between finds a step nobody here remembers, and the
// slots are computed afresh, as for another instance's change. Expected
// before the commit, it cost a round trip of its own.
func (s *Store) markChange(q *execBatch, ch *booking.Booking) *changeStep {
	if _, inTx := s.db.(pgx.Tx); inTx {
		return nil
	}
	return changeMark(q, func(step *changeStep) { s.expectChange(step, ch) })
}

// expectChange records that step will stand for the change of b's time
// if its transaction commits: until settleChange says whether it did,
// ChangedBetween waits for it.
func (s *Store) expectChange(step *changeStep, b *booking.Booking) {
	s.changes.expect(*step, booking.BusyChange{Interval: booking.Interval{Start: b.Start, End: b.End}, Taken: b.Status.HoldsTime()})
}

// settleChange tells whether the transaction of an expected step
// committed, and then the write's context's booking.CommitWatcher, if
// any, how to add the change of b to a version.
func (s *Store) settleChange(ctx context.Context, step *changeStep, committed bool, b *booking.Booking) {
	if step == nil {
		return
	}
	s.changes.settle(*step, committed)
	if w := booking.CommitWatcherOf(ctx); w != nil && committed && b != nil {
		st, at := *step, stored(b.UpdatedAt)
		w.Committed(func(v string) (string, time.Time, bool) { return advanceVersion(v, st, at) })
	}
}

// advanceVersion returns version v with the step of a booking written at
// at added: its count, the total, and the time of the latest change, as
// AvailabilityFeedVersion would read them once that write committed with
// nothing else. ok is false unless v's count of the step's shard is the
// one just before it.
func advanceVersion(v string, step changeStep, at time.Time) (next string, changed time.Time, ok bool) {
	d, ok := parseVersion(v)
	if !ok || d.counts[step.shard]+1 != step.count {
		return "", time.Time{}, false
	}
	parts := strings.Split(v, "/")
	total, err1 := strconv.ParseInt(parts[1], 10, 64)
	latest, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return "", time.Time{}, false
	}
	d.counts[step.shard] = step.count
	return versionOf(fmt.Sprintf("%s/%d/%d/", d.settings, total+1, max(latest, at.UnixMicro())), d.counts[:]), at, true
}

// maxKnownChanges bounds the steps remembered (about 200 bytes each, with
// a channel the collector scans): enough for the changes between two
// readings of the version, which under load come milliseconds apart, and
// far more than the few a patch takes (maxPatchedChanges in the api
// package). 4,096 were half a megabyte of make bench's live heap of
// eight, and the collector's pace under the memory limit follows the
// room left above the live heap.
const maxKnownChanges = 256

// settleWait bounds how long ChangedBetween waits for a transaction to
// say whether it committed: it has its step, and at most its commit is
// left to do.
const settleWait = 100 * time.Millisecond

// knownChanges are the steps of this process's booking writes, each with
// the time it freed or took.
type knownChanges struct {
	mu    sync.Mutex
	steps map[changeStep]*knownChange
	order []changeStep // in the order remembered, to forget the oldest

	// committing counts the transactions sending their COMMIT with their
	// last statements, a step's read among them (markChange): until they
	// are answered, a step nobody remembers may be one of theirs.
	committing int
	news       chan struct{} // closed when a step is expected or a commit answered
}

// commitSent records a transaction's COMMIT sent; the func it returns
// records the answer.
func (k *knownChanges) commitSent() (answered func()) {
	k.mu.Lock()
	k.committing++
	k.mu.Unlock()
	return func() {
		k.mu.Lock()
		k.committing--
		k.announce()
		k.mu.Unlock()
	}
}

// announce wakes whoever waits for news. k.mu is held.
func (k *knownChanges) announce() {
	if k.news != nil {
		close(k.news)
		k.news = nil
	}
}

// awaitNews waits until a step is expected or a commit answered, or
// until timeout fires (false). k.mu is held, and released while waiting.
func (k *knownChanges) awaitNews(timeout <-chan time.Time) bool {
	if k.news == nil {
		k.news = make(chan struct{})
	}
	news := k.news
	k.mu.Unlock()
	defer k.mu.Lock()
	select {
	case <-news:
		return true
	case <-timeout:
		return false
	}
}

// knownChange is the time one step changed, once its transaction has
// committed.
type knownChange struct {
	change  booking.BusyChange
	settled chan struct{} // closed once committed (or the step forgotten)
}

func (k *knownChanges) expect(step changeStep, ch booking.BusyChange) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.steps == nil {
		k.steps = make(map[changeStep]*knownChange)
	}
	if len(k.order) >= maxKnownChanges {
		k.forget(k.order[0])
		k.order = k.order[1:]
	}
	k.forget(step) // a step whose transaction rolled back is taken again
	k.steps[step] = &knownChange{change: ch, settled: make(chan struct{})}
	k.order = append(k.order, step)
	k.announce()
}

func (k *knownChanges) settle(step changeStep, committed bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	c, ok := k.steps[step]
	if !ok {
		return
	}
	if !committed {
		k.forget(step)
		return
	}
	close(c.settled)
}

// forget drops step; whoever waits for it finds it unknown.
func (k *knownChanges) forget(step changeStep) {
	c, ok := k.steps[step]
	if !ok {
		return
	}
	delete(k.steps, step)
	select {
	case <-c.settled:
	default:
		close(c.settled)
	}
}

// committed returns the time of step once its transaction committed;
// ok is false when the step is not this process's, or not known and
// settled in settleWait. k.mu is held, and released while waiting.
func (k *knownChanges) committed(step changeStep) (ch booking.BusyChange, ok bool) {
	var timer *time.Timer
	timeout := func() <-chan time.Time {
		if timer == nil {
			timer = time.NewTimer(settleWait)
		}
		return timer.C
	}
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	c, known := k.steps[step]
	// A step read with its COMMIT is expected a moment after the commit.
	for !known && k.committing > 0 {
		if !k.awaitNews(timeout()) {
			return booking.BusyChange{}, false
		}
		c, known = k.steps[step]
	}
	if !known {
		return booking.BusyChange{}, false
	}
	if !isClosed(c.settled) {
		k.mu.Unlock()
		select {
		case <-c.settled:
		case <-timeout():
		}
		k.mu.Lock()
	}
	if now, still := k.steps[step]; !still || now != c || !isClosed(c.settled) {
		return booking.BusyChange{}, false
	}
	return c.change, true
}

// isClosed reports whether ch is closed, without waiting.
func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// ChangedBetween returns the changes to the bookings' times between the
// data versions from and to (AvailabilityFeedVersion), when every change
// between them is a booking this process made or cancelled; ok is false
// otherwise, and whenever anything but bookings changed. They come by
// shard, not in the order they were made.
func (s *Store) ChangedBetween(from, to string) (changes []booking.BusyChange, ok bool) {
	a, okA := parseVersion(from)
	b, okB := parseVersion(to)
	if !okA || !okB || a.settings != b.settings {
		return nil, false
	}
	k := s.changes
	k.mu.Lock()
	defer k.mu.Unlock()
	for shard := range changeShards {
		if b.counts[shard] < a.counts[shard] || b.counts[shard]-a.counts[shard] > maxKnownChanges {
			return nil, false
		}
		for n := a.counts[shard] + 1; n <= b.counts[shard]; n++ {
			ch, known := k.committed(changeStep{shard, n})
			if !known {
				return nil, false
			}
			changes = append(changes, ch)
		}
	}
	return changes, true
}

// ChangedSince is ChangedBetween for a copy of the data as of version
// from, to be brought up to version to, which may have been read before
// from in some of the sixteen counts (a request that read the version a
// moment before the copy was made): those counts' changes are in the copy
// already. It returns the changes still to make, and the version the
// copy is of once they are made, each count the later of the two; ok is
// false as for ChangedBetween.
func (s *Store) ChangedSince(from, to string) (changes []booking.BusyChange, at string, ok bool) {
	a, okA := parseVersion(from)
	b, okB := parseVersion(to)
	if !okA || !okB || a.settings != b.settings {
		return nil, "", false
	}
	joined := a
	for shard := range changeShards {
		joined.counts[shard] = max(a.counts[shard], b.counts[shard])
	}
	if joined == a {
		return nil, from, true
	}
	at = joined.String()
	changes, ok = s.ChangedBetween(from, at)
	return changes, at, ok
}

// String writes d back as a version, for ChangedBetween only: the
// total and the time of the latest change are left at zero.
func (d dataVersion) String() string { return versionOf(d.settings+"/0/0/", d.counts[:]) }

// dataVersion is AvailabilityFeedVersion's value, read back.
type dataVersion struct {
	settings string // the schedule's change stamp
	counts   [changeShards]int64
}

// formatVersion writes the version: the schedule's stamp, the number of
// booking changes, the latest booking change's time, and the counts.
func formatVersion(settingsMicros, total, bookingsMicros int64, counts []int64) string {
	return versionOf(fmt.Sprintf("%d/%d/%d/", settingsMicros, total, bookingsMicros), counts)
}

// versionOf writes a version from its first three fields, each ended by
// a slash, and the counts.
func versionOf(head string, counts []int64) string {
	var b strings.Builder
	b.WriteString(head)
	for i, n := range counts {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.FormatInt(n, 10))
	}
	return b.String()
}

func parseVersion(v string) (dataVersion, bool) {
	parts := strings.Split(v, "/")
	if len(parts) != 4 {
		return dataVersion{}, false
	}
	counts := strings.Split(parts[3], ".")
	if len(counts) != changeShards {
		return dataVersion{}, false
	}
	d := dataVersion{settings: parts[0]}
	for i, c := range counts {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			return dataVersion{}, false
		}
		d.counts[i] = n
	}
	return d, true
}
