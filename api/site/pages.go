package site

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

// page is what every public page template receives: the name the site
// goes by, the practice's profile and the page's own meta.
type page struct {
	Practice string
	Profile  practiceView
	Meta     pageMeta
	// Embed, on a page shown in another website's frame, drops the site's
	// header and footer and carries what the frame needs (embed.go).
	Embed *embedView
}

// contentPage shows one Markdown page.
type contentPage struct {
	page
	HTML template.HTML
	// Privacy adds who is responsible for the data and how to reach them.
	Privacy bool
}

// content returns the Markdown page slug, if the site has one.
func (h *Handler) content(slug string) (web.Page, bool) {
	if h.pages == nil {
		return web.Page{}, false
	}
	return h.pages.Page(slug)
}

// pageFor returns the data every page has, for the practice pv; path is
// empty for private pages.
func (h *Handler) pageFor(pv practiceView, title, description, path string) page {
	p := page{Practice: pv.Name, Profile: pv, Meta: pageMeta{Title: title, Description: description, Path: path}}
	if path == "" {
		p.Meta.NoIndex = true
	} else {
		p.Meta.URL = h.url(path)
	}
	return p
}

// render writes page template name with status. Templates render into a
// buffer first, so a template error becomes a clean 500 page.
func (h *Handler) render(c echo.Context, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := h.web.Render(&buf, name, data); err != nil {
		return err
	}
	hdr := c.Response().Header()
	hdr.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	if hdr.Get(echo.HeaderCacheControl) == "" {
		hdr.Set(echo.HeaderCacheControl, "no-store")
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// Home serves the home page; it and the Markdown pages change only
// with the practice's name, so they are sent from copies (cache.go).
func (h *Handler) Home(c echo.Context) error {
	var body contentPage
	title, desc := "A free 20-minute consultation", "Book a free, no-obligation 20-minute consultation."
	if p, ok := h.content(web.HomePage); ok {
		title, desc, body.HTML = p.Title, p.Description, p.HTML
	}
	return h.servePage(c, "/", "home", func(pv practiceView) any {
		body.page = h.pageFor(pv, title, desc, "/")
		return body
	})
}

// Content returns the handler of the Markdown page slug.
func (h *Handler) Content(slug string) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, ok := h.content(slug)
		if !ok {
			return echo.ErrNotFound
		}
		return h.servePage(c, "/"+slug, "content", func(pv practiceView) any {
			return contentPage{page: h.pageFor(pv, p.Title, p.Description, "/"+slug), HTML: p.HTML, Privacy: slug == "privacy"}
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

// Sitemap lists the public pages; admin and manage pages are private.
func (h *Handler) Sitemap(c echo.Context) error {
	sm := sitemap{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	sm.URLs = append(sm.URLs, sitemapURL{h.url("/")})
	for _, slug := range web.RoutedPages() {
		if _, ok := h.content(slug); ok {
			sm.URLs = append(sm.URLs, sitemapURL{h.url("/" + slug)})
		}
	}
	sm.URLs = append(sm.URLs, sitemapURL{h.url("/about")}, sitemapURL{h.url("/book")})
	out, err := xml.MarshalIndent(sm, "", "  ")
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, publicCache)
	return c.Blob(http.StatusOK, "application/xml; charset=utf-8", append([]byte(xml.Header), append(out, '\n')...))
}

// Robots keeps crawlers out of private and machine-facing paths.
// Manage pages also send noindex, as robots.txt alone does not stop a
// linked URL from being listed.
func (h *Handler) Robots(c echo.Context) error {
	var b strings.Builder
	b.WriteString("User-agent: *\n")
	for _, p := range []string{"/admin", "/manage/", "/api/", "/calendar/"} {
		b.WriteString("Disallow: " + p + "\n")
	}
	b.WriteString("\nSitemap: " + h.url("/sitemap.xml") + "\n")
	c.Response().Header().Set(echo.HeaderCacheControl, publicCache)
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(b.String()))
}

// Favicon points browsers that ask for /favicon.ico by habit at the
// hashed icon.
func (h *Handler) Favicon(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=86400")
	return c.Redirect(http.StatusMovedPermanently, h.web.AssetPath("favicon.svg"))
}
