package web_test

import (
	"regexp"
	"slices"
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

// The built-in pages are translated for every language, keep every link,
// citation and reference of the default page (the references themselves
// word for word), and the privacy notices take the retention figure from
// configuration as the English one does.
func TestDefaultContentTranslations(t *testing.T) {
	pages, err := web.LoadPages(web.DefaultContent(), map[string]string{"retention_days": "42"})
	if err != nil {
		t.Fatal(err)
	}
	hrefs := regexp.MustCompile(`(?:href|id)="([^"]+)"`)
	refs := regexp.MustCompile(`(?m)^<li lang="en">(.*?)(?: <span class="ref-note".*)?</li>$`)
	all := func(re *regexp.Regexp, s string) []string {
		var out []string
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			if !strings.HasPrefix(m[1], "ref-") && !strings.HasPrefix(m[1], "cite-") && !strings.Contains(m[0], "href") {
				continue // a heading's id follows its words
			}
			out = append(out, m[1])
		}
		return out
	}
	for _, slug := range web.RequiredPages() {
		en, _ := pages.Page(slug)
		for _, l := range i18n.Supported[1:] {
			p, ok := pages.PageIn(slug, l)
			if !ok || p.Lang != l || p.Title == en.Title || p.Description == "" {
				t.Errorf("%s in %s: %+v", slug, l, p)
				continue
			}
			if got, want := all(hrefs, string(p.HTML)), all(hrefs, string(en.HTML)); !slices.Equal(got, want) {
				t.Errorf("%s in %s: links and anchors %v, English has %v", slug, l, got, want)
			}
			found := refs.FindAllStringSubmatch(string(p.HTML), -1)
			if want := strings.Count(string(en.HTML), "doi.org/") / 2; len(found) != want {
				t.Errorf("%s in %s: %d references marked English, want %d", slug, l, len(found), want)
			}
			for _, ref := range found {
				if !strings.Contains(string(en.HTML), "<li>"+ref[1]+" <span") && !strings.Contains(string(en.HTML), "<li>"+ref[1]+"</li>") {
					t.Errorf("%s in %s: the reference %q is not the English one", slug, l, ref[1])
				}
			}
			if strings.Count(string(en.HTML), "<h2") != strings.Count(string(p.HTML), "<h2") {
				t.Errorf("%s in %s: %d headings, English has %d", slug, l, strings.Count(string(p.HTML), "<h2"), strings.Count(string(en.HTML), "<h2"))
			}
			if strings.Count(string(p.HTML), "42") != strings.Count(string(en.HTML), "42") {
				t.Errorf("%s in %s does not state the configured retention as English does", slug, l)
			}
		}
	}
}
