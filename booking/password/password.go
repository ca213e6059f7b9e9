// Package password is the practitioner's passwords: the policy a new one
// must pass, argon2id hashing and checking, generated passwords, and a
// Hasher that bounds how many hashes are computed at once. The admin
// area and the `consult admin` command share it.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password rules.
const (
	MinLen = 12
	MaxLen = 256 // bounds the work one sign-in attempt can cause
)

// argon2id parameters: 64 MiB and two passes, above OWASP's minimum
// (19 MiB, two passes) while a sign-in stays well under a second here.
const (
	argonTime    = 2
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
	argonSaltLen = 16
)

// commonPasswords are refused whatever their length: the ones attackers
// try first. Compared in lower case.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range strings.Fields(`
		123456789012 1234567890123 12345678901234 123456123456 password1234 password12345
		passwordpassword qwertyuiopas qwertyuiop12 qwerty123456 1q2w3e4r5t6y 1qaz2wsx3edc
		abcdefghijkl abc123abc123 iloveyou1234 letmein12345 welcome12345 administrator
		admin1234567 adminadmin12 changeme1234 trustno12345 football1234 baseball1234
		superman1234 sunshine1234 princess1234 dragon123456 monkey123456 starwars1234
		111111111111 000000000000 aaaaaaaaaaaa 121212121212 987654321098 passw0rd1234
		p@ssw0rd1234 p@ssword1234 correcthorsebatterystaple therapy12345 consultation
		ketamine1234 practice1234 password!234 qwertyqwerty asdfghjkl123
		zaq12wsxcde3 mypassword12 secretsecret 1234qwerasdf`) {
		m[strings.ToLower(p)] = true
	}
	return m
}()

// CheckPolicy returns a message saying what is wrong with a new
// password, or "" when it is acceptable.
func CheckPolicy(pw, email string) string {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinLen:
		return fmt.Sprintf("Use at least %d characters.", MinLen)
	case len(pw) > MaxLen:
		return fmt.Sprintf("Use at most %d characters.", MaxLen)
	case !utf8.ValidString(pw) || strings.ContainsFunc(pw, unicode.IsControl):
		return "Use letters, digits, spaces and punctuation only."
	case commonPasswords[strings.ToLower(pw)]:
		return "That password is too common; choose another."
	case email != "" && strings.Contains(strings.ToLower(pw), strings.ToLower(strings.SplitN(email, "@", 2)[0])) &&
		len(strings.SplitN(email, "@", 2)[0]) >= 4:
		return "Do not build the password from your email address."
	case strings.Count(pw, pw[:1]) == len(pw):
		return "Do not repeat one character."
	}
	return ""
}

// Hash returns the PHC-format argon2id hash of pw.
func Hash(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrBadHash marks a stored hash this code cannot read.
var ErrBadHash = errors.New("password: unreadable password hash")

// Verify reports whether pw matches the stored hash, in constant time.
// The parameters are read from the hash, so they can be raised later.
func Verify(hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	var version int
	var mem, t uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &threads); err != nil || t == 0 || threads == 0 {
		return false, ErrBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, ErrBadHash
	}
	if len(pw) > MaxLen {
		return false, nil
	}
	got := argon2.IDKey([]byte(pw), salt, t, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// DummyHash returns a hash to check against when an email has no
// account, so a wrong email takes as long as a wrong password and timing
// reveals nothing.
var DummyHash = sync.OnceValue(func() string {
	h, _ := Hash("not a real password, only for timing")
	return h
})

// Generate returns a strong random password (128 bits, base32), grouped
// in fours for reading and typing.
func Generate() string {
	t := rand.Text()
	var sb strings.Builder
	for i := 0; i < len(t); i += 4 {
		if i > 0 {
			sb.WriteByte('-')
		}
		sb.WriteString(t[i:min(i+4, len(t))])
	}
	return sb.String()
}
