package web_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/net/html"

	"consult/web"
)

var testVars = map[string]string{"retention_days": "180"}

func loadDefault(t *testing.T) *web.Pages {
	t.Helper()
	pages, err := web.LoadPages(web.DefaultContent(), testVars)
	if err != nil {
		t.Fatalf("LoadPages(DefaultContent()): %v", err)
	}
	return pages
}

// doc is a parsed page with the lookups the tests need.
type doc struct {
	byID  map[string]*html.Node
	links []*html.Node
}

func parsePage(t *testing.T, pages *web.Pages, slug string) doc {
	t.Helper()
	page, ok := pages.Page(slug)
	if !ok {
		t.Fatalf("page %q missing", slug)
	}
	root, err := html.Parse(strings.NewReader(string(page.HTML)))
	if err != nil {
		t.Fatalf("%s: parse HTML: %v", slug, err)
	}
	d := doc{byID: map[string]*html.Node{}}
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		if id := attr(n, "id"); id != "" {
			if d.byID[id] != nil {
				t.Errorf("%s: id %q used twice", slug, id)
			}
			d.byID[id] = n
		}
		if n.Data == "a" {
			d.links = append(d.links, n)
		}
	}
	return d
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

// hrefs returns the href of every link inside n.
func hrefs(n *html.Node) []string {
	var out []string
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && d.Data == "a" {
			out = append(out, attr(d, "href"))
		}
	}
	return out
}

// enclosing returns the nearest ancestor of n named tag.
func enclosing(n *html.Node, tag string) *html.Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == tag {
			return p
		}
	}
	return nil
}

func TestDefaultContentPages(t *testing.T) {
	pages := loadDefault(t)
	for _, slug := range web.RequiredPages() {
		page, ok := pages.Page(slug)
		if !ok {
			t.Errorf("page %q missing", slug)
			continue
		}
		if page.Slug != slug || page.Title == "" || page.HTML == "" {
			t.Errorf("%s: got slug %q, title %q, %d bytes of HTML", slug, page.Slug, page.Title, len(page.HTML))
		}
		// Search engines cut meta descriptions at about 160 characters.
		if n := len([]rune(page.Description)); n < 70 || n > 160 {
			t.Errorf("%s: description is %d characters, want 70–160: %q", slug, n, page.Description)
		}
		if strings.Contains(string(page.HTML), "{{") {
			t.Errorf("%s: unreplaced placeholder in HTML", slug)
		}
	}
	if _, ok := pages.Page("nope"); ok {
		t.Error(`Page("nope") exists`)
	}
}

// wantRefs lists, per page and citation number, the DOIs of references.md.
var wantRefs = map[string][][]string{
	"how-ketamine-works": {
		1: {"10.1523/JNEUROSCI.17-08-02921.1997", "10.1126/science.1190287"},
		2: {"10.1038/nature10130", "10.1126/science.1222939"},
		3: {"10.1016/j.tips.2021.08.003", "10.1016/j.jad.2022.07.030"},
	},
	"clinical-research": {
		1: {"10.1016/S0006-3223(99)00230-9", "10.1001/archpsyc.63.8.856"},
		2: {"10.1176/appi.ajp.2017.17040472", "10.1001/jamapsychiatry.2014.62"},
		3: {"10.3389/fpsyg.2022.868103", "10.1159/000457960"},
		4: {"10.1038/s41467-019-13162-w"},
		5: {"10.1080/02791072.2019.1587556", "10.2147/JPR.S360733"},
	},
}

