package httpx

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"sync/atomic"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzhttp/writer"
	"github.com/klauspost/compress/gzip"
)

// A compressor holds about 700 KB of tables and history. Kept in
// sync.Pools, a gzip and a deflate one were made for every copy or
// response compressed at once, and dropped after two collections: under
// make bench's mixed load 3 MB of the 9 MB live heap were compressors.
// Copies are compressed once per change to the data, in 40 µs or so, so
// one compressor serves them all; a response compressed on the fly takes
// it when it is free, else compresses without one (see responseGzip).
var deflaters = newCompressors(1, func() *flate.Writer {
	zw, _ := flate.NewWriter(nil, flate.BestSpeed)
	return zw
})

// gzipHeader opens a gzip member: deflate, no name, no time, unknown
// system. The member is the deflate stream, then gzipTrailer.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// gzipTrailer appends the trailer of a gzip member whose content had
// the CRC-32 crc and size bytes.
func gzipTrailer(out []byte, crc uint32, size int) []byte {
	out = binary.LittleEndian.AppendUint32(out, crc)
	return binary.LittleEndian.AppendUint32(out, uint32(size))
}

// Gzipped compresses body for a copy that is sent many times: once, at
// the fastest level. Copies are made again after every booking, so their
// compression is on the write path: for the booking page, level 1 takes
// 37 µs against level 5's 161 µs for a body 12% larger (5.6 against
// 5.1 KB), and its compressor holds a fraction of the memory. A body
// under 1 KB is not worth it (nil), as for responses compressed on the
// fly.
func Gzipped(body []byte) []byte {
	if len(body) < 1024 {
		return nil
	}
	buf := bytes.NewBuffer(make([]byte, 0, len(body)/3))
	buf.Write(gzipHeader)
	zw := deflaters.get()
	zw.Reset(buf)
	_, _ = zw.Write(body)
	_ = zw.Close()
	deflaters.putBack(zw)
	return gzipTrailer(buf.Bytes(), crc32.ChecksumIEEE(body), len(body))
}

// compressors hands out at most cap(free) compressors, made when first
// needed and kept.
type compressors struct {
	free chan *flate.Writer
	made atomic.Int64
	new  func() *flate.Writer
}

func newCompressors(n int, newW func() *flate.Writer) *compressors {
	return &compressors{free: make(chan *flate.Writer, max(n, 1)), new: newW}
}

// get returns a free compressor, waiting for one when all are in use.
// For work that only computes: it holds the compressor briefly.
func (c *compressors) get() *flate.Writer {
	if w, ok := c.tryGet(); ok {
		return w
	}
	return <-c.free
}

// tryGet returns a free compressor, or ok false when all are in use.
func (c *compressors) tryGet() (*flate.Writer, bool) {
	select {
	case w := <-c.free:
		return w, true
	default:
	}
	if c.made.Add(1) <= int64(cap(c.free)) {
		return c.new(), true
	}
	c.made.Add(-1)
	return nil, false
}

// putBack gives back a compressor get or tryGet returned, holding no
// reference to what it wrote to.
func (c *compressors) putBack(w *flate.Writer) {
	w.Reset(io.Discard)
	c.free <- w
}

// responseGzip is the compressing middleware's gzip: with the kept
// compressor when it is free, else a stateless one, which holds nothing
// between writes. A response holds its compressor while the client
// reads it, so a slow client must not keep others waiting for it.
var responseGzip = writer.GzipWriterFactory{
	Levels: func() (int, int) { return gzip.StatelessCompression, gzip.BestCompression },
	New: func(w io.Writer, _ int) writer.GzipWriter {
		if zw, ok := deflaters.tryGet(); ok {
			zw.Reset(w)
			return &keptGzip{w: w, zw: zw}
		}
		zw, _ := gzip.NewWriterLevel(w, gzip.StatelessCompression)
		return zw
	},
}

// keptGzip writes a gzip member with the kept compressor, and gives it
// back when closed.
type keptGzip struct {
	w       io.Writer
	zw      *flate.Writer
	crc     uint32
	size    int
	started bool
}

func (k *keptGzip) start() error {
	if k.started {
		return nil
	}
	k.started = true
	_, err := k.w.Write(gzipHeader)
	return err
}

func (k *keptGzip) Write(p []byte) (int, error) {
	if k.zw == nil {
		return 0, io.ErrClosedPipe
	}
	if err := k.start(); err != nil {
		return 0, err
	}
	k.crc = crc32.Update(k.crc, crc32.IEEETable, p)
	k.size += len(p)
	return k.zw.Write(p)
}

func (k *keptGzip) Flush() error {
	if k.zw == nil {
		return nil
	}
	if err := k.start(); err != nil {
		return err
	}
	return k.zw.Flush()
}

func (k *keptGzip) Close() error {
	if k.zw == nil {
		return nil // closed already
	}
	err := k.start()
	if err == nil {
		err = k.zw.Close()
	}
	deflaters.putBack(k.zw)
	k.zw = nil
	if err != nil {
		return err
	}
	_, err = k.w.Write(gzipTrailer(nil, k.crc, k.size))
	return err
}
