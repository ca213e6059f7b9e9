package calendar

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanText prepares free text (names, notes) for a TEXT value. Line breaks
// become LF, which go-ical escapes as \n; a bare CR would otherwise reach
// the output and make go-ical refuse the whole object. Other control
// characters, which RFC 5545 forbids in TEXT, are dropped.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if !strings.ContainsFunc(s, func(r rune) bool { return isControl(r) && r != '\n' && r != '\t' }) {
		return s // the common case: nothing to change, nothing to allocate
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\r':
			b.WriteByte('\n')
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case isControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// oneLine is cleanText for values shown on one line, such as SUMMARY:
// calendar apps show an escaped newline in a title as a break or as "\n".
func oneLine(s string) string {
	s = cleanText(s)
	if !strings.ContainsAny(s, "\n\t") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// cleanParam prepares text for a parameter value such as CN. go-ical
// neither rejects nor escapes CR and LF there, so a name holding
// "\r\nATTENDEE:…" would inject a line: line breaks and tabs become one
// space and other control characters are dropped. A DQUOTE cannot appear
// even in a quoted parameter value, so it becomes an apostrophe. A caret
// that RFC 6868 readers (ical.js, Apple) would take as an escape is doubled.
// go-ical quotes values holding ':', ';' or ','.
func cleanParam(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i, r := range s {
		switch {
		case r == '\r' || r == '\n' || r == '\t' || r == ' ':
			space = true
			continue
		case isControl(r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		switch r {
		case '"':
			b.WriteByte('\'')
		case '^':
			b.WriteByte('^')
			if next := s[i+1:]; next != "" && strings.ContainsRune("nN'^", rune(next[0])) {
				b.WriteByte('^')
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isControl reports C0 and C1 control characters and DEL, none of which a
// calendar object may carry outside the line structure.
func isControl(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r < 0xa0)
}

// Initials returns the initials of name's first and last words, such as
// "A. L." for "Ana-María López", for places where a full name would say too
// much (the bookings feed shows on shared screens and phones). A name of
// one word gives one initial; a name without letters gives "?".
func Initials(name string) string {
	var first, last string
	for _, w := range strings.Fields(name) {
		if ini := initial(w); ini != "" {
			if first == "" {
				first = ini
			} else {
				last = ini
			}
		}
	}
	switch {
	case first == "":
		return "?"
	case last == "":
		return first + "."
	default:
		return first + ". " + last + "."
	}
}

// initial returns the first letter of w in title case with the combining
// marks that follow it, so a decomposed "É" (E + U+0301) stays whole.
func initial(w string) string {
	for i, r := range w {
		if !unicode.IsLetter(r) {
			continue
		}
		var b strings.Builder
		b.WriteRune(unicode.ToTitle(r))
		rest := w[i+utf8.RuneLen(r):]
		for _, m := range rest {
			if !unicode.Is(unicode.Mn, m) {
				break
			}
			b.WriteRune(m)
		}
		return b.String()
	}
	return ""
}
