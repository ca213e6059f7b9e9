package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLogBufferKeepsLinesInOrderAndWritesWarningsAtOnce(t *testing.T) {
	out := &syncBuffer{}
	logs := newLogBuffer(out)
	logger := slog.New(logBufferHandler{slog.NewTextHandler(logs, nil), logs})

	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				logger.Info("request", "g", g, "i", i)
			}
		}()
	}
	wg.Wait()
	logger.Warn("something is wrong")
	// The warning and every line before it are written by the time Warn
	// returns, without waiting for the buffer's timer.
	got := out.String()
	if !strings.HasSuffix(got, "msg=\"something is wrong\"\n") {
		t.Fatalf("the warning was not written at once; the output ends %q", got[max(len(got)-200, 0):])
	}
	for g := range 4 {
		last := -1
		for _, line := range strings.Split(got, "\n") {
			_, attrs, ok := strings.Cut(line, " g=")
			var lg, li int
			if _, err := fmt.Sscanf(attrs, "%d i=%d", &lg, &li); !ok || err != nil || lg != g {
				continue
			}
			if li != last+1 {
				t.Fatalf("goroutine %d: line %d followed line %d", g, li, last)
			}
			last = li
		}
		if last != 499 {
			t.Fatalf("goroutine %d: last line %d written, want 499", g, last)
		}
	}
}

func TestLogBufferWritesAQuietLineSoonAndEverythingOnClose(t *testing.T) {
	out := &syncBuffer{}
	logs := newLogBuffer(out)
	logger := slog.New(logBufferHandler{slog.NewTextHandler(logs, nil), logs})
	logger.Info("first")
	deadline := time.Now().Add(5 * time.Second) // a duration only: how long to wait for the timer
	for !strings.Contains(out.String(), "msg=first") {
		if time.Now().After(deadline) {
			t.Fatal("a lone line was not written by the buffer's timer")
		}
		time.Sleep(10 * time.Millisecond)
	}
	logger.Info("second")
	logs.close()
	if !strings.Contains(out.String(), "msg=second") {
		t.Fatal("close did not write the buffered line")
	}
	logger.Info("third")
	if !strings.Contains(out.String(), "msg=third") {
		t.Fatal("a line after close was not written straight away")
	}
}

func TestLogBufferHandlerKeepsAttrsAndGroups(t *testing.T) {
	out := &syncBuffer{}
	logs := newLogBuffer(out)
	logger := slog.New(logBufferHandler{slog.NewTextHandler(logs, nil), logs}).With("worker", "mail").WithGroup("g")
	logger.LogAttrs(context.Background(), slog.LevelError, "failed", slog.Int("n", 1))
	if got := out.String(); !strings.Contains(got, "worker=mail") || !strings.Contains(got, "g.n=1") {
		t.Fatalf("got %q", got)
	}
}
