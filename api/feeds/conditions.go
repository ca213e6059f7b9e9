package feeds

import (
	"net/http"
	"strings"
	"time"
)

// feedSettle is how old the last change must be before a feed sends
// Last-Modified. HTTP dates have whole seconds, and a transaction may
// commit a little after the time it stamped: a change landing in the same
// second as the date a client already holds would be missed by
// If-Modified-Since. Until the data has settled, only the entity tag,
// which sees every change, validates.
const feedSettle = 5 * time.Second

// lastModified returns the Last-Modified date for content last changed
// at stamp, and false while the change is too recent to date safely.
func lastModified(stamp, now time.Time) (time.Time, bool) {
	if now.Sub(stamp) < feedSettle {
		return time.Time{}, false
	}
	return stamp.UTC().Truncate(time.Second), true
}

// conditions are a GET's validators (RFC 9110 §13.1).
type conditions struct {
	noneMatch bool     // If-None-Match is present; If-Modified-Since is then ignored
	anyTag    bool     // If-None-Match: *
	tags      []string // its entity tags, quoted, without W/
	since     time.Time
	hasSince  bool
}

// readConditions reads the validators of r; a date that does not parse
// counts as absent.
func readConditions(r *http.Request) conditions {
	var c conditions
	if vs := r.Header.Values("If-None-Match"); len(vs) > 0 {
		c.noneMatch = true
		for _, v := range vs {
			c.tags = append(c.tags, entityTags(v, &c.anyTag)...)
		}
	}
	if v := r.Header.Get("If-Modified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil {
			c.since, c.hasSince = t, true
		}
	}
	return c
}

// entityTags splits an If-None-Match value into its tags. W/ is dropped,
// since If-None-Match compares weakly; a malformed remainder is ignored.
func entityTags(v string, star *bool) []string {
	var tags []string
	for {
		v = strings.TrimLeft(v, " \t,")
		if v == "" {
			return tags
		}
		if v[0] == '*' {
			*star = true
			v = v[1:]
			continue
		}
		v = strings.TrimPrefix(v, "W/")
		if v == "" || v[0] != '"' {
			return tags
		}
		end := strings.IndexByte(v[1:], '"')
		if end < 0 {
			return tags
		}
		tags = append(tags, v[:end+2])
		v = v[end+2:]
	}
}

// matchTag returns the first tag the client holds for which current
// reports true.
func (c conditions) matchTag(current func(tag string) bool) (string, bool) {
	for _, t := range c.tags {
		if current(t) {
			return t, true
		}
	}
	return "", false
}

// notModifiedSince reports whether If-Modified-Since, when it decides the
// request, shows the client has content last changed at stamp.
func (c conditions) notModifiedSince(stamp, now time.Time) bool {
	if c.noneMatch || !c.hasSince {
		return false
	}
	lm, ok := lastModified(stamp, now)
	return ok && !lm.After(c.since)
}
