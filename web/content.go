package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"

	"consult/web/i18n"
)

//go:embed content
var contentFiles embed.FS

// DefaultContent returns the Markdown pages built into the binary, rooted at
// the content directory so that LoadPages sees the same layout as it does
// for a CONTENT_DIR override (os.DirFS).
func DefaultContent() fs.FS {
	sub, err := fs.Sub(contentFiles, "content")
	if err != nil {
		// fs.Sub fails only for an invalid path name, and this one is constant.
		panic(err)
	}
	return sub
}

// HomePage is the slug of the page served at the site's root, "/".
const HomePage = "home"

// RoutedPages returns the slugs of the Markdown pages served at /<slug>,
// which the sitemap lists too; the home page is served at "/" instead.
func RoutedPages() []string {
	return []string{"how-ketamine-works", "clinical-research", "privacy"}
}

// RequiredPages returns the slugs of the pages the site links to from
// every page and form, HomePage and then RoutedPages: content without
// one of them is refused at start-up.
func RequiredPages() []string {
	return append([]string{HomePage}, RoutedPages()...)
}

// Page is one Markdown page rendered to HTML.
type Page struct {
	// Slug is the file name without ".md"; it is the page's path on the site.
	Slug string
	// Title comes from the front matter; templates use it for <title> and <h1>,
	// so the Markdown body starts below the main heading.
	Title string
	// Description comes from the front matter, for the meta description.
	Description string
	// HTML is the rendered body. It is trusted: the pages are the practice's
	// own files, so raw HTML in them (citation anchors) is kept.
	HTML template.HTML
	// Lang is the language the page is written in: the one its file name
	// names (home.de.md), else the default.
	Lang i18n.Lang
}

// Pages holds the site's Markdown pages, rendered once at start-up so that a
// broken page stops the server rather than a request.
type Pages struct {
	bySlug map[string]Page
	// translated holds the pages written in another language than the
	// default, by slug and language.
	translated map[string]map[i18n.Lang]Page
}

// Page returns the page with the slug (file name without .md) and whether it exists.
func (p *Pages) Page(slug string) (Page, bool) {
	page, ok := p.bySlug[slug]
	return page, ok
}

// PageIn returns the page with the slug in language l: its own file
// (slug.de.md) when there is one, else the default one (slug.md), whose
// Lang then says it is not in l. A page with no default file does not
// exist, whatever its translations.
func (p *Pages) PageIn(slug string, l i18n.Lang) (Page, bool) {
	page, ok := p.bySlug[slug]
	if !ok {
		return Page{}, false
	}
	if t, ok := p.translated[slug][l]; ok {
		return t, true
	}
	return page, true
}

// placeholder matches {{name}}, allowing spaces inside the braces because the
// practice edits these files by hand.
var placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// LoadPages renders every *.md file of fsys (the embedded web/content, or
// os.DirFS(CONTENT_DIR) when the practice overrides them). vars are
// substituted for {{name}} placeholders (e.g. "retention_days": "180") before
// rendering; a placeholder without a value is an error, so that a client never
// reads a literal "{{…}}". A page without a title in its front matter is an
// error naming the file, and so is a directory without any page, which is
// what a mistyped CONTENT_DIR looks like.
func LoadPages(fsys fs.FS, vars map[string]string) (*Pages, error) {
	names, err := fs.Glob(fsys, "*.md")
	if err != nil {
		return nil, fmt.Errorf("web: list content pages: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("web: no *.md pages in the content directory")
	}
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.Typographer),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		// Unsafe keeps raw HTML: the citation anchors and reference ids need
		// it, and the files are the practice's own, never user input.
		goldmark.WithRendererOptions(html.WithUnsafe()),
	)
	pages := &Pages{bySlug: make(map[string]Page, len(names)), translated: map[string]map[i18n.Lang]Page{}}
	for _, name := range names {
		page, err := loadPage(fsys, name, vars, md)
		if err != nil {
			return nil, fmt.Errorf("web: content page %s: %w", name, err)
		}
		if page.Lang == i18n.Default {
			pages.bySlug[page.Slug] = page
			continue
		}
		if pages.translated[page.Slug] == nil {
			pages.translated[page.Slug] = map[i18n.Lang]Page{}
		}
		pages.translated[page.Slug][page.Lang] = page
	}
	return pages, nil
}

