package fetch_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"consult/calendar/fetch"
)

const ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"

func serve(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func loopback(opts fetch.Options) *fetch.Fetcher {
	opts.AllowPrivate = true
	return fetch.New(opts)
}

func TestGetConditional(t *testing.T) {
	var sawETag, sawSince atomic.Value
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		sawETag.Store(r.Header.Get("If-None-Match"))
		sawSince.Store(r.Header.Get("If-Modified-Since"))
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Sat, 05 Dec 2026 10:00:00 GMT")
		_, _ = w.Write([]byte(ics))
	})
	f := loopback(fetch.Options{})
	got, err := f.Get(context.Background(), fetch.Request{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Body) != ics || got.ETag != `"v1"` || got.LastModified == "" || got.NotModified {
		t.Fatalf("first fetch = %+v", got)
	}
	again, err := f.Get(context.Background(), fetch.Request{URL: url, ETag: got.ETag, LastModified: got.LastModified})
	if err != nil {
		t.Fatal(err)
	}
	if !again.NotModified || again.Body != nil || again.ETag != `"v1"` {
		t.Fatalf("conditional fetch = %+v", again)
	}
	if sawETag.Load() != `"v1"` || sawSince.Load() != "Sat, 05 Dec 2026 10:00:00 GMT" {
		t.Errorf("validators sent: %v, %v", sawETag.Load(), sawSince.Load())
	}
}

func TestGetBasicAuth(t *testing.T) {
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "ana" || p != "app-pass" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(ics))
	})
	if _, err := loopback(fetch.Options{}).Get(context.Background(), fetch.Request{URL: url, Username: "ana", Password: "app-pass"}); err != nil {
		t.Fatal(err)
	}
	_, err := loopback(fetch.Options{}).Get(context.Background(), fetch.Request{URL: url})
	var se *fetch.StatusError
	if !errors.As(err, &se) || se.Code != 401 {
		t.Fatalf("without credentials: %v", err)
	}
}

// Every failure is one of the package's errors, and none quotes the URL.
func TestGetFailures(t *testing.T) {
	const secret = "s3cr3t-calendar-token"
	big := strings.Repeat("X", 1<<20)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		opts    fetch.Options
		want    error
		status  int
	}{
		{name: "server error", status: 500, handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}},
		{name: "50 MB body", want: fetch.ErrTooLarge, handler: func(w http.ResponseWriter, r *http.Request) {
			for range 50 {
				if _, err := w.Write([]byte(big)); err != nil {
					return
				}
			}
		}},
		{name: "redirect loop", want: fetch.ErrTooManyRedirects, handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
		}},
		{name: "redirect to another scheme", want: fetch.ErrScheme, handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		}},
		{name: "redirect to cloud metadata", want: fetch.ErrAddress, handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		}},
		{name: "slow drip", want: fetch.ErrTimeout, opts: fetch.Options{Timeout: 300 * time.Millisecond}, handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			for range 100 {
				if _, err := w.Write([]byte("BEGIN:VCALENDAR\r\n")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := serve(t, tt.handler) + "/" + secret + "/basic.ics"
			got, err := loopback(tt.opts).Get(context.Background(), fetch.Request{URL: url})
			if err == nil {
				t.Fatalf("fetched %d bytes, want an error", len(got.Body))
			}
			var se *fetch.StatusError
			switch {
			case tt.status != 0:
				if !errors.As(err, &se) || se.Code != tt.status {
					t.Errorf("err = %v, want status %d", err, tt.status)
				}
			case !errors.Is(err, tt.want):
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "127.0.0.1") {
				t.Errorf("error %q quotes the address", err)
			}
		})
	}
}

func TestGetRefusesPrivateAddresses(t *testing.T) {
	url := serve(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(ics)) })
	port := url[strings.LastIndex(url, ":"):]
	strict := fetch.New(fetch.Options{Timeout: 2 * time.Second})
	for _, u := range []string{
		url,                             // loopback literal
		"http://localhost" + port + "/", // a name that resolves to loopback: caught at dial time
		"http://[::ffff:127.0.0.1]" + port + "/",
		"http://10.0.0.1/cal.ics", // refused before any packet leaves
		"http://169.254.169.254/latest/meta-data/",
	} {
		if _, err := strict.Get(context.Background(), fetch.Request{URL: u}); !errors.Is(err, fetch.ErrAddress) {
			t.Errorf("%s: err = %v, want ErrAddress", u, err)
		}
	}
	// Allowing private addresses never allows link-local or metadata ones.
	lax := loopback(fetch.Options{Timeout: 2 * time.Second})
	for _, u := range []string{"http://169.254.169.254/", "http://[fe80::1]/", "http://[fd00:ec2::254]/", "http://0.0.0.0" + port + "/"} {
		if _, err := lax.Get(context.Background(), fetch.Request{URL: u}); !errors.Is(err, fetch.ErrAddress) {
			t.Errorf("allowing private, %s: err = %v, want ErrAddress", u, err)
		}
	}
	if _, err := lax.Get(context.Background(), fetch.Request{URL: url}); err != nil {
		t.Errorf("allowing private, loopback: %v", err)
	}
}

func TestAllowed(t *testing.T) {
	tests := []struct {
		addr        string
		public, lan bool // allowed without and with AllowPrivate
	}{
		{"93.184.215.14", true, true},
		{"2606:4700::1111", true, true},
		{"127.0.0.1", false, true},
		{"::1", false, true},
		{"192.168.1.20", false, true},
		{"172.20.0.5", false, true},
		{"fd12::5", false, true},
		{"::ffff:10.1.2.3", false, true},
		{"64:ff9b::a00:1", false, true}, // NAT64 of 10.0.0.1
		{"169.254.169.254", false, false},
		{"fe80::1", false, false},
		{"100.100.100.200", false, false},
		{"64:ff9b::a9fe:a9fe", false, false}, // NAT64 of 169.254.169.254
		{"2002:a9fe:a9fe::1", false, false},  // 6to4 of 169.254.169.254
		{"0.0.0.0", false, false},
		{"224.0.0.1", false, false},
	}
	for _, tt := range tests {
		a := netip.MustParseAddr(tt.addr)
		if got := fetch.Allowed(a, false); got != tt.public {
			t.Errorf("Allowed(%s, false) = %v", tt.addr, got)
		}
		if got := fetch.Allowed(a, true); got != tt.lan {
			t.Errorf("Allowed(%s, true) = %v", tt.addr, got)
		}
	}
}

func TestNormalizeURL(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"webcal://p01-calendars.icloud.com/published/2/abc", "https://p01-calendars.icloud.com/published/2/abc", nil},
		{"WEBCALS://example.org/a.ics", "https://example.org/a.ics", nil},
		{" https://calendar.google.com/calendar/ical/x/private-y/basic.ics ", "https://calendar.google.com/calendar/ical/x/private-y/basic.ics", nil},
		{"http://example.org/a.ics#frag", "http://example.org/a.ics", nil},
		{"ftp://example.org/a.ics", "", fetch.ErrScheme},
		{"file:///etc/passwd", "", fetch.ErrURL},
		{"javascript:alert(1)", "", fetch.ErrURL},
		{"https://user:pw@example.org/a.ics", "", fetch.ErrURL},
		{"not a url", "", fetch.ErrURL},
	}
	for _, tt := range tests {
		got, err := fetch.NormalizeURL(tt.in)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}
