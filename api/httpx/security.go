package httpx

import (
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"
)

// contentSecurityPolicy lets pages load only the binary's own files: no
// inline script or style, no third-party fonts, scripts or frames. The site
// loads nothing from elsewhere, so this costs nothing and blunts any
// injected markup.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// permissionsPolicy switches off browser features the site never uses, so
// that injected content could not ask for them either.
const permissionsPolicy = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), " +
	"microphone=(), payment=(), usb=(), browsing-topics=()"

// SecurityHeaders sets the headers every response carries. Referrer-Policy
// is no-referrer site-wide because manage URLs hold secrets and a visitor's
// reading of a therapy site is nobody else's business. HSTS is sent only
// when the site is served over https, since browsers would otherwise pin a
// local http setup to https.
//
// The values are built once and assigned under their canonical names: make
// bench counts this middleware on every request, and Header.Set would
// check each name and allocate each value anew. Every slice has room for
// its one value only, so a handler that adds to one gets a copy.
func SecurityHeaders(https bool) echo.MiddlewareFunc {
	headers := [][2]string{
		{"Content-Security-Policy", contentSecurityPolicy},
		{"X-Content-Type-Options", "nosniff"},
		{"Referrer-Policy", "no-referrer"},
		{"Permissions-Policy", permissionsPolicy},
		{"X-Frame-Options", "DENY"},
		{"Cross-Origin-Opener-Policy", "same-origin"},
	}
	if https {
		headers = append(headers, [2]string{"Strict-Transport-Security", "max-age=31536000"})
	}
	names := make([]string, len(headers))
	values := make([][]string, len(headers))
	for i, kv := range headers {
		names[i], values[i] = http.CanonicalHeaderKey(kv[0]), []string{kv[1]}
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			for i, name := range names {
				h[name] = values[i][:1:1]
			}
			return next(c)
		}
	}
}

// AllowFraming replaces, on this response, the policy that no page may be
// framed with one that lets origins frame it: frame-ancestors lists them,
// and X-Frame-Options, which cannot name origins, goes. With no origins
// framing stays refused. The origins are checked by the caller
// (booking.ParseEmbedOrigins): scheme, host and port only.
func AllowFraming(c echo.Context, origins []string) {
	if len(origins) == 0 {
		return
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", strings.Replace(contentSecurityPolicy, "frame-ancestors 'none'",
		"frame-ancestors "+strings.Join(origins, " "), 1))
	h.Del("X-Frame-Options")
}

// Compress gzips responses, with klauspost/compress's gzhttp wrapper at
// its fastest level. make bench measured Echo's gzip middleware taking a
// standard library writer (about 1.2 MB, pooled) for every request that
// accepts gzip, compressed or not, which lifted the server's peak memory
// by 30–70 MiB under 32 connections, and clearing its match tables at
// each reset. gzhttp takes a writer only once a body passes MinSize, and
// its writers are smaller and faster. zstd stays off: every response
// stays readable by any client that reads gzip, as before.
//
// It skips /metrics, whose handler negotiates compression itself, the
// calendar feeds, and range requests, whose byte offsets refer to the
// uncompressed file. A handler that sets Content-Encoding itself (the
// pre-compressed cached pages) passes through untouched.
func Compress() echo.MiddlewareFunc {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(1024), gzhttp.CompressionLevel(gzip.BestSpeed), gzhttp.EnableZstd(false),
		gzhttp.Implementation(responseGzip))
	if err != nil {
		panic(err) // the options are constants
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			r := c.Request()
			// Feeds carry a strong ETag for their exact bytes; a gzipped
			// body under the same tag would break that promise.
			if r.Header.Get("Range") != "" || strings.HasPrefix(r.URL.Path, "/metrics") ||
				strings.HasPrefix(r.URL.Path, "/calendar/") {
				return next(c)
			}
			res := c.Response()
			plain := res.Writer
			// The error handler runs after this middleware has returned
			// (logRequests calls it), so it writes to the plain writer,
			// as it did with Echo's middleware.
			defer func() { res.Writer = plain }()
			wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				res.Writer = w
				c.SetRequest(r)
				err = next(c)
			})).ServeHTTP(plain, r)
			return err
		}
	}
}

// SameOrigin refuses state-changing form posts sent from other sites (CSRF),
// using the browser's Sec-Fetch-Site and Origin headers; it needs no cookie,
// so booking stays cookie-free as the privacy notice promises.
func SameOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := crossOrigin.Check(c.Request()); err != nil {
			return echo.NewHTTPError(http.StatusForbidden, "This form must be sent from this website.")
		}
		return next(c)
	}
}

// crossOrigin holds no state beyond its (empty) lists of exceptions.
var crossOrigin = http.NewCrossOriginProtection()

// PrivatePage marks responses that show one client's booking: never stored
// by browsers or proxies, never indexed. The referrer is already withheld
// site-wide, which keeps the token in the URL from leaking through links.
func PrivatePage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set(echo.HeaderCacheControl, "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Robots-Tag", "noindex, nofollow")
		return next(c)
	}
}
