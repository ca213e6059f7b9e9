package booking

import (
	"unicode"
	"unicode/utf8"
)

// Limits on what the practitioner types.
const (
	MaxSearchLen        = 100
	MaxCancelMessageLen = 1000
	MaxPractitionerNote = 5000
	MaxTokenNameLen     = 100
)

// PlainText reports whether s is text the admin area stores or searches
// for: valid UTF-8 without control characters, except line breaks and tabs
// when multiline. PostgreSQL refuses a NUL byte and invalid UTF-8 outright,
// so they must be caught here, at the field, not as a database error.
// U+FFFD counts as invalid too: it is what a JSON body's stray bytes
// decode to.
func PlainText(s string, multiline bool) bool {
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

// CheckSearch returns what is wrong with a bookings search, or "".
func CheckSearch(q string) string {
	switch {
	case !PlainText(q, false):
		return "Search with letters, digits and punctuation only."
	case utf8.RuneCountInString(q) > MaxSearchLen:
		return "Search for at most 100 characters."
	}
	return ""
}

// CheckCancelMessage returns what is wrong with a message to the client
// about a cancellation, or "".
func CheckCancelMessage(msg string) string {
	switch {
	case !PlainText(msg, true):
		return "Write the message with ordinary characters only."
	case utf8.RuneCountInString(msg) > MaxCancelMessageLen:
		return "Keep the message under 1000 characters."
	}
	return ""
}

// checkNote returns what is wrong with a practitioner's note, or "".
func checkNote(note string) string {
	switch {
	case !PlainText(note, true):
		return "Write the note with ordinary characters only."
	case utf8.RuneCountInString(note) > MaxPractitionerNote:
		return "Keep the note under 5000 characters."
	}
	return ""
}

// CheckClientEmail checks the address a client's data request is about.
// EINVALID (email).
func CheckClientEmail(email string) error {
	if !ValidEmail(email) {
		return FieldErrors{"email": "Enter the client's email address, like name@example.com."}.Err()
	}
	return nil
}
