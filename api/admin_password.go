package api

import (
	"context"
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

	"consult/booking"
)

// Password rules.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256 // bounds the work one sign-in attempt can cause
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

// CheckPasswordPolicy returns a message saying what is wrong with a new
// password, or "" when it is acceptable.
func CheckPasswordPolicy(pw, email string) string {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return fmt.Sprintf("Use at least %d characters.", MinPasswordLen)
	case len(pw) > MaxPasswordLen:
		return fmt.Sprintf("Use at most %d characters.", MaxPasswordLen)
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

// HashPassword returns the PHC-format argon2id hash of pw.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// errBadHash marks a stored hash this code cannot read.
var errBadHash = errors.New("api: unreadable password hash")

// CheckPassword reports whether pw matches the stored hash, in constant
// time. The parameters are read from the hash, so they can be raised later.
func CheckPassword(hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var mem, t uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &threads); err != nil || t == 0 || threads == 0 {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, errBadHash
	}
	if len(pw) > MaxPasswordLen {
		return false, nil
	}
	got := argon2.IDKey([]byte(pw), salt, t, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// maxPasswordChecks is how many argon2 computations may run at once. Each
// takes 64 MiB, so a burst of sign-ins must queue rather than exhaust
// memory; the queue is bounded by the request timeout.
const maxPasswordChecks = 2

// withPasswordSlot runs fn once one of the argon2 slots is free, or gives
// up when the request ends first.
func (s *Server) withPasswordSlot(ctx context.Context, fn func()) error {
	select {
	case s.passwordSlots <- struct{}{}:
	case <-ctx.Done():
		return booking.Errorf(booking.EUNAVAILABLE, "Too many sign-ins at once. Please try again in a moment.")
	}
	defer func() { <-s.passwordSlots }()
	fn()
	return nil
}

// checkPassword is CheckPassword within the server's argon2 slots.
func (s *Server) checkPassword(ctx context.Context, hash, pw string) (ok bool, err error) {
	if werr := s.withPasswordSlot(ctx, func() { ok, err = CheckPassword(hash, pw) }); werr != nil {
		return false, werr
	}
	return ok, err
}

// hashPassword is HashPassword within the server's argon2 slots.
func (s *Server) hashPassword(ctx context.Context, pw string) (hash string, err error) {
	if werr := s.withPasswordSlot(ctx, func() { hash, err = HashPassword(pw) }); werr != nil {
		return "", werr
	}
	return hash, err
}

// dummyHash is checked against when an email has no account, so a wrong
// email takes as long as a wrong password and timing reveals nothing.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not a real password, only for timing")
	return h
})

// GeneratePassword returns a strong random password (128 bits, base32),
// grouped in fours for reading and typing.
func GeneratePassword() string {
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

// NormalizeAdminEmail trims an account email and checks its shape.
func NormalizeAdminEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	if !booking.ValidEmail(email) {
		return "", booking.FieldErrors{"email": "Enter an email address like name@example.com."}.Err()
	}
	return email, nil
}
