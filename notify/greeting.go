package notify

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of a name used as a greeting.
const (
	maxGreetingRunes = 40
	maxGreetingWords = 4
)

// greetingName is the client's name as the emails greet them ("Hello
// Ada,") and address them in To, or "" when the name does not read as a
// person's name. Whoever books can type anyone's email address, so the
// name field is text a stranger sends to that inbox from the practice's
// own server: a "name" with a web address, digits or a sentence in it
// ("Visit evil.example now to claim your refund") is left out, and the
// email says just "Hello,".
func greetingName(name string) string {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || utf8.RuneCountInString(name) > maxGreetingRunes || len(strings.Fields(name)) > maxGreetingWords {
		return ""
	}
	runes := []rune(name)
	for i, r := range runes {
		switch {
		case unicode.IsLetter(r), unicode.Is(unicode.M, r), r == ' ', r == '-', r == '\'', r == '’':
		case r == '.':
			// An initial ("J. R. Ada") but not a web address ("evil.example").
			if i == 0 || !unicode.IsLetter(runes[i-1]) || (i+1 < len(runes) && runes[i+1] != ' ') {
				return ""
			}
		default:
			return ""
		}
	}
	return name
}
