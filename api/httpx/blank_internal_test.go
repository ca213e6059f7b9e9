package httpx

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

// Every fill of a blank reads back, through the standard library's gzip
// reader (which checks the CRC and length), as the page with the fill
// put in its place.
func TestBlankFillsReadBack(t *testing.T) {
	page := "<html><body>" + strings.Repeat("<p>Choose a time for a free consultation.</p>\n", 60) +
		`<input type="hidden" name="key" value="@@KEY@@">` + strings.Repeat("<li>Tuesday 2 December, 1:30 PM</li>\n", 80) + "</body></html>\n"
	b, ok := NewBlank([]byte(page), "@@KEY@@")
	if !ok {
		t.Fatal("placeholder not found")
	}
	for _, fill := range []string{"", "K", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", strings.Repeat("x", 300)} {
		want := strings.Replace(page, "@@KEY@@", fill, 1)
		if got := string(b.Bytes(fill, false)); got != want {
			t.Errorf("plain with %q differs", fill)
		}
		gz := b.Bytes(fill, true)
		if len(gz) >= len(want) {
			t.Errorf("gzipped %d bytes for a page of %d", len(gz), len(want))
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		zr.Multistream(false)
		got, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("fill %q: %v", fill, err)
		}
		if string(got) != want {
			t.Errorf("gzipped with %q reads back otherwise", fill)
		}
	}
	// Twice, or not at all: no blank.
	if _, ok := NewBlank([]byte("a @@KEY@@ b @@KEY@@"), "@@KEY@@"); ok {
		t.Error("a placeholder found twice made a blank")
	}
	if _, ok := NewBlank([]byte(page), "@@NONE@@"); ok {
		t.Error("a missing placeholder made a blank")
	}
	// A small page is sent as is, like any small copy.
	small, _ := NewBlank([]byte("<p>@@KEY@@</p>"), "@@KEY@@")
	if got := string(small.Bytes("k", true)); got != "<p>k</p>" {
		t.Errorf("small page %q", got)
	}
}
