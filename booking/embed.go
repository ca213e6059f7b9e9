package booking

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// EmbedSettings say which websites may show the booking page in a frame,
// and in what accent colour.
type EmbedSettings struct {
	// Origins are the websites allowed to frame the page, each a scheme,
	// host and port ("https://practice.example"); none allows no framing.
	Origins []string
	// Accent is the colour of the framed page's buttons and links,
	// "#rrggbb", or "" for the site's own.
	Accent string
}

// MaxEmbedOrigins bounds the websites that may frame the booking page.
const MaxEmbedOrigins = 10

// EmbedStore keeps the embed settings.
type EmbedStore interface {
	EmbedSettings(ctx context.Context) (EmbedSettings, error)
	SaveEmbedSettings(ctx context.Context, es EmbedSettings, now time.Time) error
}

var accentPattern = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// ParseEmbedOrigins reads the origins the practitioner typed, one a line
// or separated by spaces or commas, as origins: an address with a path is
// cut to its origin, since framing is allowed per website.
func ParseEmbedOrigins(text string) ([]string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		u, err := url.Parse(f)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || strings.ContainsAny(u.Host, "*") {
			return nil, FieldErrors{"origins": fmt.Sprintf("%q is not a website address; write it like https://www.your-practice.com.", truncateRunes(f, 60))}.Err()
		}
		origin := strings.ToLower(u.Scheme + "://" + u.Host)
		if !slices.Contains(out, origin) {
			out = append(out, origin)
		}
	}
	if len(out) > MaxEmbedOrigins {
		return nil, FieldErrors{"origins": fmt.Sprintf("List at most %d websites.", MaxEmbedOrigins)}.Err()
	}
	return out, nil
}

// truncateRunes cuts s to n characters.
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// SaveEmbed replaces the embed settings. EINVALID (origins, accent).
func (a *Admin) SaveEmbed(ctx context.Context, who Actor, es EmbedSettings) error {
	es.Accent = strings.ToLower(strings.TrimSpace(es.Accent))
	if es.Accent != "" && !accentPattern.MatchString(es.Accent) {
		return FieldErrors{"accent": "Choose a colour, written like #2a6f6b."}.Err()
	}
	if len(es.Origins) > MaxEmbedOrigins {
		return FieldErrors{"origins": fmt.Sprintf("List at most %d websites.", MaxEmbedOrigins)}.Err()
	}
	if es.Origins == nil {
		es.Origins = []string{}
	}
	return a.change(ctx, who, "embed.settings", func(tx AdminStore, now time.Time) (string, error) {
		return "embed", tx.SaveEmbedSettings(ctx, es, now)
	})
}
