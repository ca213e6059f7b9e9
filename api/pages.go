package api

import (
	"bytes"
	"encoding/xml"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"consult/web"
)

// publicCache is how long browsers may keep the public pages: short, since
// the practice can rename itself or edit a page at any time.
const publicCache = "public, max-age=300"

// pageMeta is what the layout puts in <head>: title, meta description, Open
// Graph tags and the canonical URL.
type pageMeta struct {
	Title       string
	Description string
	// URL is the canonical absolute URL; empty for private pages, whose
	// URLs hold secrets.
	URL string
	// Path marks the current entry of the main navigation.
	Path string
	// NoIndex asks search engines to leave the page out.
	NoIndex bool
}

// page is what every public page template receives.
type page struct {
	Practice string
	Meta     pageMeta
}

// contentPage shows one Markdown page.
type contentPage struct {
	page
	HTML template.HTML
}

// content returns the Markdown page slug, if the site has one.
func (s *Server) content(slug string) (web.Page, bool) {
	if s.pages == nil {
		return web.Page{}, false
	}
	return s.pages.Page(slug)
}

// newPage returns the common page data; path is empty for private pages.
func (s *Server) newPage(c echo.Context, title, description, path string) page {
	return s.pageFor(s.svc.PracticeName(c.Request().Context()), title, description, path)
}

// pageFor is newPage for a handler that has read the settings already.
func (s *Server) pageFor(practice, title, description, path string) page {
	p := page{Practice: practice, Meta: pageMeta{Title: title, Description: description, Path: path}}
	if path == "" {
		p.Meta.NoIndex = true
	} else {
		p.Meta.URL = s.url(path)
	}
	return p
}

// render writes page template name with status. Templates render into a
// buffer first, so a template error becomes a clean 500 page.
func (s *Server) render(c echo.Context, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := s.web.Render(&buf, name, data); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	if h.Get(echo.HeaderCacheControl) == "" {
		h.Set(echo.HeaderCacheControl, "no-store")
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// contentRoutes are the Markdown pages served at /<slug>, with the home
// page at / as well; they are also what the sitemap lists.
var contentRoutes = []string{"how-ketamine-works", "clinical-research", "privacy"}

// handleHome serves the home page; it and the Markdown pages change only
// with the practice's name, so they are sent from copies (pages_cache.go).
func (s *Server) handleHome(c echo.Context) error {
	var body contentPage
	title, desc := "A free 20-minute consultation", "Book a free, no-obligation 20-minute consultation."
	if p, ok := s.content("home"); ok {
		title, desc, body.HTML = p.Title, p.Description, p.HTML
	}
	return s.servePage(c, "/", "home", func(practice string) any {
		body.page = s.pageFor(practice, title, desc, "/")
		return body
	})
}

// handleContent serves the Markdown page slug.
func (s *Server) handleContent(slug string) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, ok := s.content(slug)
		if !ok {
			return echo.ErrNotFound
		}
		return s.servePage(c, "/"+slug, "content", func(practice string) any {
			return contentPage{page: s.pageFor(practice, p.Title, p.Description, "/"+slug), HTML: p.HTML}
		})
	}
}

type sitemapURL struct {
	Loc string `xml:"loc"`
}

type sitemap struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	URLs    []sitemapURL `xml:"url"`
}

// handleSitemap lists the public pages; admin and manage pages are private.
func (s *Server) handleSitemap(c echo.Context) error {
	sm := sitemap{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	sm.URLs = append(sm.URLs, sitemapURL{s.url("/")})
	for _, slug := range contentRoutes {
		if _, ok := s.content(slug); ok {
			sm.URLs = append(sm.URLs, sitemapURL{s.url("/" + slug)})
		}
	}
	sm.URLs = append(sm.URLs, sitemapURL{s.url("/book")})
	out, err := xml.MarshalIndent(sm, "", "  ")
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, publicCache)
	return c.Blob(http.StatusOK, "application/xml; charset=utf-8", append([]byte(xml.Header), append(out, '\n')...))
}

// handleRobots keeps crawlers out of private and machine-facing paths.
// Manage pages also send noindex, as robots.txt alone does not stop a
// linked URL from being listed.
func (s *Server) handleRobots(c echo.Context) error {
	var b strings.Builder
	b.WriteString("User-agent: *\n")
	for _, p := range []string{"/admin", "/manage/", "/api/", "/calendar/"} {
		b.WriteString("Disallow: " + p + "\n")
	}
	b.WriteString("\nSitemap: " + s.url("/sitemap.xml") + "\n")
	c.Response().Header().Set(echo.HeaderCacheControl, publicCache)
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(b.String()))
}

// handleFavicon points browsers that ask for /favicon.ico by habit at the
// hashed icon.
func (s *Server) handleFavicon(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=86400")
	return c.Redirect(http.StatusMovedPermanently, s.web.AssetPath("favicon.svg"))
}
