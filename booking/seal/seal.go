// Package seal encrypts the service's short secrets with AES-GCM: the
// manage tokens kept for idempotent replays and for the email outbox.
// A sealed value is the random nonce followed by the ciphertext, so it
// can be stored as one column and opened with nothing but the key.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
)

// Key seals and opens values with one AES key. It is safe for
// concurrent use.
type Key struct {
	aead cipher.AEAD
}

// NewKey returns a Key for key, which must be 16, 24 or 32 bytes
// (AES-128, -192 or -256).
func NewKey(key []byte) (*Key, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Key{aead: aead}, nil
}

// Seal encrypts plain under a fresh random nonce, bound to context: Open
// succeeds only with the same context, so a value sealed for one use
// cannot pass for another sealed with the same key. context may be nil.
func (k *Key) Seal(plain, context []byte) []byte {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plain)+k.aead.Overhead())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails on supported platforms
	return k.aead.Seal(nonce, nonce, plain, context)
}

// errShort is returned for a value too short to have been made by Seal.
var errShort = errors.New("seal: sealed value too short")

// Open decrypts a value made by Seal with this key and context. It fails
// for any other key or context, and for a value altered in any way.
func (k *Key) Open(sealed, context []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return nil, errShort
	}
	return k.aead.Open(nil, sealed[:n], sealed[n:], context)
}
