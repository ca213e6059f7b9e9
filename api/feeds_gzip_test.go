package api_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"consult/calendar/icaltest"
)

// gunzip decompresses a gzipped body, failing the test on any error.
func gunzip(t testing.TB, body []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	return plain
}

// varies reports whether a response says it varies by Accept-Encoding.
func varies(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		for _, name := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(name), "Accept-Encoding") {
				return true
			}
		}
	}
	return false
}

// TestFeedsGzipWhenAsked expects both feeds to come gzipped to clients
// that take gzip, as the same content (read by go-ical and ical.js alike)
// under a strong tag of its own, and as is to every other client; every
// answer varies by Accept-Encoding, and HEAD answers what GET does.
func TestFeedsGzipWhenAsked(t *testing.T) {
	f := newFeedTest(t)
	f.book(f.slots(wednesday)[0], "Ada Lovelace")
	for _, path := range []string{availabilityPath, f.private} {
		plain := f.get(path)
		if enc := plain.Header.Get("Content-Encoding"); enc != "" || !varies(plain.Header) {
			t.Errorf("%s without Accept-Encoding: Content-Encoding %q, Vary %q", path, enc, plain.Header.Values("Vary"))
		}
		zipped, _ := f.fetch("GET", path, map[string]string{"Accept-Encoding": "gzip"})
		if zipped.Status != http.StatusOK || zipped.Header.Get("Content-Encoding") != "gzip" || !varies(zipped.Header) {
			t.Fatalf("%s, Accept-Encoding: gzip: %d, Content-Encoding %q, Vary %q", path, zipped.Status,
				zipped.Header.Get("Content-Encoding"), zipped.Header.Values("Vary"))
		}
		if got := gunzip(t, zipped.Body); !bytes.Equal(got, plain.Body) {
			t.Fatalf("%s: the gzipped feed is not the feed (%d bytes, want %d)", path, len(got), len(plain.Body))
		}
		if cl := zipped.Header.Get("Content-Length"); cl != strconv.Itoa(len(zipped.Body)) || len(zipped.Body) >= len(plain.Body) {
			t.Errorf("%s: gzipped Content-Length %s for %d bytes; %d bytes as is", path, cl, len(zipped.Body), len(plain.Body))
		}
		t.Logf("%s: %d bytes, %d gzipped", path, len(plain.Body), len(zipped.Body))
		tag, gzTag := plain.Header.Get("ETag"), zipped.Header.Get("ETag")
		if gzTag == tag || !strings.HasPrefix(gzTag, `"`) || !strings.HasSuffix(gzTag, `"`) {
			t.Fatalf("%s: ETags %s as is and %s gzipped; want two strong tags", path, tag, gzTag)
		}
		if ct := zipped.Header.Get("Content-Type"); ct != plain.Header.Get("Content-Type") {
			t.Errorf("%s: gzipped Content-Type %q", path, ct)
		}

		// Who refuses gzip, or only names others, gets the feed as is.
		for _, accept := range []string{"gzip;q=0", "br, deflate", "identity", "*;q=0"} {
			r, _ := f.fetch("GET", path, map[string]string{"Accept-Encoding": accept})
			if r.Header.Get("Content-Encoding") != "" || !bytes.Equal(r.Body, plain.Body) || r.Header.Get("ETag") != tag || !varies(r.Header) {
				t.Errorf("%s, Accept-Encoding %q: Content-Encoding %q, ETag %s; want the feed as is under %s",
					path, accept, r.Header.Get("Content-Encoding"), r.Header.Get("ETag"), tag)
			}
		}
		for _, accept := range []string{"br;q=1.0, gzip;q=0.8", "*", "x-gzip"} {
			r, _ := f.fetch("GET", path, map[string]string{"Accept-Encoding": accept})
			if r.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(r.Body, zipped.Body) || r.Header.Get("ETag") != gzTag {
				t.Errorf("%s, Accept-Encoding %q: Content-Encoding %q, ETag %s; want the gzipped feed under %s",
					path, accept, r.Header.Get("Content-Encoding"), r.Header.Get("ETag"), gzTag)
			}
		}

		// HEAD answers the headers of GET, for either encoding.
		for _, get := range []response{plain, zipped} {
			header := map[string]string{"Accept-Encoding": get.Header.Get("Content-Encoding")}
			head, _ := f.fetch("HEAD", path, header)
			if head.Status != http.StatusOK || len(head.Body) != 0 {
				t.Fatalf("%s, HEAD %v: %d with %d bytes", path, header, head.Status, len(head.Body))
			}
			for _, k := range []string{"Content-Type", "Content-Encoding", "Content-Length", "ETag", "Last-Modified", "Cache-Control", "Vary"} {
				if got, want := head.Header.Values(k), get.Header.Values(k); !slices.Equal(got, want) {
					t.Errorf("%s, HEAD %v: %s %q, GET sends %q", path, header, k, got, want)
				}
			}
		}

		ical := icaltest.Check(t, map[string][]byte{"identity": plain.Body, "gzip": gunzip(t, zipped.Body)})
		if ical != nil {
			id, gz := ical["identity"], ical["gzip"]
			if len(id.Events) == 0 || len(gz.Events) != len(id.Events) || gz.CalName != id.CalName {
				t.Errorf("%s: ical.js read %d events (%q) as is, %d (%q) gzipped", path, len(id.Events), id.CalName,
					len(gz.Events), gz.CalName)
			}
		}
		if got, want := len(feedEvents(t, gunzip(t, zipped.Body))), len(feedEvents(t, plain.Body)); got != want || want == 0 {
			t.Errorf("%s: go-ical read %d events gzipped, %d as is", path, got, want)
		}
	}
}

