package booking

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// tokenBytes is the entropy of manage tokens and other client secrets (128 bits).
const tokenBytes = 16

// NewToken returns a fresh random secret, URL-safe, and its hash for storage.
func NewToken() (token string, hash []byte) {
	b := make([]byte, tokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the value stored for a secret. A plain SHA-256 is
// enough: the secrets are 128-bit random, so there is nothing to brute-force.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// ValidTokenShape reports whether s could be a token made by NewToken, so
// malformed tokens are refused without a database round trip.
func ValidTokenShape(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// sealKey derives the key that seals a manage token for an idempotent
// replay: only a client holding the idempotency key can unseal it.
func sealKey(idemKey string, requestHash []byte) []byte {
	h := sha256.New()
	h.Write([]byte("consult idempotency seal\x00"))
	h.Write([]byte(idemKey))
	h.Write([]byte{0})
	h.Write(requestHash)
	return h.Sum(nil)
}

func sealToken(idemKey string, requestHash []byte, token string) ([]byte, error) {
	aead, err := newAEAD(sealKey(idemKey, requestHash))
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, []byte(token), nil), nil
}

func unsealToken(idemKey string, requestHash, sealed []byte) (string, error) {
	aead, err := newAEAD(sealKey(idemKey, requestHash))
	if err != nil {
		return "", err
	}
	if len(sealed) < aead.NonceSize() {
		return "", errors.New("sealed token too short")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], nil)
	if err != nil {
		return "", err
	}
	return string(plain), nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
