package api

import (
	"unicode"
	"unicode/utf8"
)

// Limits on what the admin area accepts as free text.
const (
	maxSearchLen = 100
)

// adminText reports whether s is text the admin area stores or searches
// for: valid UTF-8 without control characters, except line breaks and tabs
// when multiline. PostgreSQL refuses a NUL byte and invalid UTF-8 outright,
// so they must be caught here, at the field, not as a database error.
// U+FFFD counts as invalid too: it is what a JSON body's stray bytes
// decode to.
func adminText(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			if !multiline {
				return false
			}
		case unicode.IsControl(r) || r == utf8.RuneError:
			return false
		}
	}
	return true
}

// checkSearch returns what is wrong with a bookings search, or "".
func checkSearch(q string) string {
	switch {
	case !adminText(q, false):
		return "Search with letters, digits and punctuation only."
	case utf8.RuneCountInString(q) > maxSearchLen:
		return "Search for at most 100 characters."
	}
	return ""
}
