// Package mailbox tells when two email addresses reach the same person's
// inbox, so that the limits on free consultations count people, not
// spellings: "u+x@example.org", "U@example.org" and a look-alike written
// with Cyrillic letters are one client.
//
// The rules, applied in this order:
//   - Unicode NFKC, then lower case, for the whole address;
//   - the domain loses a trailing dot, and googlemail.com is gmail.com;
//   - the local part loses everything from the first "+" (sub-addressing,
//     which most providers deliver to the same inbox);
//   - at gmail.com the local part loses its dots, which Gmail ignores;
//   - the local part is reduced to its confusable skeleton (Unicode
//     UTS #39), so letters that look alike count as the same letter.
//
// The result is an identity for counting, never an address to write to.
package mailbox

import (
	"strings"

	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
)

// Key is the identity of the inbox email reaches. Addresses without an
// "@" are returned normalised as a whole; validation is the caller's.
func Key(email string) string {
	s := strings.ToLower(norm.NFKC.String(strings.TrimSpace(email)))
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return s
	}
	local, domain := s[:at], strings.TrimSuffix(s[at+1:], ".")
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if plus := strings.IndexByte(local, '+'); plus > 0 {
		local = local[:plus]
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	local = strings.ToLower(confusables.Skeleton(local))
	return local + "@" + domain
}
