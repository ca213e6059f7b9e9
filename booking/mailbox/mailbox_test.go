package mailbox_test

import (
	"testing"

	"consult/booking/mailbox"
)

func TestOneInboxOneKey(t *testing.T) {
	same := [][]string{
		{"filler@example.org", "filler+1@example.org", "Filler+tag@EXAMPLE.org", "filler@example.org."},
		{"u.x@gmail.com", "ux@gmail.com", "U.X+promo@googlemail.com", "u.x@gmail.com"},
		{"paul@example.org", "p\u0430ul@example.org"}, // a Cyrillic а
		{"anna@example.org", "\uff41nna@example.org"}, // a full-width a, folded by NFKC
	}
	for _, group := range same {
		want := mailbox.Key(group[0])
		for _, e := range group[1:] {
			if got := mailbox.Key(e); got != want {
				t.Errorf("Key(%q) = %q, want %q as for %q", e, got, want, group[0])
			}
		}
	}
	different := [][2]string{
		{"u.x@example.org", "ux@example.org"}, // dots matter outside Gmail
		{"ada@example.org", "ada@example.com"},
		{"ada@example.org", "adb@example.org"},
	}
	for _, d := range different {
		if mailbox.Key(d[0]) == mailbox.Key(d[1]) {
			t.Errorf("%q and %q share a key", d[0], d[1])
		}
	}
}