// TestFeedsRevalidateEachEncoding expects each encoding's tag to
// revalidate to a 304 under that tag, at the cost of the version read
// alone (no slots computed, no feed built); the identity tag also to a
// client that now takes gzip, since it may use what it holds; but the
// gzip tag never to a client that does not take gzip.
func TestFeedsRevalidateEachEncoding(t *testing.T) {
	f := newFeedTest(t)
	f.book(f.slots(wednesday)[0], "Ada Lovelace")
	f.clock.Set(testNow.Add(time.Minute)) // let the booking settle for Last-Modified
	gz := map[string]string{"Accept-Encoding": "gzip"}
	for _, path := range []string{availabilityPath, f.private} {
		plain := f.get(path)
		zipped, _ := f.fetch("GET", path, gz)
		tag, gzTag, lm := plain.Header.Get("ETag"), zipped.Header.Get("ETag"), plain.Header.Get("Last-Modified")
		if zipped.Header.Get("Content-Encoding") != "gzip" || gzTag == tag || lm == "" {
			t.Fatalf("%s: Content-Encoding %q, tags %s and %s, Last-Modified %q", path,
				zipped.Header.Get("Content-Encoding"), tag, gzTag, lm)
		}
		with := func(h map[string]string, kv ...string) map[string]string {
			out := map[string]string{}
			for k, v := range h {
				out[k] = v
			}
			for i := 0; i < len(kv); i += 2 {
				out[kv[i]] = kv[i+1]
			}
			return out
		}
		for _, c := range []struct {
			name    string
			method  string
			header  map[string]string
			status  int
			wantTag string
		}{
			{"gzip tag, gzip", "GET", with(gz, "If-None-Match", gzTag), 304, gzTag},
			{"weak gzip tag, gzip", "GET", with(gz, "If-None-Match", "W/"+gzTag), 304, gzTag},
			{"both tags, gzip", "GET", with(gz, "If-None-Match", tag+", "+gzTag), 304, tag},
			{"HEAD, gzip tag, gzip", "HEAD", with(gz, "If-None-Match", gzTag), 304, gzTag},
			{"identity tag", "GET", map[string]string{"If-None-Match": tag}, 304, tag},
			{"identity tag, gzip", "GET", with(gz, "If-None-Match", tag), 304, tag},
			{"*, gzip", "GET", with(gz, "If-None-Match", "*"), 304, gzTag},
			{"If-Modified-Since, gzip", "GET", with(gz, "If-Modified-Since", lm), 304, gzTag},
			{"If-Modified-Since", "GET", map[string]string{"If-Modified-Since": lm}, 304, tag},
			{"gzip tag, no gzip", "GET", map[string]string{"If-None-Match": gzTag}, 200, tag},
			{"gzip tag, gzip;q=0", "GET", map[string]string{"If-None-Match": gzTag, "Accept-Encoding": "gzip;q=0"}, 200, tag},
			{"other tag, gzip", "GET", with(gz, "If-None-Match", `"other-gz"`), 200, gzTag},
		} {
			r, _ := f.fetch(c.method, path, c.header)
			if r.Status != c.status || r.Header.Get("ETag") != c.wantTag || !varies(r.Header) {
				t.Errorf("%s, %s: %d, ETag %s, Vary %q; want %d, %s, Accept-Encoding", path, c.name,
					r.Status, r.Header.Get("ETag"), r.Header.Values("Vary"), c.status, c.wantTag)
			}
			if c.status == 304 && (len(r.Body) != 0 || r.Header.Get("Content-Encoding") != "") {
				t.Errorf("%s, %s: 304 with %d bytes, Content-Encoding %q", path, c.name, len(r.Body), r.Header.Get("Content-Encoding"))
			}
			if c.status == 200 && c.wantTag == tag && !bytes.Equal(r.Body, plain.Body) {
				t.Errorf("%s, %s: not the feed as is", path, c.name)
			}
		}

		// A revalidation of the gzipped feed costs the version read at
		// most, and nothing while that read may still be used: no slots
		// are computed and no feed is built or compressed.
		f.clock.Add(2 * time.Second) // past the version's time to live
		for i, want := range map[string][]int64{availabilityPath: {1, 0}, f.private: {1, 1}}[path] {
			r, n := f.fetch("GET", path, with(gz, "If-None-Match", gzTag))
			if r.Status != http.StatusNotModified || n != want {
				t.Errorf("%s, revalidating the gzip tag (%d): %d after %d queries, want 304 after %d", path, i+1, r.Status, n, want)
			}
		}
	}
}

