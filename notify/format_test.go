package notify_test

import (
	"bytes"
	"testing"

	"consult/notify"
)

func TestKeyringSealsOpensAndRotates(t *testing.T) {
	k1 := bytes.Repeat([]byte{1}, notify.KeySize)
	k2 := bytes.Repeat([]byte{2}, notify.KeySize)
	old, err := notify.NewKeyring(k1)
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := old.SealToken("t7YWrTZsCV8bK6qIRuHN8A")
	again, _ := old.SealToken("t7YWrTZsCV8bK6qIRuHN8A")
	if bytes.Equal(sealed, again) || bytes.Contains(sealed, []byte("t7YWrTZsCV8bK6qIRuHN8A")) {
		t.Fatal("sealing is deterministic or shows the token")
	}
	if got, err := old.OpenToken(sealed); err != nil || got != "t7YWrTZsCV8bK6qIRuHN8A" {
		t.Fatalf("open: %q, %v", got, err)
	}
	other, _ := notify.NewKeyring(k2)
	if _, err := other.OpenToken(sealed); err == nil {
		t.Fatal("another key opened the token")
	}
	rotated, _ := notify.NewKeyring(k2, k1)
	if got, err := rotated.OpenToken(sealed); err != nil || got != "t7YWrTZsCV8bK6qIRuHN8A" {
		t.Fatalf("the old key in a rotated ring: %q, %v", got, err)
	}
	if fresh, _ := rotated.SealToken("x"); fresh != nil {
		if _, err := old.OpenToken(fresh); err == nil {
			t.Fatal("a rotated ring sealed with its old key")
		}
	}
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	if _, err := old.OpenToken(tampered); err == nil {
		t.Fatal("a tampered token opened")
	}
	if _, err := notify.NewKeyring([]byte("short")); err == nil {
		t.Fatal("a short key was accepted")
	}
}

func TestParseKey(t *testing.T) {
	want := bytes.Repeat([]byte{0xab}, notify.KeySize)
	for _, s := range []string{
		"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=",
		"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s",
		" abababababababababababababababababababababababababababababababab\n",
	} {
		if got, err := notify.ParseKey(s); err != nil || !bytes.Equal(got, want) {
			t.Errorf("ParseKey(%q) = %x, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "secret", "q6urq6urq6urq6s=", "zz" + string(bytes.Repeat([]byte("ab"), 31))} {
		if _, err := notify.ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) accepted", s)
		}
	}
}
