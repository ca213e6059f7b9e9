package notify

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"consult/booking/seal"
)

// KeySize is the length of a mail key: AES-256.
const KeySize = 32

// sealContext binds sealed values to their use, so nothing else sealed
// with the same key can pass for a manage token.
var sealContext = []byte("consult manage token for email v1")

// Keyring seals manage tokens for the outbox and opens them when a message
// is sent. It seals with its first key and opens with any, so a key can be
// replaced while messages sealed with the old one are still queued.
// It implements booking.TokenSealer.
type Keyring struct {
	keys []*seal.Key
}

// NewKeyring returns a Keyring over keys, the first one sealing. Each key
// must be KeySize bytes.
func NewKeyring(keys ...[]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("notify: keyring needs a key")
	}
	k := &Keyring{}
	for i, key := range keys {
		if len(key) != KeySize {
			return nil, fmt.Errorf("notify: mail key %d is %d bytes, want %d", i+1, len(key), KeySize)
		}
		sk, err := seal.NewKey(key)
		if err != nil {
			return nil, fmt.Errorf("notify: mail key: %w", err)
		}
		k.keys = append(k.keys, sk)
	}
	return k, nil
}

// SealToken encrypts token with a fresh random nonce.
func (k *Keyring) SealToken(token string) ([]byte, error) {
	return k.keys[0].Seal([]byte(token), sealContext), nil
}

// OpenToken decrypts a value made by SealToken with any key of the ring.
func (k *Keyring) OpenToken(sealed []byte) (string, error) {
	for _, key := range k.keys {
		if plain, err := key.Open(sealed, sealContext); err == nil {
			return string(plain), nil
		}
	}
	return "", errors.New("notify: sealed token does not open with any mail key")
}

// secretContext binds sealed secrets to their use; secretPrefix marks a
// stored value as sealed, so values stored in the clear before still read.
var secretContext = []byte("consult stored secret v1")

const secretPrefix = "sealed:v1:"

// SealSecret implements booking.SecretSealer: the secret sealed with the
// ring's first key, as text to store.
func (k *Keyring) SealSecret(plain string) (string, error) {
	return secretPrefix + base64.RawStdEncoding.EncodeToString(k.keys[0].Seal([]byte(plain), secretContext)), nil
}

// OpenSecret implements booking.SecretSealer with any key of the ring. A
// value without the sealed prefix was stored before sealing began and is
// returned as it is.
func (k *Keyring) OpenSecret(stored string) (string, error) {
	rest, ok := strings.CutPrefix(stored, secretPrefix)
	if !ok {
		return stored, nil
	}
	raw, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil {
		return "", errors.New("notify: sealed secret is not base64")
	}
	for _, key := range k.keys {
		if plain, err := key.Open(raw, secretContext); err == nil {
			return string(plain), nil
		}
	}
	return "", errors.New("notify: sealed secret does not open with any mail key")
}

// ParseKey reads a mail key written as 64 hexadecimal digits or as base64
// (standard or URL alphabet, padded or not) of KeySize bytes, such as the
// output of `openssl rand -base64 32`.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == KeySize {
			return b, nil
		}
	}
	return nil, fmt.Errorf("must be %d random bytes as base64 or %d hex digits (for example the output of `openssl rand -base64 32`)", KeySize, 2*KeySize)
}
