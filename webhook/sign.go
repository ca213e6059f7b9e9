// Package webhook sends the practice's booking events to the endpoints
// the practitioner added, signed as the Standard Webhooks specification
// describes, from the queue the booking changes fill in the same
// transaction. Delivery is at least once: a receiver de-duplicates by the
// webhook-id header, which stays the same on every retry.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Sign returns the webhook-signature header value of body sent as msgID
// at ts with secret ("whsec_" and base64): "v1," and the base64 HMAC-SHA256
// of "msgID.timestamp.body" under the secret's bytes.
func Sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) == 0 {
		return "", errors.New("webhook: the secret is not whsec_ and base64")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}
