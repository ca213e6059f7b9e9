package feeds

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"

	"consult/api/httpx"
)

// The feeds compress themselves (the compressing middleware skips
// /calendar/): a strong entity tag promises exact bytes, so each encoding
// is a representation of its own, with a tag of its own. The gzip tag is
// the identity tag with gzipSuffix inside the quotes, so either tag still
// names the content's version and validity, and a revalidation can check
// it without building anything.
//
// If-None-Match matches a tag of the current content in either encoding
// that the request may be sent: a cache holding both variants sends both
// tags and is told by the 304's ETag which one to use (RFC 9111 §4.3.1,
// 4.3.4), so the 304 carries the tag that matched. The identity tag
// matches any request, since a client that takes gzip takes the feed as
// is too; the gzip tag only a request that takes gzip, or a cache would
// hand gzip to a client that refused it. A 304 decided by date or by "*"
// carries the tag a 200 would.
const gzipSuffix = "-gz"

// encodedTag returns the tag of the content tagged tag in the encoding
// chosen by gz; an untagged feed ("") stays untagged.
func encodedTag(tag string, gz bool) string {
	if tag == "" || !gz {
		return tag
	}
	return tag[:len(tag)-1] + gzipSuffix + `"`
}

// decodedTag splits a tag a client sent into the identity tag of its
// content and whether it names the gzipped copy.
func decodedTag(tag string) (string, bool) {
	if plain, ok := strings.CutSuffix(tag, gzipSuffix+`"`); ok {
		return plain + `"`, true
	}
	return tag, false
}

// matchEncodedTag returns the first tag the client holds that may be sent
// in answer to a request taking gzip or not (gz), and whose content's
// identity tag current accepts.
func (c conditions) matchEncodedTag(gz bool, current func(tag string) bool) (string, bool) {
	return c.matchTag(func(t string) bool {
		plain, zipped := decodedTag(t)
		return (gz || !zipped) && current(plain)
	})
}

// gzipFeed compresses a feed, once for each feed built. Every feed is
// compressed, however short, so the encoding, and with it the tag, follow
// from the request alone; 304s decided before any build depend on that.
// The output has no name and no time: the same feed gives the same bytes,
// as long as the compressor is the same (bump feedFormat with a new
// compressor if identical bytes across a deploy ever matter; the feeds
// serve no ranges, so today only the decoded content does).
func gzipFeed(body []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression) // a valid level
	_, _ = zw.Write(body)                                       // a bytes.Buffer does not fail
	_ = zw.Close()
	return buf.Bytes()
}

// varyEncoding marks an answer as chosen by Accept-Encoding; every feed
// answer carries it, 304s included, so caches keep the encodings apart.
func varyEncoding(c echo.Context) {
	h := c.Response().Header()
	if !slices.Contains(h.Values("Vary"), "Accept-Encoding") {
		h.Add("Vary", "Accept-Encoding")
	}
}

// acceptsGzip reports whether c's request takes gzip.
func acceptsGzip(c echo.Context) bool { return httpx.AcceptsGzip(c.Request()) }

// writeFeed sends a feed, gzipped (zipped) when gz, or only its headers
// for HEAD. A feed built while its data kept changing has no tag ("") and
// is sent without validators. Range is ignored: the whole feed is sent.
func writeFeed(c echo.Context, body, zipped []byte, gz bool, tag string, stamp, now time.Time) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/calendar; charset=utf-8")
	if gz {
		h.Set(echo.HeaderContentEncoding, "gzip")
		body = zipped
	}
	if tag != "" {
		h.Set("ETag", encodedTag(tag, gz))
		if lm, ok := lastModified(stamp, now); ok {
			h.Set(echo.HeaderLastModified, lm.Format(http.TimeFormat))
		}
	}
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	if c.Request().Method == http.MethodHead {
		return c.NoContent(http.StatusOK)
	}
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", body)
}

// notModified answers a successful revalidation.
func notModified(c echo.Context, tag string) error {
	if tag != "" {
		c.Response().Header().Set("ETag", tag)
	}
	return c.NoContent(http.StatusNotModified)
}
