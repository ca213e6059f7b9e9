package calendar

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"consult/booking"

	"github.com/emersion/go-ical"
)

// unfold undoes folding as RFC 5545 §3.1 says: delete every CRLF that is
// followed by one space or tab, with that space or tab.
func unfold(s string) string {
	s = strings.ReplaceAll(s, "\r\n ", "")
	return strings.ReplaceAll(s, "\r\n\t", "")
}

// checkFolded checks each physical line of folded for length and, when
// the input was valid UTF-8, for UTF-8 validity, and that unfolding gives
// line back.
func checkFolded(t *testing.T, line, folded []byte) {
	t.Helper()
	for i, phys := range bytes.Split(folded, []byte("\r\n")) {
		if len(phys) > maxLine {
			t.Errorf("physical line %d has %d octets", i+1, len(phys))
		}
		if i > 0 && (len(phys) < 2 || phys[0] != ' ') {
			t.Errorf("continuation %d is not a space and at least one octet: %q", i+1, phys)
		}
		if utf8.Valid(line) && !utf8.Valid(phys) {
			t.Errorf("physical line %d splits a character: %q", i+1, phys)
		}
	}
	if got := unfold(string(folded)); got != string(line) {
		t.Errorf("unfold(fold(x)) = %q, want %q", got, line)
	}
}

func TestFoldLine(t *testing.T) {
	desc := strings.Repeat("Zoë Ægir Łukasz Ñandú 東京 ", 8)[:200]
	desc = strings.ToValidUTF8(desc, "")
	cases := map[string]string{
		"short":        "SUMMARY:hi",
		"exactly 75":   strings.Repeat("a", 75),
		"76":           strings.Repeat("a", 76),
		"75+74":        strings.Repeat("a", 75+74),
		"75+75":        strings.Repeat("a", 75+75),
		"non-ASCII":    "DESCRIPTION:" + desc,
		"4-byte runes": strings.Repeat("😀", 60),
		"emoji offset": "x" + strings.Repeat("😀", 60),
		"only invalid": strings.Repeat("\x80", 200),
		"space starts": strings.Repeat("a", 75) + " b",
	}
	for name, line := range cases {
		t.Run(name, func(t *testing.T) {
			folded := foldLine(nil, []byte(line))
			checkFolded(t, []byte(line), folded)
			if len(line) <= maxLine && string(folded) != line {
				t.Errorf("a line of %d octets was folded", len(line))
			}
		})
	}
}

// TestFoldDescription folds a 200-character non-ASCII DESCRIPTION end to end.
func TestFoldDescription(t *testing.T) {
	desc := strings.Repeat("Ünïcödé Łódź Ærøskøbing — ", 10)
	desc = string([]rune(desc)[:200])
	b := testBooking()
	b.Name = "Zoë"
	p := testPractice()
	p.Name = desc
	out, err := Invitation(p, b, manageURL, MethodRequest, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte("\r\n ")) {
		t.Fatalf("nothing was folded:\n%s", out)
	}
	ev := events(t, decode(t, out))[0] // decode checks every physical line
	if got := text(t, ev.Props, ical.PropDescription); !strings.Contains(got, desc) {
		t.Errorf("DESCRIPTION = %q, want it to hold the 200-character name", got)
	}
	if got := ev.Props.Get(ical.PropOrganizer).Params.Get(ical.ParamCommonName); got != desc {
		t.Errorf("organizer CN = %q, want %q", got, desc)
	}
}

// TestFoldWriterChunks checks the writer does not depend on how its input
// is split into writes.
func TestFoldWriterChunks(t *testing.T) {
	b := testBooking()
	b.Name = strings.Repeat("Zoë ", 30)
	out, err := BookingsFeed(testPractice(), []booking.Booking{b}, true, testNow)
	if err != nil {
		t.Fatal(err)
	}
	src := []byte(unfold(string(out)))
	for _, size := range []int{1, 2, 3, 7, 74, 75, 76, 1 << 20} {
		var buf bytes.Buffer
		fw := newFoldWriter(&buf)
		for rest := src; len(rest) > 0; {
			n := min(size, len(rest))
			if _, err := fw.Write(rest[:n]); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if err := fw.Flush(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), out) {
			t.Errorf("writes of %d bytes: output differs", size)
		}
	}
	var buf bytes.Buffer
	fw := newFoldWriter(&buf)
	fw.Write([]byte(strings.Repeat("a", 100)))
	fw.Flush()
	checkFolded(t, []byte(strings.Repeat("a", 100)), buf.Bytes())
}

func FuzzFold(f *testing.F) {
	f.Add("DESCRIPTION:" + strings.Repeat("Zoë ", 40))
	f.Add(strings.Repeat("😀", 40))
	f.Add(strings.Repeat("\xe2\x82", 60))
	f.Add(strings.Repeat("a", 149))
	f.Fuzz(func(t *testing.T, line string) {
		// Content lines hold no CR or LF: those end lines before folding.
		if strings.ContainsAny(line, "\r\n") {
			t.Skip()
		}
		checkFolded(t, []byte(line), foldLine(nil, []byte(line)))
	})
}