// BenchmarkAvailabilityFeedEncodings serves the open-slots feed of the
// default horizon and of 90 days, as is and gzipped, once built: bytes/feed
// is what goes over the wire, events what it holds once decompressed.
func BenchmarkAvailabilityFeedEncodings(b *testing.B) {
	for _, s := range []struct {
		name string
		f    *feedServer
	}{{"default", newFeedServer(b)}, {"90days", benchOpen(b)}} {
		for _, enc := range []string{"identity", "gzip"} {
			b.Run(s.name+"/"+enc, func(b *testing.B) {
				req := httptest.NewRequest("GET", availabilityPath, nil)
				req.Header.Set("Accept-Encoding", enc)
				serve := func() *httptest.ResponseRecorder {
					rec := httptest.NewRecorder()
					s.f.srv.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK || (rec.Header().Get("Content-Encoding") == "gzip") != (enc == "gzip") {
						b.Fatalf("%s: %d, Content-Encoding %q", enc, rec.Code, rec.Header().Get("Content-Encoding"))
					}
					return rec
				}
				rec := serve()
				size, body := rec.Body.Len(), rec.Body.Bytes()
				if enc == "gzip" {
					body = gunzip(b, body)
				}
				b.ReportAllocs()
				for b.Loop() {
					serve()
				}
				b.ReportMetric(float64(size), "bytes/feed")
				b.ReportMetric(float64(bytes.Count(body, []byte("BEGIN:VEVENT"))), "events")
			})
		}
	}
}
