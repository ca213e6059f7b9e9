// Package proof asks booking requests for a proof of work while the
// practice receives them at an abnormal rate: a client's browser finds a
// number whose SHA-256 with a salt we signed matches a given hash, which
// costs it a second or so and a script filling the calendar thousands of
// seconds. It needs no third party: the challenge and its check are ours,
// in the format of the ALTCHA widget (algorithm, challenge, salt,
// signature, maxnumber; the solution base64-encoded JSON with the number)
// so that widget could be used in place of the site's own script.
package proof

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the hash challenges use.
const Algorithm = "SHA-256"

// DefaultMaxNumber bounds the number to find: about a second of hashing in
// a browser on a phone, half of it on average.
const DefaultMaxNumber = 100_000

// challengeLifetime is how long a challenge can be answered.
const challengeLifetime = 10 * time.Minute

// ErrInvalid is the answer to a missing, wrong, expired or reused proof.
var ErrInvalid = errors.New("proof: the proof of work is missing or not valid")

// Challenge is what a client solves.
type Challenge struct {
	Algorithm string `json:"algorithm"`
	Challenge string `json:"challenge"`
	MaxNumber int    `json:"maxnumber"`
	Salt      string `json:"salt"`
	Signature string `json:"signature"`
}

// Solution is a solved challenge, as the client sends it (base64 JSON).
type Solution struct {
	Algorithm string `json:"algorithm"`
	Challenge string `json:"challenge"`
	Number    int    `json:"number"`
	Salt      string `json:"salt"`
	Signature string `json:"signature"`
}

// Store counts recent booking requests and remembers used challenges.
type Store interface {
	// BookingsSince counts the bookings (held ones included) made at or
	// after since.
	BookingsSince(ctx context.Context, since time.Time) (int, error)
	// UseProof records a challenge as answered until expires; false when
	// it was answered before.
	UseProof(ctx context.Context, challengeHash []byte, expires, now time.Time) (bool, error)
}

// Guard decides when a proof is required, hands out challenges and
// checks solutions.
type Guard struct {
	store     Store
	key       []byte
	now       func() time.Time
	perHour   int
	maxNumber int
}

// New returns a Guard that requires a proof while more than perHour
// bookings were made in the last hour (0: never), signing challenges
// with key.
func New(store Store, key []byte, perHour int, now func() time.Time) *Guard {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("consult proof of work"))
	return &Guard{store: store, key: mac.Sum(nil), now: now, perHour: perHour, maxNumber: DefaultMaxNumber}
}

// WithMaxNumber returns g with another bound on the number to find (tests
// use small ones).
func (g *Guard) WithMaxNumber(n int) *Guard {
	c := *g
	c.maxNumber = n
	return &c
}

// Required reports whether booking requests need a proof now.
func (g *Guard) Required(ctx context.Context) (bool, error) {
	if g == nil || g.perHour <= 0 {
		return false, nil
	}
	n, err := g.store.BookingsSince(ctx, g.now().Add(-time.Hour))
	if err != nil {
		return false, err
	}
	return n >= g.perHour, nil
}

// New returns a fresh challenge.
func (g *Guard) New() (Challenge, error) {
	raw := make([]byte, 12)
	if _, err := rand.Read(raw); err != nil {
		return Challenge{}, err
	}
	expires := g.now().Add(challengeLifetime).Unix()
	salt := hex.EncodeToString(raw) + "?expires=" + strconv.FormatInt(expires, 10)
	n, err := rand.Int(rand.Reader, big.NewInt(int64(g.maxNumber)+1))
	if err != nil {
		return Challenge{}, err
	}
	challenge := hashOf(salt, int(n.Int64()))
	return Challenge{Algorithm: Algorithm, Challenge: challenge, MaxNumber: g.maxNumber, Salt: salt,
		Signature: g.sign(challenge)}, nil
}

// Verify checks an encoded solution: ours, unexpired, right, and not
// used before (it is used up by this call).
func (g *Guard) Verify(ctx context.Context, encoded string) error {
	if encoded == "" || len(encoded) > 2000 {
		return ErrInvalid
	}
	data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil {
		return ErrInvalid
	}
	var s Solution
	if err := json.Unmarshal(data, &s); err != nil {
		return ErrInvalid
	}
	if s.Algorithm != Algorithm || !hmac.Equal([]byte(s.Signature), []byte(g.sign(s.Challenge))) {
		return ErrInvalid
	}
	expires, ok := saltExpiry(s.Salt)
	now := g.now()
	if !ok || !now.Before(expires) || s.Number < 0 || hashOf(s.Salt, s.Number) != s.Challenge {
		return ErrInvalid
	}
	sum := sha256.Sum256([]byte(s.Challenge))
	fresh, err := g.store.UseProof(ctx, sum[:], expires, now)
	if err != nil {
		return fmt.Errorf("proof: %w", err)
	}
	if !fresh {
		return ErrInvalid
	}
	return nil
}

func (g *Guard) sign(challenge string) string {
	mac := hmac.New(sha256.New, g.key)
	mac.Write([]byte(challenge))
	return hex.EncodeToString(mac.Sum(nil))
}

// hashOf is the challenge of salt and number: hex SHA-256 of the salt
// followed by the number in decimal.
func hashOf(salt string, number int) string {
	sum := sha256.Sum256([]byte(salt + strconv.Itoa(number)))
	return hex.EncodeToString(sum[:])
}

// saltExpiry reads the expires parameter a salt carries.
func saltExpiry(salt string) (time.Time, bool) {
	_, query, ok := strings.Cut(salt, "?")
	if !ok {
		return time.Time{}, false
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// Solve finds the number of a challenge by trying each in turn, as a
// browser does; for tests and API clients written in Go.
func Solve(c Challenge) (string, error) {
	for n := 0; n <= c.MaxNumber; n++ {
		if hashOf(c.Salt, n) == c.Challenge {
			data, err := json.Marshal(Solution{Algorithm: c.Algorithm, Challenge: c.Challenge, Number: n, Salt: c.Salt, Signature: c.Signature})
			if err != nil {
				return "", err
			}
			return base64.StdEncoding.EncodeToString(data), nil
		}
	}
	return "", errors.New("proof: no number solves the challenge")
}

// Check returns ErrInvalid when a proof is required now and solution is
// not a valid one, and nil when none is required or it is.
func (g *Guard) Check(ctx context.Context, solution string) error {
	required, err := g.Required(ctx)
	if err != nil || !required {
		return err
	}
	return g.Verify(ctx, solution)
}
