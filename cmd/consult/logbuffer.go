package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// logFlushEvery is how long a log line may wait in the buffer: well
// under what a person watching the log, or a collector shipping it,
// notices.
const logFlushEvery = 100 * time.Millisecond

// logFlushAt is how many buffered bytes are written at once without
// waiting: a few hundred request lines.
const logFlushAt = 32 << 10

// logBuffer collects a serving process's log lines and writes them in
// batches: every request writes a line, and under load the system call
// for each, made under the log handler's lock that every request waits
// on, cost as much as the line's encoding (make bench: 3 to 6 µs of the
// 26 to 47 µs a request took). A line waits at most logFlushEvery; one
// at level WARN or above, and everything before it, is written at once
// (logBufferHandler), and so is all of it when the process stops.
type logBuffer struct {
	w io.Writer

	writing sync.Mutex // held while writing to w, so batches keep their order
	mu      sync.Mutex // guards the fields below
	buf     []byte
	spare   []byte      // the last batch written, emptied, for the next
	timer   *time.Timer // the pending flush, if any
	closed  bool        // after close, lines go straight to w
}

func newLogBuffer(w io.Writer) *logBuffer { return &logBuffer{w: w} }

// Write buffers p, one log line, or writes it when the buffer is closed.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		b.writing.Lock()
		defer b.writing.Unlock()
		return b.w.Write(p)
	}
	b.buf = append(b.buf, p...)
	full := len(b.buf) >= logFlushAt
	if !full && b.timer == nil {
		b.timer = time.AfterFunc(logFlushEvery, b.flush)
	}
	b.mu.Unlock()
	if full {
		b.flush()
	}
	return len(p), nil
}

// flush writes what is buffered. A failed write drops those lines: a log
// that cannot be written has nowhere to say so.
func (b *logBuffer) flush() {
	b.writing.Lock()
	defer b.writing.Unlock()
	b.mu.Lock()
	out := b.buf
	b.buf, b.spare = b.spare, nil
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	b.mu.Unlock()
	if len(out) > 0 {
		_, _ = b.w.Write(out)
	}
	// Two buffers take turns, so batches are not grown from nothing
	// again each time (make bench: 140 MB allocated in 5 s).
	b.mu.Lock()
	b.spare = out[:0]
	b.mu.Unlock()
}

// close writes what is buffered and sends later lines straight on.
func (b *logBuffer) close() {
	b.flush()
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
}

// logBufferHandler writes the buffer out after each record at level WARN
// or above, so that a warning or an error is seen at once, in order.
type logBufferHandler struct {
	slog.Handler
	buf *logBuffer
}

func (h logBufferHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		h.buf.flush()
	}
	return err
}

func (h logBufferHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return logBufferHandler{h.Handler.WithAttrs(attrs), h.buf}
}

func (h logBufferHandler) WithGroup(name string) slog.Handler {
	return logBufferHandler{h.Handler.WithGroup(name), h.buf}
}
