package storage

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"consult/booking"
	"consult/storage/storagetest"
)

// TestPipelinedTransactionsCommitOrRollBackWhole runs transactions whose
// first statement is each kind a transaction can start with, and whose
// last go with the COMMIT or not: a committed one leaves all its rows, a
// failed one (in its own statements, in the batch sent with the COMMIT,
// or at COMMIT itself) none, and the connection goes back to the pool
// outside any transaction, to be used again.
func TestPipelinedTransactionsCommitOrRollBackWhole(t *testing.T) {
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(storagetest.NewDBURL(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 1 // one connection: a transaction left open would show in the next
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s := New(pool)
	// 100 fails in its statement, a second 1 only at COMMIT.
	if _, err := pool.Exec(ctx, `CREATE TABLE pipelined (n int CHECK (n < 100),
		CONSTRAINT once UNIQUE (n) DEFERRABLE INITIALLY DEFERRED)`); err != nil {
		t.Fatal(err)
	}
	insert := func(n int) func(context.Context, txn) error {
		return func(ctx context.Context, tx txn) error {
			_, err := tx.Exec(ctx, `INSERT INTO pipelined VALUES ($1)`, n)
			return err
		}
	}
	first := map[string]func(context.Context, txn) error{
		"exec": insert(1),
		"query row": func(ctx context.Context, tx txn) error {
			var n int
			return tx.QueryRow(ctx, `INSERT INTO pipelined VALUES (1) RETURNING n`).Scan(&n)
		},
		"batch": func(ctx context.Context, tx txn) error {
			b := &execBatch{}
			b.Queue(`INSERT INTO pipelined VALUES (1)`)
			return b.send(ctx, tx)
		},
		"query": func(ctx context.Context, tx txn) error {
			rows, err := tx.Query(ctx, `INSERT INTO pipelined VALUES (1) RETURNING n`)
			if err != nil {
				return err
			}
			rows.Close()
			return rows.Err()
		},
	}
	last := map[string]func(context.Context, txn, int) error{
		"sent on its own": func(ctx context.Context, tx txn, n int) error { return insert(n)(ctx, tx) },
		"sent with the commit": func(ctx context.Context, tx txn, n int) error {
			q := &execBatch{}
			q.Queue(`INSERT INTO pipelined VALUES ($1)`, n)
			return sendWithCommit(ctx, tx, q)
		},
	}
	count := func() int {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pipelined`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The pool drops a connection left in a transaction: the one
	// connection's backend stays the same only if each is ended.
	backend := func() uint32 {
		conn, err := pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Release()
		return conn.Conn().PgConn().PID()
	}
	firstPID := backend()
	for fname, begin := range first {
		for lname, end := range last {
			name := fname + ", then " + lname
			// Committed: both rows.
			err := s.transact(ctx, func(tx txn) error {
				if err := begin(ctx, tx); err != nil {
					return err
				}
				return end(ctx, tx, 2)
			})
			if err != nil || count() != 2 {
				t.Fatalf("%s: err %v, %d rows, want 2", name, err, count())
			}
			// The second statement fails, in itself or at COMMIT: no row
			// of the transaction stays.
			for _, bad := range []int{100, 1} {
				if _, err := pool.Exec(ctx, `TRUNCATE pipelined`); err != nil {
					t.Fatal(err)
				}
				err = s.transact(ctx, func(tx txn) error {
					if err := begin(ctx, tx); err != nil {
						return err
					}
					return end(ctx, tx, bad)
				})
				if err == nil || count() != 0 {
					t.Fatalf("%s, then %d: err %v, %d rows, want an error and none", name, bad, err, count())
				}
			}
			// The function's own error rolls back what was sent.
			mine := errors.New("refused")
			err = s.transact(ctx, func(tx txn) error {
				if err := begin(ctx, tx); err != nil {
					return err
				}
				return mine
			})
			if !errors.Is(err, mine) || count() != 0 {
				t.Fatalf("%s, refused: err %v, %d rows, want %v and none", name, err, count(), mine)
			}
			if pid := backend(); pid != firstPID {
				t.Fatalf("%s: the connection was dropped (backend %d, then %d), not rolled back and reused", name, firstPID, pid)
			}
		}
	}
	// A failure the function did not return still fails the COMMIT.
	err = s.transact(ctx, func(tx txn) error {
		if err := insert(1)(ctx, tx); err != nil {
			return err
		}
		_ = insert(100)(ctx, tx)
		return nil
	})
	if !errors.Is(err, pgx.ErrTxCommitRollback) || count() != 0 {
		t.Fatalf("a failure left unreturned: err %v, %d rows, want %v and none", err, count(), pgx.ErrTxCommitRollback)
	}
	// A transaction that sent nothing commits nothing, and says so.
	if err := s.transact(ctx, func(txn) error { return nil }); err != nil {
		t.Fatalf("an empty transaction: %v", err)
	}
}

// TestPipelinedStepIsKnownOnceItsCommitIsAnswered expects a step read in
// the round trip of its COMMIT, and so expected only after it, to be
// waited for while that COMMIT is unanswered, and to be unknown at once
// when no commit is under way or once the only one is answered.
func TestPipelinedStepIsKnownOnceItsCommitIsAnswered(t *testing.T) {
	iv := booking.BusyChange{Interval: booking.Interval{Start: time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)}, Taken: true}
	iv.End = iv.Start.Add(20 * time.Minute)
	counts := make([]int64, changeShards)
	from := formatVersion(1, 0, 0, counts)
	counts[5] = 1
	to := formatVersion(1, 1, 0, counts)
	counts[5] = 2
	later := formatVersion(1, 2, 0, counts)
	step := changeStep{shard: 5, count: 1}

	s := &Store{changes: &knownChanges{}}
	if times, ok := s.ChangedBetween(from, to); ok {
		t.Fatalf("no commit under way, step never expected: told %v, known", times)
	}

	type told struct {
		times []booking.BusyChange
		ok    bool
	}
	answer := make(chan told)
	ask := func(from, to string) {
		go func() {
			times, ok := s.ChangedBetween(from, to)
			answer <- told{times, ok}
		}()
		time.Sleep(settleWait / 10) // ChangedBetween is waiting by now
	}

	answered := s.changes.commitSent()
	ask(from, to)
	s.changes.expect(step, iv)
	answered()
	s.changes.settle(step, true)
	if got := <-answer; !got.ok || len(got.times) != 1 || got.times[0] != iv {
		t.Fatalf("step expected while its commit was under way: told %v, known %v", got.times, got.ok)
	}

	// A commit answered without the step: unknown, without waiting out
	// settleWait.
	answered = s.changes.commitSent()
	ask(to, later)
	answered()
	select {
	case got := <-answer:
		if got.ok {
			t.Fatalf("a step never expected: told %v, known", got.times)
		}
	case <-time.After(settleWait / 2):
		t.Fatal("still waiting once the only commit under way was answered")
	}
}

// versionWatch is a booking.CommitWatcher keeping what it is told.
type versionWatch struct {
	advance func(string) (string, time.Time, bool)
}

func (w *versionWatch) Committed(advance func(string) (string, time.Time, bool)) { w.advance = advance }

// TestAWriteAdvancesTheVersionAsReadAfterIt books and cancels with a
// commit watcher and expects the version it advances, from the one read
// before, to be the version then read afresh, Last-Modified included;
// and no version to be advanced past a change it does not follow.
func TestAWriteAdvancesTheVersionAsReadAfterIt(t *testing.T) {
	ctx := context.Background()
	s := newOutboxStore(t)
	read := func() (string, time.Time) {
		t.Helper()
		v, changed, err := s.AvailabilityFeedVersion(ctx, outboxNow)
		if err != nil {
			t.Fatal(err)
		}
		return v, changed
	}
	start := outboxNow.Add(72 * time.Hour)
	w := &versionWatch{}
	watched := booking.WithCommitWatcher(ctx, w)
	before, _ := read()
	_, hash := booking.NewToken()
	if _, err := s.CreateBooking(watched, booking.NewBooking{Start: start, End: start.Add(20 * time.Minute), Name: "Ada",
		Email: "ada@example.org", TimeZone: "UTC", TokenHash: hash, Now: outboxNow}, allow); err != nil {
		t.Fatal(err)
	}
	check := func(what, before string) string {
		t.Helper()
		if w.advance == nil {
			t.Fatalf("%s: the watcher was not told", what)
		}
		got, gotChanged, ok := w.advance(before)
		want, wantChanged := read()
		if !ok || got != want || !gotChanged.Equal(wantChanged) {
			t.Fatalf("%s: advanced to %q (%v, ok %v), read %q (%v)", what, got, gotChanged, ok, want, wantChanged)
		}
		if again, _, ok := w.advance(want); ok {
			t.Fatalf("%s: advanced twice, to %q", what, again)
		}
		w.advance = nil
		return want
	}
	after := check("booking", before)
	if _, err := s.CancelBooking(watched, hash, outboxNow.Add(time.Minute), func(*booking.Booking) error { return nil }); err != nil {
		t.Fatal(err)
	}
	check("cancellation", after)
	// A refused write tells nothing.
	if _, err := s.CancelBooking(watched, hash, outboxNow.Add(2*time.Minute), func(*booking.Booking) error { return nil }); err == nil {
		t.Fatal("cancelled twice")
	}
	if w.advance != nil {
		t.Fatal("a refused cancellation told the watcher")
	}
}
