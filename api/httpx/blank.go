package httpx

import (
	"bytes"
	"hash/crc32"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"
)

// Blank is a cached answer with one blank that every response fills
// anew, such as a form's fresh idempotency key in an otherwise shared
// page. The gzipped copy is compressed once, in two parts: the text
// before the blank ends on a sync flush (a byte boundary, no final
// block), the fill goes in as a stored block, and the text after it is a
// deflate stream of its own, ending the whole. DEFLATE allows blocks to
// be joined so, the second part only referring back within itself; the
// gzip trailer's CRC-32 is computed per response, a few microseconds for
// a page.
type Blank struct {
	before, after     []byte
	gzBefore, gzAfter []byte // nil: not worth compressing
	crcBefore         uint32
}

// NewBlank cuts body at its one occurrence of placeholder; ok is false
// when placeholder is not in body exactly once.
func NewBlank(body []byte, placeholder string) (b *Blank, ok bool) {
	i := bytes.Index(body, []byte(placeholder))
	if i < 0 || bytes.Contains(body[i+len(placeholder):], []byte(placeholder)) {
		return nil, false
	}
	b = &Blank{before: body[:i:i], after: body[i+len(placeholder):]}
	if len(body) < 1024 {
		return b, true // as Gzipped
	}
	var buf bytes.Buffer
	buf.Write(gzipHeader)
	zw := deflaters.get()
	defer deflaters.putBack(zw)
	zw.Reset(&buf)
	_, _ = zw.Write(b.before)
	_ = zw.Flush()
	b.gzBefore = slices.Clone(buf.Bytes())
	buf.Reset()
	zw.Reset(&buf)
	_, _ = zw.Write(b.after)
	_ = zw.Close()
	b.gzAfter = slices.Clone(buf.Bytes())
	b.crcBefore = crc32.ChecksumIEEE(b.before)
	return b, true
}

// Bytes returns the answer with fill in the blank, gzipped or not.
// fill must be shorter than 64 KB, one stored block.
func (b *Blank) Bytes(fill string, gzipped bool) []byte {
	var scratch blankScratch
	parts, n := b.parts(fill, gzipped, &scratch)
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// blankScratch holds the few bytes of a gzipped answer made for each
// response: the stored block's header and the gzip trailer.
type blankScratch [5 + 8]byte

// parts returns the answer with fill in the blank as the pieces to send
// in turn, and their total length. Sent piece by piece, the shared parts
// are not copied for every response: a copy of the booking page per view
// was a twelfth of make bench's mixed-load allocation.
func (b *Blank) parts(fill string, gzipped bool, scratch *blankScratch) (parts [5][]byte, n int) {
	if !gzipped || b.gzBefore == nil {
		parts = [5][]byte{b.before, []byte(fill), b.after}
		return parts, len(b.before) + len(fill) + len(b.after)
	}
	k := len(fill)
	// A stored block, not the last: BFINAL 0, BTYPE 00, then LEN and its
	// complement.
	head := append(scratch[:0], 0, byte(k), byte(k>>8), ^byte(k), ^byte(k>>8))
	crc := crc32.Update(crc32.Update(b.crcBefore, crc32.IEEETable, []byte(fill)), crc32.IEEETable, b.after)
	trailer := gzipTrailer(scratch[5:5], crc, len(b.before)+k+len(b.after))
	parts = [5][]byte{b.gzBefore, head, []byte(fill), b.gzAfter, trailer}
	return parts, len(b.gzBefore) + len(head) + k + len(b.gzAfter) + len(trailer)
}

// Write sends the answer with fill in the blank, as WriteCopy sends a
// copy: gzipped when the client takes it.
func (b *Blank) Write(c echo.Context, contentType, fill string) error {
	h := c.Response().Header()
	gz := b.gzBefore != nil && acceptsGzip(c.Request())
	if b.gzBefore != nil && !slices.Contains(h.Values("Vary"), "Accept-Encoding") {
		h.Add("Vary", "Accept-Encoding")
	}
	if gz {
		h.Set(echo.HeaderContentEncoding, "gzip")
	}
	var scratch blankScratch
	parts, n := b.parts(fill, gz, &scratch)
	h.Set(echo.HeaderContentLength, strconv.Itoa(n))
	h.Set(echo.HeaderContentType, contentType)
	w := c.Response()
	w.WriteHeader(http.StatusOK)
	for _, p := range parts {
		if len(p) == 0 {
			continue
		}
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	return nil
}
