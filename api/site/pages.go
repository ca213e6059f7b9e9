package site

import (
	"bytes"
	"encoding/xml"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"consult/web"
	"consult/web/i18n"
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
	// Lang is the language the page is written in.
	Lang     i18n.Lang
	Practice string
	Profile  practiceView
	Meta     pageMeta
	// Embed, on a page shown in another website's frame, drops the site's
	// header and footer and carries what the frame needs (embed.go).
	Embed *embedView
	// Langs is the language switch: this page in each language.
	// Alternates, on an indexed page, are its absolute addresses in each
	// language, for search engines.
	Langs      []LangLink
	Alternates []LangLink
}

// contentPage shows one Markdown page.
type contentPage struct {
	page
	HTML template.HTML
	// Privacy adds who is responsible for the data and how to reach them.
	Privacy bool
	// In is the language the Markdown is written in: when it is not the
	// page's, the page says so and marks the text with it.
	In i18n.Lang
}

// content returns the Markdown page slug in language l, if the site has
// one: its translation, else the default language's.
func (h *Handler) content(slug string, l i18n.Lang) (web.Page, bool) {
	if h.pages == nil {
		return web.Page{}, false
	}
	return h.pages.PageIn(slug, l)
}

// pageFor returns the data every page has, in language l, for the
// practice pv; path is empty for private pages. The language switch links
// to the request's own address (a form's page after a POST: the address
// that shows it by GET).
func (h *Handler) pageFor(c echo.Context, l i18n.Lang, pv practiceView, title, description, path string) page {
	pv = pv.in(l)
	p := page{Lang: l, Practice: pv.Name, Profile: pv, Meta: pageMeta{Title: title, Description: description, Path: path}}
	if path == "" {
		p.Meta.NoIndex = true
	} else {
		p.Meta.URL = h.url(path)
		p.Alternates = langLinks(p.Meta.URL, nil, l)
	}
	r := c.Request()
	at, q := r.URL.Path, r.URL.Query()
	if r.Method == http.MethodPost {
		// The form's fields are not the page's address; a form posted to
		// an address of its own goes back to the page it was sent from.
		at, q = strings.TrimSuffix(strings.TrimSuffix(at, "/reschedule"), "/confirm"), url.Values{}
		if embedOf(c) != nil && !strings.HasPrefix(at, "/embed/") {
			q.Set("embed", "1")
		}
	}
	p.Langs = langLinks(at, q, l)
	return p
}

// staticPageFor is pageFor for a page kept in copies (cache.go): the
// switch links to the route alone, whatever the request's query.
func (h *Handler) staticPageFor(l i18n.Lang, pv practiceView, title, description, path string) page {
	pv = pv.in(l)
	p := page{Lang: l, Practice: pv.Name, Profile: pv, Meta: pageMeta{Title: title, Description: description, Path: path, URL: h.url(path)}}
	p.Alternates = langLinks(p.Meta.URL, nil, l)
	p.Langs = langLinks(path, nil, l)
	return p
}

// render writes page template name with status. Templates render into a
// buffer first, so a template error becomes a clean 500 page.
func (h *Handler) render(c echo.Context, status int, name string, data any) error {
	h.lang(c) // Content-Language and Vary, when no handler has asked yet
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
	return h.servePage(c, "/", "home", func(pv practiceView, l i18n.Lang) any {
		body := contentPage{In: l}
		title, desc := i18n.MustT(l, "site.home.title"), i18n.MustT(l, "site.home.meta_description")
		if p, ok := h.content(web.HomePage, l); ok {
			title, desc, body.HTML, body.In = p.Title, p.Description, p.HTML, p.Lang
		}
		body.page = h.staticPageFor(l, pv, title, desc, "/")
		return body
	})
}

// Content returns the handler of the Markdown page slug.
func (h *Handler) Content(slug string) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := h.content(slug, i18n.Default); !ok {
			return echo.ErrNotFound
		}
		return h.servePage(c, "/"+slug, "content", func(pv practiceView, l i18n.Lang) any {
			p, _ := h.content(slug, l)
			return contentPage{page: h.staticPageFor(l, pv, p.Title, p.Description, "/"+slug), HTML: p.HTML, Privacy: slug == "privacy", In: p.Lang}
		})
	}
}

type sitemapURL struct {
	Loc string `xml:"loc"`
	// Alternates are the page in each language (and x-default), as
	// search engines read hreflang in sitemaps.
	Alternates []sitemapAlternate `xml:"xhtml:link"`
}

type sitemapAlternate struct {
	Rel      string `xml:"rel,attr"`
	HrefLang string `xml:"hreflang,attr"`
	Href     string `xml:"href,attr"`
}

// sitemapURLOf is the sitemap entry of the public page at url.
func sitemapURLOf(url string) sitemapURL {
	u := sitemapURL{Loc: url}
	for _, a := range langLinks(url, nil, i18n.Default) {
		u.Alternates = append(u.Alternates, sitemapAlternate{Rel: "alternate", HrefLang: a.Lang.Tag(), Href: a.URL})
	}
	u.Alternates = append(u.Alternates, sitemapAlternate{Rel: "alternate", HrefLang: "x-default", Href: url})
	return u
}

type sitemap struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	XHTML   string       `xml:"xmlns:xhtml,attr"`
	URLs    []sitemapURL `xml:"url"`
}

// Sitemap lists the public pages; admin and manage pages are private.
func (h *Handler) Sitemap(c echo.Context) error {
	sm := sitemap{NS: "http://www.sitemaps.org/schemas/sitemap/0.9", XHTML: "http://www.w3.org/1999/xhtml"}
	sm.URLs = append(sm.URLs, sitemapURLOf(h.url("/")))
	for _, slug := range web.RoutedPages() {
		if _, ok := h.content(slug, i18n.Default); ok {
			sm.URLs = append(sm.URLs, sitemapURLOf(h.url("/"+slug)))
		}
	}
	sm.URLs = append(sm.URLs, sitemapURLOf(h.url("/about")), sitemapURLOf(h.url("/book")))
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
