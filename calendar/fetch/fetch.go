// Package fetch reads the calendars a practitioner links to: URLs they
// typed, so the server must not be turned against its own network. Only
// http and https are fetched (webcal is https); every address connected
// to, after each redirect and whatever DNS answers at that moment, is
// checked at dial time; a fetch has a deadline, a size cap and a bounded
// number of redirects. Errors never carry the URL, which for a secret
// calendar address is a credential.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults for Options left zero.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxBody      = 10 << 20 // larger than any real calendar of busy time
	DefaultMaxRedirects = 5
)

// Options configure a Fetcher.
type Options struct {
	// AllowPrivate allows loopback and private addresses (a Nextcloud on
	// the practice's network, or a test server). Link-local and cloud
	// metadata addresses are refused whatever it says.
	AllowPrivate bool
	Timeout      time.Duration // the whole fetch, body included
	MaxBody      int64         // bytes
	MaxRedirects int
}

// Fetcher fetches calendar URLs safely. It is safe for concurrent use.
type Fetcher struct {
	client  *http.Client
	maxBody int64
}

// New returns a Fetcher with opts.
func New(opts Options) *Fetcher {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.MaxRedirects <= 0 {
		opts.MaxRedirects = DefaultMaxRedirects
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: dialControl(opts.AllowPrivate)}
	transport := &http.Transport{
		// No proxy from the environment: the dial check must see the
		// address the request really goes to.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: opts.Timeout,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	max := opts.MaxRedirects
	client := &http.Client{
		Transport: transport,
		Timeout:   opts.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > max {
				return ErrTooManyRedirects
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return ErrScheme
			}
			return nil
		},
	}
	return &Fetcher{client: client, maxBody: opts.MaxBody}
}

// Client returns the fetcher's HTTP client, for protocols (CalDAV) that
// make their own requests: they get the same address checks, deadline and
// redirect bound. Their response bodies are not capped by it; use
// LimitBody.
func (f *Fetcher) Client() *http.Client { return f.client }

// MaxBody returns the body cap in bytes.
func (f *Fetcher) MaxBody() int64 { return f.maxBody }

// Errors a fetch can fail with; each message is safe to show and to log
// (no URL, no credential).
var (
	ErrScheme           = errors.New("only http, https and webcal addresses can be read")
	ErrURL              = errors.New("the address is not a valid URL")
	ErrAddress          = errors.New("the address points at a network the server may not reach")
	ErrTooManyRedirects = errors.New("the address redirects too many times")
	ErrTooLarge         = errors.New("the calendar is larger than the server reads")
	ErrTimeout          = errors.New("the calendar server did not answer in time")
	ErrConnect          = errors.New("the calendar server could not be reached")
)

// StatusError is an HTTP status other than 200 or 304.
type StatusError struct{ Code int }

func (e *StatusError) Error() string {
	return fmt.Sprintf("the calendar server answered %d %s", e.Code, http.StatusText(e.Code))
}

// NormalizeURL checks raw as a calendar address and returns it with
// webcal(s) written as https. A URL carrying a user or password is
// refused: credentials go in their own fields, sealed.
func NormalizeURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", ErrURL
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		u.Scheme = strings.ToLower(u.Scheme)
	case "webcal", "webcals":
		u.Scheme = "https"
	default:
		return "", ErrScheme
	}
	if u.User != nil {
		return "", ErrURL
	}
	u.Fragment = ""
	return u.String(), nil
}

// Request is one fetch: the URL, the validators of the copy held (to be
// answered 304 when unchanged) and optional basic-auth credentials.
type Request struct {
	URL                string
	ETag, LastModified string
	Username, Password string
}

// Result is a fetch's answer. NotModified means the copy held is current
// and Body is nil.
type Result struct {
	Body               []byte
	ETag, LastModified string
	NotModified        bool
}

// Get fetches r.URL.
func (f *Fetcher) Get(ctx context.Context, r Request) (*Result, error) {
	u, err := NormalizeURL(r.URL)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, ErrURL
	}
	req.Header.Set("Accept", "text/calendar, */*;q=0.5")
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}
	if r.Username != "" || r.Password != "" {
		req.SetBasicAuth(r.Username, r.Password)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, Safe(err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		return &Result{NotModified: true, ETag: r.ETag, LastModified: r.LastModified}, nil
	case http.StatusOK:
	default:
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		return nil, &StatusError{Code: resp.StatusCode}
	}
	body, err := ReadLimited(resp.Body, f.maxBody)
	if err != nil {
		return nil, err
	}
	return &Result{Body: body, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}, nil
}

// ReadLimited reads all of r, or fails with ErrTooLarge past max bytes.
func ReadLimited(r io.Reader, max int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, Safe(err)
	}
	if int64(len(body)) > max {
		return nil, ErrTooLarge
	}
	return body, nil
}

// Safe maps an error of a fetch to one of this package's, whose messages
// carry no URL (net/http's *url.Error quotes the whole address).
func Safe(err error) error {
	var se *StatusError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return se
	case errors.Is(err, errRefused):
		return ErrAddress
	case errors.Is(err, ErrTooManyRedirects):
		return ErrTooManyRedirects
	case errors.Is(err, ErrScheme):
		return ErrScheme
	case errors.Is(err, ErrTooLarge):
		return ErrTooLarge
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return ErrTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ErrTimeout
	}
	return ErrConnect
}
