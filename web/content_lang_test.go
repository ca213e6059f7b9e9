package web_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"consult/web"
	"consult/web/i18n"
)

// A page's file per language (name.de.md) is served in that language,
// and the default file (name.md) in every language without one.
func TestPagesPerLanguage(t *testing.T) {
	fsys := fstest.MapFS{
		"home.md":      {Data: []byte("---\ntitle: Welcome\n---\nHello.\n")},
		"home.de.md":   {Data: []byte("---\ntitle: Willkommen\n---\nHallo.\n")},
		"notes.old.md": {Data: []byte("---\ntitle: Old notes\n---\nOld.\n")},
		"orphan.fr.md": {Data: []byte("---\ntitle: Orphelin\n---\nSeul.\n")},
	}
	pages, err := web.LoadPages(fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		slug      string
		l         i18n.Lang
		title     string
		writtenIn i18n.Lang
	}{
		{"home", i18n.DE, "Willkommen", i18n.DE},
		{"home", i18n.EN, "Welcome", i18n.EN},
		{"home", i18n.FR, "Welcome", i18n.EN},
		{"notes.old", i18n.ES, "Old notes", i18n.EN},
	} {
		p, ok := pages.PageIn(c.slug, c.l)
		if !ok || p.Title != c.title || p.Lang != c.writtenIn || p.Slug != c.slug {
			t.Errorf("PageIn(%s, %s) = %+v, %v; want %q in %s", c.slug, c.l, p, ok, c.title, c.writtenIn)
		}
	}
	if p, _ := pages.Page("home"); p.Title != "Welcome" {
		t.Errorf("Page(home) is %q, want the default language's", p.Title)
	}
	if _, ok := pages.PageIn("orphan", i18n.FR); ok {
		t.Error("a translation without its default page is served")
	}
}

// The built-in pages translated are translated for every language, keep
// the default page's links, and the privacy notices take the retention
// figure from configuration as the English one does.
func TestDefaultContentTranslations(t *testing.T) {
	pages, err := web.LoadPages(web.DefaultContent(), map[string]string{"retention_days": "42"})
	if err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"home", "privacy"} {
		en, _ := pages.Page(slug)
		for _, l := range i18n.Supported[1:] {
			p, ok := pages.PageIn(slug, l)
			if !ok || p.Lang != l || p.Title == en.Title || p.Description == "" {
				t.Errorf("%s in %s: %+v", slug, l, p)
				continue
			}
			for _, href := range []string{`href="/book"`, `href="/privacy"`, `href="/how-ketamine-works"`, `href="/clinical-research"`, `href="#controller"`} {
				if strings.Contains(string(en.HTML), href) != strings.Contains(string(p.HTML), href) {
					t.Errorf("%s in %s: the link %s is not as in English", slug, l, href)
				}
			}
			if strings.Count(string(en.HTML), "<h2") != strings.Count(string(p.HTML), "<h2") {
				t.Errorf("%s in %s: %d headings, English has %d", slug, l, strings.Count(string(p.HTML), "<h2"), strings.Count(string(en.HTML), "<h2"))
			}
			if slug == "privacy" && strings.Count(string(p.HTML), "42") != strings.Count(string(en.HTML), "42") {
				t.Errorf("privacy in %s does not state the configured retention as English does", l)
			}
		}
	}
}
