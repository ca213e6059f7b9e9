package booking

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"

	"consult/booking/seal"
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

// sealToken seals token for the idempotency record of a request.
func sealToken(idemKey string, requestHash []byte, token string) ([]byte, error) {
	k, err := seal.NewKey(sealKey(idemKey, requestHash))
	if err != nil {
		return nil, err
	}
	return k.Seal([]byte(token), nil), nil
}

// unsealToken opens what sealToken sealed for the same key and request.
func unsealToken(idemKey string, requestHash, sealed []byte) (string, error) {
	k, err := seal.NewKey(sealKey(idemKey, requestHash))
	if err != nil {
		return "", err
	}
	plain, err := k.Open(sealed, nil)
	if err != nil {
		return "", err
	}
	return string(plain), nil
}
