package storage

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// txn is what the statements of one transaction are sent through: a
// pipelinedTx of transact's, or the caller's transaction inside InTx.
type txn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// pipelinedTx is a transaction on one connection whose BEGIN travels with
// its first statements, and whose COMMIT with its last when they are left
// to it (sendWithCommit), rather than each waiting for an answer of its
// own. (pgx's Batch.BeginTx sends the BEGIN so, but not the COMMIT.)
// PostgreSQL runs a pipeline's statements in order, and a BEGIN
// among them opens a transaction block that outlasts the pipeline; when a
// statement fails, the rest of its pipeline, COMMIT included, is skipped.
// A booking took five round trips to the database, three of its own
// statements and these two; under make bench's mixed load every round
// trip cost the service and the database about 40 µs of CPU each, a
// write and a wake-up on either side.
type pipelinedTx struct {
	conn  *pgx.Conn
	begun bool       // BEGIN has been sent
	last  *execBatch // the statements to send with the COMMIT
}

var _ txn = (*pipelinedTx)(nil)

// withBegin returns b led by the BEGIN when it has not been sent yet.
func (t *pipelinedTx) withBegin(b *pgx.Batch) *pgx.Batch {
	if t.begun {
		return b
	}
	t.begun = true
	led := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(b.QueuedQueries)+1)}
	led.Queue("BEGIN")
	led.QueuedQueries = append(led.QueuedQueries, b.QueuedQueries...)
	return led
}

// SendBatch sends b, with the BEGIN ahead of it if it is the first.
func (t *pipelinedTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if t.begun {
		return t.conn.SendBatch(ctx, b)
	}
	results := t.conn.SendBatch(ctx, t.withBegin(b))
	if _, err := results.Exec(); err != nil { // the BEGIN's own answer
		_ = results.Close()
		return pgx.FailedBatchResults(b, err)
	}
	return results
}

// Exec runs sql, with the BEGIN ahead of it if it is the first.
func (t *pipelinedTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if t.begun {
		return t.conn.Exec(ctx, sql, args...)
	}
	var tag pgconn.CommandTag
	b := &pgx.Batch{}
	b.Queue(sql, args...).Exec(func(ct pgconn.CommandTag) error {
		tag = ct
		return nil
	})
	return tag, t.SendBatch(ctx, b).Close()
}

// QueryRow runs sql when its row is scanned, with the BEGIN ahead of it
// if it is the first.
func (t *pipelinedTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if t.begun {
		return t.conn.QueryRow(ctx, sql, args...)
	}
	return pipelinedRow{t: t, ctx: ctx, sql: sql, args: args}
}

// Query runs sql. Rows are read as they come, so a first statement that
// is a query sends the BEGIN on its own.
func (t *pipelinedTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if !t.begun {
		if err := t.SendBatch(ctx, &pgx.Batch{}).Close(); err != nil { // the BEGIN alone
			return nil, err
		}
	}
	return t.conn.Query(ctx, sql, args...)
}

// commit sends the COMMIT, after the statements left to it. A COMMIT
// that PostgreSQL answers with ROLLBACK (the transaction had failed) is
// an error, as pgx's own Commit makes it.
func (t *pipelinedTx) commit(ctx context.Context) error {
	b := t.last
	if b == nil {
		if !t.begun {
			return nil // nothing was sent
		}
		b = &execBatch{}
	}
	b.Queue("COMMIT").Exec(func(ct pgconn.CommandTag) error {
		if ct.String() == "ROLLBACK" {
			return pgx.ErrTxCommitRollback
		}
		return nil
	})
	return t.SendBatch(ctx, &b.Batch).Close()
}

// rollback ends the transaction when one is open. A connection left in a
// transaction, because the ROLLBACK could not be sent, is closed by the
// pool on its release rather than reused.
func (t *pipelinedTx) rollback(ctx context.Context) {
	if t.conn.PgConn().TxStatus() != 'I' {
		_, _ = t.conn.Exec(ctx, "ROLLBACK")
	}
}

// pipelinedRow is the first statement's row, sent with the BEGIN once
// its destinations are known.
type pipelinedRow struct {
	t    *pipelinedTx
	ctx  context.Context
	sql  string
	args []any
}

func (r pipelinedRow) Scan(dest ...any) error {
	b := &pgx.Batch{}
	b.Queue(r.sql, r.args...).QueryRow(func(row pgx.Row) error { return row.Scan(dest...) })
	return r.t.SendBatch(r.ctx, b).Close()
}

// sendWithCommit leaves q, the transaction's last statements, to be sent
// with its COMMIT in one round trip, when tx is transact's own; inside a
// transaction of the caller's (InTx) it sends q now. What q reads is
// known once the transaction has committed, and its errors are
// transact's.
func sendWithCommit(ctx context.Context, tx txn, q *execBatch) error {
	if p, ok := tx.(*pipelinedTx); ok && p.last == nil {
		p.last = q
		return nil
	}
	return q.send(ctx, tx)
}

// transact runs fn in a transaction, committing when it returns nil; in
// a Store that InTx made, the transaction is a savepoint of InTx's.
func (s *Store) transact(ctx context.Context, fn func(tx txn) error) error {
	if _, nested := s.db.(pgx.Tx); nested {
		return s.inTx(ctx, func(tx pgx.Tx) error { return fn(tx) })
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return translate(err)
	}
	defer conn.Release()
	tx := &pipelinedTx{conn: conn.Conn()}
	if err := fn(tx); err != nil {
		tx.rollback(ctx)
		return err
	}
	answered := s.changes.commitSent()
	err = tx.commit(ctx)
	answered()
	if err != nil {
		tx.rollback(ctx)
		return translate(err)
	}
	return nil
}

// inTx runs fn in a transaction of pgx's own (a savepoint inside InTx's),
// committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return translate(err)
	}
	defer tx.Rollback(ctx)
	if err := fn(tx); err != nil {
		return err
	}
	return translate(tx.Commit(ctx))
}