func loadPage(fsys fs.FS, name string, vars map[string]string, md goldmark.Markdown) (Page, error) {
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return Page{}, err
	}
	// Files edited on Windows or saved with a BOM should behave the same.
	src := strings.TrimPrefix(string(raw), "\uFEFF")
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src, err = substitute(src, vars)
	if err != nil {
		return Page{}, err
	}
	meta, body, err := splitFrontMatter(src)
	if err != nil {
		return Page{}, err
	}
	if meta["title"] == "" {
		return Page{}, errors.New("no title in front matter")
	}
	var buf bytes.Buffer
	if err := md.Convert([]byte(body), &buf); err != nil {
		return Page{}, fmt.Errorf("render markdown: %w", err)
	}
	slug, l := pageName(name)
	return Page{
		Slug:        slug,
		Title:       meta["title"],
		Description: meta["description"],
		HTML:        template.HTML(buf.String()),
		Lang:        l,
	}, nil
}

// pageName reads a page's file name: "privacy.md" is the default
// language's privacy page, "privacy.de.md" its German one. A file name's
// second part that is no supported language ("notes.old.md") is part of
// the slug.
func pageName(name string) (slug string, l i18n.Lang) {
	slug = strings.TrimSuffix(path.Base(name), ".md")
	if i := strings.LastIndexByte(slug, '.'); i > 0 {
		if l, ok := i18n.Parse(slug[i+1:]); ok && string(l) == slug[i+1:] && l != i18n.Default {
			return slug[:i], l
		}
	}
	return slug, i18n.Default
}

// substitute replaces every {{name}} in src, front matter included, so a
// description may mention a configured figure too.
func substitute(src string, vars map[string]string) (string, error) {
	var missing []string
	out := placeholder.ReplaceAllStringFunc(src, func(m string) string {
		name := placeholder.FindStringSubmatch(m)[1]
		v, ok := vars[name]
		if !ok {
			if !slices.Contains(missing, name) {
				missing = append(missing, name)
			}
			return m
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("no value for placeholder {{%s}}", strings.Join(missing, "}}, {{"))
	}
	return out, nil
}

// frontMatterKeys are the keys a page may set; anything else is more likely a
// typo ("titel") than a wish, so it is reported instead of ignored.
var frontMatterKeys = map[string]bool{"title": true, "description": true}

// splitFrontMatter parses a leading block of "key: value" lines between "---"
// lines. It is hand-written because two flat keys do not justify a YAML
// dependency. A file without the block has no metadata.
func splitFrontMatter(src string) (map[string]string, string, error) {
	meta := map[string]string{}
	rest, ok := strings.CutPrefix(src, "---\n")
	if !ok {
		return meta, src, nil
	}
	for n := 2; ; n++ {
		line, after, found := strings.Cut(rest, "\n")
		if !found && line == "" {
			return nil, "", errors.New("front matter has no closing ---")
		}
		rest = after
		line = strings.TrimSpace(line)
		if line == "---" {
			return meta, rest, nil
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		key = strings.ToLower(strings.TrimSpace(key))
		if !ok || !frontMatterKeys[key] {
			return nil, "", fmt.Errorf("front matter line %d: want title: or description:, got %q", n, line)
		}
		if _, dup := meta[key]; dup {
			return nil, "", fmt.Errorf("front matter line %d: %s set twice", n, key)
		}
		meta[key] = unquote(strings.TrimSpace(value))
	}
}

// unquote strips one pair of matching quotes, which people add out of YAML habit.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}
