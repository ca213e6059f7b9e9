package api_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

const wantCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

var (
	h1RE      = regexp.MustCompile(`<h1[ >]`)
	assetRE   = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)
	foreignRE = regexp.MustCompile(`<(?:script|img|iframe)[^>]+src="(?:https?:)?//|<link rel="(?:stylesheet|icon|preload|modulepreload)"[^>]+href="(?:https?:)?//`)
)

func TestPublicPages(t *testing.T) {
	site := newTestSite(t)
	for _, tc := range []struct {
		path, title, cache string
		want               []string
	}{
		{"/", "Ketamine-Assisted Psychotherapy – Harbour Therapy", "public, max-age=300",
			[]string{`href="/book"`, "Book a free consultation", `href="/how-ketamine-works"`, `href="/clinical-research"`, "20-minute"}},
		{"/how-ketamine-works", "How Ketamine Works – Harbour Therapy", "public, max-age=300",
			[]string{`href="#ref-1"`, `id="ref-1"`, `href="https://doi.org/`, "Ready to dive in?", `aria-current="page"`}},
		{"/clinical-research", "Clinical Research on Ketamine-Assisted Therapy – Harbour Therapy", "public, max-age=300",
			[]string{`href="#ref-5"`, `id="ref-5"`, `href="https://doi.org/`, `href="/book"`}},
		{"/privacy", "Privacy – Harbour Therapy", "public, max-age=300",
			[]string{"180 days", "deleted"}},
		{"/book", "Book a free consultation – Harbour Therapy", "no-store",
			[]string{`<form method="post" action="/book"`, `name="consent"`, "health details", `name="website"`, `name="key"`,
				"webcal://", "https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2F", `href="/calendar/availability.ics"`}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			p := site.get(tc.path)
			if p.Status != http.StatusOK {
				t.Fatalf("status %d", p.Status)
			}
			checkPageBasics(t, p)
			if !strings.Contains(p.Body, "<title>"+tc.title+"</title>") {
				t.Errorf("title is not %q", tc.title)
			}
			for _, meta := range []string{`<meta name="description" content="`, `<meta property="og:title" content="`,
				`<meta property="og:description" content="`, `<meta property="og:url" content="` + site.url + tc.path + `"`,
				`<link rel="canonical" href="` + site.url + tc.path + `"`} {
				if !strings.Contains(p.Body, meta) {
					t.Errorf("no %s", meta)
				}
			}
			if strings.Contains(p.Body, `content=""`) {
				t.Error("a meta tag is empty")
			}
			if got := p.Header.Get("Cache-Control"); got != tc.cache {
				t.Errorf("Cache-Control = %q, want %q", got, tc.cache)
			}
			for _, w := range tc.want {
				if !strings.Contains(p.Body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if total := site.pageWeight(p); total > 100<<10 {
				t.Errorf("HTML+CSS+JS is %d bytes, want under 100 KB", total)
			}
		})
	}
}

// checkPageBasics checks what every HTML page must have: one h1, the
// security headers and nothing loaded from other servers.
func checkPageBasics(t *testing.T, p fetched) {
	t.Helper()
	if ct := p.Header.Get("Content-Type"); ct != "text/html; charset=UTF-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if n := len(h1RE.FindAllString(p.Body, -1)); n != 1 {
		t.Errorf("%d h1 elements, want 1", n)
	}
	for k, want := range map[string]string{
		"Content-Security-Policy": wantCSP,
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"X-Frame-Options":         "DENY",
	} {
		if got := p.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(p.Header.Get("Permissions-Policy"), "camera=()") {
		t.Errorf("Permissions-Policy = %q", p.Header.Get("Permissions-Policy"))
	}
	if p.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent on a plain-http site")
	}
	if m := foreignRE.FindString(p.Body); m != "" {
		t.Errorf("page loads from another server: %s", m)
	}
	for _, bad := range []string{"<script>", " style=", "{{", "ZgotmplZ"} {
		if strings.Contains(p.Body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	if !strings.Contains(p.Body, `<a class="skip-link" href="#main">`) || !strings.Contains(p.Body, `<main id="main"`) {
		t.Error("no skip link to main")
	}
}

// pageWeight is the uncompressed size of the page and its static files.
func (s *testSite) pageWeight(p fetched) int {
	s.t.Helper()
	total := len(p.Body)
	for _, m := range assetRE.FindAllStringSubmatch(p.Body, -1) {
		a := s.get(m[1])
		if a.Status != http.StatusOK {
			s.t.Fatalf("GET %s: %d", m[1], a.Status)
		}
		if cc := a.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			s.t.Errorf("%s Cache-Control = %q", m[1], cc)
		}
		total += len(a.Body)
	}
	return total
}

func TestPagesAreCompressed(t *testing.T) {
	site := newTestSite(t)
	for _, path := range []string{"/", "/book"} {
		req, _ := http.NewRequest(http.MethodGet, site.url+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		// A transport of its own, so that Go does not unzip silently.
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: Content-Encoding = %q", path, resp.Header.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		body, err := io.ReadAll(zr)
		resp.Body.Close()
		if err != nil || !strings.Contains(string(body), "</html>") {
			t.Errorf("%s: body does not unzip to a page: %v", path, err)
		}
	}
}

func TestHSTSOnlyOverHTTPS(t *testing.T) {
	site := newTestSiteWith(t, siteOptions{baseURL: "https://harbour.example"})
	p := site.get("/")
	if got := p.Header.Get("Strict-Transport-Security"); got != "max-age=31536000" {
		t.Errorf("Strict-Transport-Security = %q", got)
	}
	if !strings.Contains(p.Body, `<link rel="canonical" href="https://harbour.example/">`) {
		t.Error("canonical URL does not use BASE_URL")
	}
}

func TestSitemapAndRobots(t *testing.T) {
	site := newTestSite(t)
	sm := site.get("/sitemap.xml")
	if sm.Status != 200 || !strings.HasPrefix(sm.Header.Get("Content-Type"), "application/xml") {
		t.Fatalf("sitemap: %d %s", sm.Status, sm.Header.Get("Content-Type"))
	}
	for _, path := range []string{"/", "/how-ketamine-works", "/clinical-research", "/privacy", "/book"} {
		if !strings.Contains(sm.Body, "<loc>"+site.url+path+"</loc>") {
			t.Errorf("sitemap lacks %s", path)
		}
	}
	for _, private := range []string{"/admin", "/manage", "/api/", "/calendar/"} {
		if strings.Contains(sm.Body, private) {
			t.Errorf("sitemap lists %s", private)
		}
	}
	rb := site.get("/robots.txt")
	if rb.Status != 200 || rb.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("robots: %d %s", rb.Status, rb.Header.Get("Content-Type"))
	}
	for _, want := range []string{"User-agent: *", "Disallow: /admin\n", "Disallow: /manage/\n", "Sitemap: " + site.url + "/sitemap.xml"} {
		if !strings.Contains(rb.Body, want) {
			t.Errorf("robots.txt lacks %q:\n%s", want, rb.Body)
		}
	}
}

func TestNotFoundPage(t *testing.T) {
	site := newTestSite(t)
	p := site.get("/no-such-page")
	if p.Status != http.StatusNotFound {
		t.Fatalf("status %d", p.Status)
	}
	checkPageBasics(t, p)
	for _, want := range []string{"<h1>Page not found</h1>", `class="site-header"`, `href="/book"`, `name="robots" content="noindex`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("404 page lacks %q", want)
		}
	}
	if p.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q", p.Header.Get("Cache-Control"))
	}
}

