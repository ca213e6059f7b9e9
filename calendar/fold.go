package calendar

import (
	"bytes"
	"io"
)

// maxLine is the longest physical line RFC 5545 §3.1 allows, in octets,
// not counting the CRLF. Outlook and some Android apps cut or reject
// longer lines, and go-ical writes each content line whole.
const maxLine = 75

// foldLine appends line (one content line without its CRLF) to dst, folded
// so that no physical line exceeds maxLine octets: each continuation is
// CRLF, one space, then at most maxLine-1 octets. A fold never falls inside
// a UTF-8 multi-byte sequence, because some readers decode each physical
// line on its own. Unfolding (deleting every CRLF followed by one space)
// gives line back exactly.
func foldLine(dst, line []byte) []byte {
	limit := maxLine
	for len(line) > limit {
		cut := limit
		// Back up to the start of the character that would be split.
		for cut > 0 && isContinuation(line[cut]) {
			cut--
		}
		// Only invalid UTF-8 has more than three continuation bytes in a
		// row; cut at the limit then, so the loop always makes progress.
		if cut == 0 {
			cut = limit
		}
		dst = append(dst, line[:cut]...)
		dst = append(dst, "\r\n "...)
		line = line[cut:]
		limit = maxLine - 1
	}
	return append(dst, line...)
}

// isContinuation reports whether c is a UTF-8 continuation byte (10xxxxxx).
func isContinuation(c byte) bool { return c&0xc0 == 0x80 }

// foldWriter folds the CRLF-terminated content lines written to it and
// passes them on to w. It holds back an unfinished line until its end
// arrives (or Flush), so it does not depend on how go-ical splits its writes.
type foldWriter struct {
	w       io.Writer
	pending []byte // the start of a line whose CRLF has not arrived yet
	out     []byte // reused output buffer
}

func newFoldWriter(w io.Writer) *foldWriter { return &foldWriter{w: w} }

// Write folds every complete line in p (with any pending start) and writes
// them out; it keeps the unfinished tail of p for the next call.
func (f *foldWriter) Write(p []byte) (int, error) {
	n := len(p)
	f.out = f.out[:0]
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			f.pending = append(f.pending, p...)
			break
		}
		line := p[:i+1]
		if len(f.pending) > 0 {
			f.pending = append(f.pending, line...)
			line = f.pending
		}
		f.out = foldLine(f.out, bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r")))
		f.out = append(f.out, "\r\n"...)
		f.pending = f.pending[:0]
		p = p[i+1:]
	}
	if len(f.out) == 0 {
		return n, nil
	}
	if _, err := f.w.Write(f.out); err != nil {
		return 0, err
	}
	return n, nil
}

// Flush writes a last line that did not end in CRLF, folded.
func (f *foldWriter) Flush() error {
	if len(f.pending) == 0 {
		return nil
	}
	out := foldLine(nil, f.pending)
	f.pending = f.pending[:0]
	_, err := f.w.Write(out)
	return err
}
