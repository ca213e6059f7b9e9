package httpx

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/labstack/echo/v4"
)

// TestCompressorsAreBounded takes every compressor there is, and expects
// no more to be made: tryGet refuses, and get waits for one to come back.
func TestCompressorsAreBounded(t *testing.T) {
	made := 0
	c := newCompressors(2, func() *flate.Writer {
		made++
		zw, _ := flate.NewWriter(nil, flate.BestSpeed)
		return zw
	})
	a, _ := c.tryGet()
	b, _ := c.tryGet()
	if _, ok := c.tryGet(); ok {
		t.Fatal("a third compressor was handed out while two were in use")
	}
	got := make(chan *flate.Writer)
	go func() { got <- c.get() }()
	select {
	case <-got:
		t.Fatal("get did not wait while both were in use")
	case <-time.After(20 * time.Millisecond): // a duration only: nothing can come back
	}
	c.putBack(a)
	if w := <-got; w != a {
		t.Fatal("get returned another compressor than the one given back")
	}
	c.putBack(a)
	c.putBack(b)
	if made != 2 {
		t.Errorf("%d compressors made, want 2", made)
	}
}

// TestResponsesCompressWhileEveryCompressorIsInUse compresses responses
// through the middleware with the kept compressors free, and with all of
// them taken, and expects each to read back as written.
func TestResponsesCompressWhileEveryCompressorIsInUse(t *testing.T) {
	body := strings.Repeat("A consultation is twenty minutes, free of charge. ", 200)
	e := echo.New()
	e.Use(Compress())
	e.GET("/", func(c echo.Context) error { return c.String(http.StatusOK, body) })
	read := func(when string) {
		t.Helper()
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Header().Get("Content-Encoding") != "gzip" || rec.Body.Len() >= len(body) {
			t.Fatalf("%s: not compressed (%q, %d bytes)", when, rec.Header().Get("Content-Encoding"), rec.Body.Len())
		}
		zr, err := gzip.NewReader(rec.Body)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || string(got) != body {
			t.Fatalf("%s: read back %d bytes (%v), want the %d written", when, len(got), err, len(body))
		}
	}
	read("compressors free")
	read("compressors free, again")
	var taken []*flate.Writer
	for {
		zw, ok := deflaters.tryGet()
		if !ok {
			break
		}
		taken = append(taken, zw)
	}
	read("every compressor in use")
	for _, zw := range taken {
		deflaters.putBack(zw)
	}
	read("compressors given back")
}

// TestGzippedReadsBack compresses copies of several sizes, and one
// written in two parts with a flush between, and expects a standard
// gzip reader to give back exactly what was written.
func TestGzippedReadsBack(t *testing.T) {
	for _, n := range []int{1024, 5000, 200_000} {
		body := []byte(strings.Repeat("Ketamine-assisted psychotherapy, 20 minutes. ", n/45+1)[:n])
		zr, err := gzip.NewReader(bytes.NewReader(Gzipped(body)))
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, body) {
			t.Fatalf("%d bytes: read back %d (%v)", n, len(got), err)
		}
	}
	var buf bytes.Buffer
	zw := responseGzip.New(&buf, 1)
	first, second := strings.Repeat("a", 3000), strings.Repeat("b", 3000)
	_, _ = zw.Write([]byte(first))
	if err := zw.Flush(); err != nil {
		t.Fatal(err)
	}
	_, _ = zw.Write([]byte(second))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(zr); err != nil || string(got) != first+second {
		t.Fatalf("flushed response: read back %d bytes (%v)", len(got), err)
	}
}