func TestCitationsLinkToReferences(t *testing.T) {
	pages := loadDefault(t)
	for slug, refs := range wantRefs {
		d := parsePage(t, pages, slug)
		for n := 1; n < len(refs); n++ {
			num := strconv.Itoa(n)
			cite := d.byID["cite-"+num]
			if cite == nil || attr(cite, "href") != "#ref-"+num || text(cite) != "["+num+"]" {
				t.Errorf("%s: no citation [%s] linking to #ref-%s", slug, num, num)
			}
			ref := d.byID["ref-"+num]
			if ref == nil || ref.Data != "li" || attr(enclosing(ref, "ol"), "class") != "references" {
				t.Errorf("%s: no reference list item id=ref-%s", slug, num)
				continue
			}
			var got []string
			for _, h := range hrefs(ref) {
				if doi, ok := strings.CutPrefix(h, "https://doi.org/"); ok {
					got = append(got, doi)
				}
			}
			if !slices.Equal(got, refs[n]) {
				t.Errorf("%s: reference %s has DOIs %q, want %q", slug, num, got, refs[n])
			}
			if !slices.Contains(hrefs(ref), "#cite-"+num) {
				t.Errorf("%s: reference %s has no link back to its citation", slug, num)
			}
		}
		if d.byID["ref-"+strconv.Itoa(len(refs))] != nil {
			t.Errorf("%s: unexpected reference %d", slug, len(refs))
		}
		// No DOI may sit outside its reference, or on the wrong page.
		var all, want []string
		for _, a := range d.links {
			if doi, ok := strings.CutPrefix(attr(a, "href"), "https://doi.org/"); ok {
				all = append(all, doi)
			}
		}
		for _, dois := range refs {
			want = append(want, dois...)
		}
		if !slices.Equal(all, want) {
			t.Errorf("%s: DOIs on the page %q, want %q", slug, all, want)
		}
		// Every in-page link must land somewhere.
		for _, a := range d.links {
			if id, ok := strings.CutPrefix(attr(a, "href"), "#"); ok && d.byID[id] == nil {
				t.Errorf("%s: link to #%s, which does not exist", slug, id)
			}
		}
	}
}

// TestReferenceMarks checks the notes of references.md on both pages:
// rodent work and reviews (systematic ones included) are labelled, in one
// bracket style, and the text does not present animal findings as shown
// in people, overstate the evidence, or cite a study of drinking memories
// as if it were about trauma.
func TestReferenceMarks(t *testing.T) {
	pages := loadDefault(t)
	marks := map[string]string{
		"10.1523/JNEUROSCI.17-08-02921.1997": "[animal study]",
		"10.1126/science.1190287":            "[animal study]",
		"10.1038/nature10130":                "[animal study]",
		"10.1126/science.1222939":            "[review]",
		"10.1016/j.tips.2021.08.003":         "[review]",
		"10.1016/j.jad.2022.07.030":          "[review]",
		"10.1176/appi.ajp.2017.17040472":     "[review]",
		"10.2147/JPR.S360733":                "[review]",
	}
	seen := map[string]bool{}
	for _, slug := range []string{"how-ketamine-works", "clinical-research"} {
		d := parsePage(t, pages, slug)
		for _, a := range d.links {
			doi, ok := strings.CutPrefix(attr(a, "href"), "https://doi.org/")
			if !ok {
				continue
			}
			seen[doi] = true
			item := text(enclosing(a, "li"))
			if mark := marks[doi]; mark != "" && !strings.Contains(item, mark) {
				t.Errorf("%s: reference %s is not marked %s: %q", slug, doi, mark, item)
			}
			for _, other := range []string{"[animal study]", "[review]"} {
				if marks[doi] != other && strings.Contains(item, other) {
					t.Errorf("%s: reference %s is marked %s but is not one", slug, doi, other)
				}
			}
			if strings.Contains(item, "(review)") {
				t.Errorf("%s: reference %s uses round brackets; marks are [review] and [animal study]", slug, doi)
			}
		}
	}
	for doi := range marks {
		if !seen[doi] {
			t.Errorf("reference %s is on neither page", doi)
		}
	}
	how := parsePage(t, pages, "how-ketamine-works")
	if p := text(enclosing(how.byID["cite-1"], "p")); !strings.Contains(p, "animals") {
		t.Errorf("the paragraph citing animal studies [1][2] does not say so: %q", p)
	}

	clinical, _ := pages.Page("clinical-research")
	for _, bad := range []string{"multiple sessions", "reductions in depressive symptoms, PTSD", "consistently"} {
		if strings.Contains(string(clinical.HTML), bad) {
			t.Errorf("clinical-research still says %q", bad)
		}
	}
	if !strings.Contains(string(clinical.HTML), "may reduce PTSD symptoms") {
		t.Error(`clinical-research does not say ketamine "may reduce PTSD symptoms"`)
	}
	// Reference 4 studied drinking memories: the sentence citing it must
	// say so, not present it as trauma evidence.
	cd := parsePage(t, pages, "clinical-research")
	if p := text(enclosing(cd.byID["cite-4"], "p")); !strings.Contains(p, "drinking") {
		t.Errorf("the sentence citing reference 4 does not say it studied drinking memories: %q", p)
	}
}

