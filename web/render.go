package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"consult/web/i18n"
)

//go:embed templates static
var embedded embed.FS

// Renderer holds the page templates and the content-hashed static
// assets. Every template is parsed at start-up, so a missing or broken one
// stops the service before it serves anything; a page's parsed set is
// then kept only once the page is first rendered. Parsed sets are the
// largest thing the server holds (3.5 MB for all pages), and a public
// site under load renders a few of its pages, never the admin area's 26.
type Renderer struct {
	pages  map[string]*page
	assets map[string]asset // by logical name, e.g. "site.css"
	byPath map[string]asset // by hashed name, e.g. "site.3f2a1b.css"
}

type asset struct {
	hashed      string
	body        []byte
	contentType string
}

// RendererOptions adjusts how templates and assets are loaded.
type RendererOptions struct {
	// Dir, when set, reads templates and static files from this folder
	// (holding templates/ and static/) instead of the binary: a dev mode.
	Dir string
	// Funcs are extra template functions, e.g. time formatting helpers.
	Funcs template.FuncMap
}

// NewRenderer parses every template: templates/pages/*.html are rendered in
// templates/layout.html, templates/admin/*.html in templates/admin/layout.html.
// Partials in templates/partials/*.html are available to both.
func NewRenderer(opts RendererOptions) (*Renderer, error) {
	var fsys fs.FS = embedded
	if opts.Dir != "" {
		fsys = os.DirFS(opts.Dir)
	}
	r := &Renderer{pages: map[string]*page{}, assets: map[string]asset{}, byPath: map[string]asset{}}
	if err := r.loadAssets(fsys); err != nil {
		return nil, err
	}
	funcs := template.FuncMap{"asset": r.AssetPath}
	for k, v := range Funcs() {
		funcs[k] = v
	}
	for k, v := range i18n.Funcs() {
		funcs[k] = v
	}
	for k, v := range opts.Funcs {
		funcs[k] = v
	}
	for _, group := range []struct{ glob, layout, prefix string }{
		{"templates/pages/*.html", "templates/layout.html", ""},
		{"templates/admin/*.html", "templates/admin/layout.html", "admin/"},
	} {
		files, err := fs.Glob(fsys, group.glob)
		if err != nil {
			return nil, err
		}
		partials, err := readPartials(fsys)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if path.Base(f) == "layout.html" {
				continue
			}
			name := group.prefix + strings.TrimSuffix(path.Base(f), ".html")
			used, err := partials.usedBy(fsys, group.layout, f)
			if err != nil {
				return nil, fmt.Errorf("web: template %s: %w", name, err)
			}
			p := &page{fsys: fsys, funcs: funcs, files: append([]string{group.layout, f}, used...)}
			if _, err := p.parse(); err != nil {
				return nil, fmt.Errorf("web: template %s: %w", name, err)
			}
			r.pages[name] = p
		}
	}
	if len(r.pages) == 0 {
		return nil, fmt.Errorf("web: no templates found")
	}
	return r, nil
}

// Render writes page name (e.g. "book" or "admin/bookings") with data. It
// renders into a buffer first so a template error never sends half a page.
func (r *Renderer) Render(w io.Writer, name string, data any) error {
	p, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("web: no template %q", name)
	}
	t, err := p.template()
	if err != nil {
		return fmt.Errorf("web: template %s: %w", name, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	_, err = buf.WriteTo(w)
	return err
}

// page is one page's template set: its layout, itself and the partials
// it uses, parsed when the page is first rendered.
type page struct {
	fsys  fs.FS
	funcs template.FuncMap
	files []string

	once   sync.Once
	parsed *template.Template
	err    error
}

func (p *page) parse() (*template.Template, error) {
	return template.New(path.Base(p.files[0])).Funcs(p.funcs).ParseFS(p.fsys, p.files...)
}

// template returns the page's parsed set, parsing it the first time.
func (p *page) template() (*template.Template, error) {
	p.once.Do(func() { p.parsed, p.err = p.parse() })
	return p.parsed, p.err
}

// Has reports whether a page template exists.
func (r *Renderer) Has(name string) bool { _, ok := r.pages[name]; return ok }

func (r *Renderer) loadAssets(fsys fs.FS) error {
	return fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		a := asset{hashed: hashed, body: body, contentType: contentTypes[ext]}
		if a.contentType == "" {
			a.contentType = http.DetectContentType(body)
		}
		r.assets[name] = a
		r.byPath[hashed] = a
		return nil
	})
}

var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
	".ico": "image/x-icon",
	".png": "image/png",
	".txt": "text/plain; charset=utf-8",
}

// AssetPath returns the URL path of a static file with its content hash in
// the name, so it can be cached for a year and still change on deploy.
// It panics on an unknown name so a typo fails at the first render in tests.
func (r *Renderer) AssetPath(name string) string {
	a, ok := r.assets[name]
	if !ok {
		panic(fmt.Sprintf("web: no static file %q", name))
	}
	return "/static/" + a.hashed
}

// AssetHandler serves the hashed static files with long-lived caching.
func (r *Renderer) AssetHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		a, ok := r.byPath[strings.TrimPrefix(req.URL.Path, "/static/")]
		if !ok {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Content-Type", a.contentType)
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, req, "", time.Time{}, bytes.NewReader(a.body))
	})
}
