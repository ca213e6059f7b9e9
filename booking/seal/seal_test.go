package seal_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"testing"

	"consult/booking/seal"
)

func newKey(t *testing.T, b byte) *seal.Key {
	t.Helper()
	k, err := seal.NewKey(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpens(t *testing.T) {
	k := newKey(t, 1)
	ctx := []byte("purpose v1")
	a, b := k.Seal([]byte("token"), ctx), k.Seal([]byte("token"), ctx)
	if bytes.Equal(a, b) {
		t.Error("two seals of one value are equal: the nonce is not fresh")
	}
	for _, sealed := range [][]byte{a, b} {
		got, err := k.Open(sealed, ctx)
		if err != nil || string(got) != "token" {
			t.Errorf("Open = %q, %v; want \"token\"", got, err)
		}
	}
}

func TestOpenRefuses(t *testing.T) {
	k := newKey(t, 1)
	sealed := k.Seal([]byte("token"), []byte("purpose v1"))
	altered := bytes.Clone(sealed)
	altered[len(altered)-1] ^= 1
	for _, tc := range []struct {
		name    string
		key     *seal.Key
		sealed  []byte
		context string
	}{
		{"other key", newKey(t, 2), sealed, "purpose v1"},
		{"other context", k, sealed, "purpose v2"},
		{"no context", k, sealed, ""},
		{"altered", k, altered, "purpose v1"},
		{"truncated", k, sealed[:len(sealed)-1], "purpose v1"},
		{"only a nonce", k, sealed[:12], "purpose v1"},
		{"empty", k, nil, "purpose v1"},
	} {
		if got, err := tc.key.Open(tc.sealed, []byte(tc.context)); err == nil {
			t.Errorf("%s: opened as %q", tc.name, got)
		}
	}
}

func TestNewKeyRefusesBadLengths(t *testing.T) {
	for _, n := range []int{0, 15, 31, 33} {
		if _, err := seal.NewKey(make([]byte, n)); err == nil {
			t.Errorf("a %d-byte key was accepted", n)
		}
	}
}

// TestOpenReadsStoredLayout pins the layout values are stored in, nonce
// then ciphertext, so what was sealed before a release opens after it.
func TestOpenReadsStoredLayout(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	nonce := bytes.Repeat([]byte{9}, aead.NonceSize())
	stored := aead.Seal(bytes.Clone(nonce), nonce, []byte("token"), []byte("purpose v1"))
	got, err := newKey(t, 7).Open(stored, []byte("purpose v1"))
	if err != nil || string(got) != "token" {
		t.Errorf("Open = %q, %v; want \"token\"", got, err)
	}
}