func TestPagesLinkToBooking(t *testing.T) {
	pages := loadDefault(t)
	want := map[string][]string{
		"home":               {"/book", "/how-ketamine-works", "/clinical-research", "/privacy"},
		"how-ketamine-works": {"/book"},
		"clinical-research":  {"/book"},
	}
	for slug, targets := range want {
		var got []string
		for _, a := range parsePage(t, pages, slug).links {
			got = append(got, attr(a, "href"))
		}
		for _, target := range targets {
			if !slices.Contains(got, target) {
				t.Errorf("%s: no link to %s", slug, target)
			}
		}
	}
}

func TestRetentionPlaceholder(t *testing.T) {
	pages, err := web.LoadPages(web.DefaultContent(), map[string]string{"retention_days": "42"})
	if err != nil {
		t.Fatal(err)
	}
	privacy, _ := pages.Page("privacy")
	if !strings.Contains(string(privacy.HTML), "42 days after the date of the consultation") {
		t.Errorf("privacy page does not state the configured retention:\n%s", privacy.HTML)
	}
	if _, err := web.LoadPages(web.DefaultContent(), nil); err == nil || !strings.Contains(err.Error(), "retention_days") {
		t.Errorf("LoadPages without retention_days: got %v, want an error naming the placeholder", err)
	}
}

func TestLoadPagesErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"no front matter", "# Hello\n", "bad.md: no title"},
		{"empty title", "---\ntitle:\n---\nBody\n", "bad.md: no title"},
		{"unclosed", "---\ntitle: Hi\nBody\n", "bad.md: front matter line 3"},
		{"unclosed at end", "---\ntitle: Hi\n", "bad.md: front matter has no closing"},
		{"unknown key", "---\ntitel: Hi\n---\n", `bad.md: front matter line 2: want title: or description:, got "titel: Hi"`},
		{"duplicate key", "---\ntitle: A\ntitle: B\n---\n", "bad.md: front matter line 3: title set twice"},
		{"unknown placeholder", "---\ntitle: Hi\n---\nKept {{ years }} years\n", "bad.md: no value for placeholder {{years}}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"good.md": {Data: []byte("---\ntitle: Good\n---\nFine.\n")},
				"bad.md":  {Data: []byte(tt.src)},
			}
			_, err := web.LoadPages(fsys, testVars)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := web.LoadPages(fstest.MapFS{"notes.txt": {}}, testVars); err == nil {
		t.Error("LoadPages of a directory without pages: got no error")
	}
}

// TestLoadPagesFromDir is the CONTENT_DIR override: a practice's own folder,
// possibly edited on Windows.
func TestLoadPagesFromDir(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"about.md":  "\uFEFF---\r\ntitle: \"About me\"\r\ndescription: Kept {{retention_days}} days\r\n---\r\n## Training\r\n\r\nSee [the register](https://example.org/register).\r\n",
		"notes.txt": "not a page",
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pages, err := web.LoadPages(os.DirFS(dir), testVars)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := pages.Page("about")
	if !ok {
		t.Fatal(`page "about" missing`)
	}
	if got.Title != "About me" || got.Description != "Kept 180 days" {
		t.Errorf("got title %q, description %q", got.Title, got.Description)
	}
	wantHTML := `<h2 id="training">Training</h2>
<p>See <a href="https://example.org/register">the register</a>.</p>
`
	if string(got.HTML) != wantHTML {
		t.Errorf("HTML:\ngot  %q\nwant %q", got.HTML, wantHTML)
	}
	if _, ok := pages.Page("notes"); ok {
		t.Error("a .txt file became a page")
	}
	if _, ok := pages.Page("home"); ok {
		t.Error("the override directory shows an embedded page")
	}
}