// TestErrorPagesNameThePractice expects every error page a visitor may
// meet to carry the practice's name, as the other pages do.
func TestErrorPagesNameThePractice(t *testing.T) {
	site := newTestSite(t)
	token := site.book(site.slotsOn(firstDay, "America/Los_Angeles")[0])
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/no-such-page", http.StatusNotFound},
		{"DELETE", "/book", http.StatusMethodNotAllowed},
		{"GET", "/manage/AAAAAAAAAAAAAAAAAAAAAA", http.StatusNotFound},
		{"GET", "/manage/" + token + "/no-such-page", http.StatusNotFound},
		{"PUT", "/manage/" + token + "/cancel", http.StatusNotFound},
	} {
		req, err := http.NewRequest(tc.method, site.url+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", "text/html")
		p := site.do(req)
		if p.Status != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, p.Status, tc.status)
		}
		for _, want := range []string{`<a href="/" class="brand">Harbour Therapy</a>`, `<p class="footer-name">Harbour Therapy</p>`, "– Harbour Therapy</title>"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("%s %s: the error page lacks %q", tc.method, tc.path, want)
			}
		}
		if strings.Contains(p.Body, "Consultations") {
			t.Errorf("%s %s: the error page names the fallback, not the practice", tc.method, tc.path)
		}
	}
}

func TestServerErrorPage(t *testing.T) {
	site := newTestSite(t)
	site.pool.Close() // the database is gone: every read fails
	p := site.get("/book")
	if p.Status != http.StatusInternalServerError {
		t.Fatalf("status %d", p.Status)
	}
	checkPageBasics(t, p)
	if !strings.Contains(p.Body, "<h1>Sorry, there is a problem on our side</h1>") || !strings.Contains(p.Body, `class="site-header"`) {
		t.Errorf("500 page is not in the site's style:\n%s", p.Body)
	}
	if strings.Contains(p.Body, "closed pool") || strings.Contains(p.Body, "pgx") {
		t.Error("500 page leaks the internal error")
	}
}

func TestFaviconRedirectsToHashedIcon(t *testing.T) {
	site := newTestSite(t)
	p := site.get("/favicon.ico")
	if p.Status != http.StatusMovedPermanently || !strings.HasPrefix(p.Header.Get("Location"), "/static/favicon.") {
		t.Fatalf("GET /favicon.ico: %d %q", p.Status, p.Header.Get("Location"))
	}
	if icon := site.get(p.Header.Get("Location")); icon.Status != 200 || icon.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("icon: %d %q", icon.Status, icon.Header.Get("Content-Type"))
	}
}

func TestHeadIsAnsweredLikeGet(t *testing.T) {
	s := newTestSite(t)
	for _, p := range []string{"/", "/book", "/privacy", "/api/v1/slots?from=2026-12-02&to=2026-12-02"} {
		req, _ := http.NewRequest(http.MethodHead, s.url+p, nil)
		got := s.do(req)
		if got.Status != 200 || len(got.Body) != 0 {
			t.Errorf("HEAD %s: %d with %d body bytes, want 200 and none", p, got.Status, len(got.Body))
		}
	}
}
