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
	if !gzipped || b.gzBefore == nil {
		out := make([]byte, 0, len(b.before)+len(fill)+len(b.after))
		return append(append(append(out, b.before...), fill...), b.after...)
	}
	n := len(fill)
	out := make([]byte, 0, len(b.gzBefore)+5+n+len(b.gzAfter)+8)
	out = append(out, b.gzBefore...)
	// A stored block, not the last: BFINAL 0, BTYPE 00, then LEN and its
	// complement.
	out = append(out, 0, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
	out = append(out, fill...)
	out = append(out, b.gzAfter...)
	crc := crc32.Update(crc32.Update(b.crcBefore, crc32.IEEETable, []byte(fill)), crc32.IEEETable, b.after)
	return gzipTrailer(out, crc, len(b.before)+n+len(b.after))
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
	body := b.Bytes(fill, gz)
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	return c.Blob(http.StatusOK, contentType, body)
}
