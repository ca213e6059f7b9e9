package api_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"consult/api"
)

// TestAdminEmbedPage: the practitioner lists the websites that may frame
// the booking page (cut to their origins), is told at the field about one
// that is not a website, sees the snippet, and the page passes axe-core.
func TestAdminEmbedPage(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	br := a.mustSignIn()
	if p := br.post("/admin/embed", url.Values{"origins": {"ftp://files.example"}}); p.Status != 422 || !strings.Contains(p.Body, "is not a website address") {
		t.Fatalf("bad origin: %d", p.Status)
	}
	if p := br.post("/admin/embed", url.Values{"origins": {"https://www.Harbour.example/book\nhttps://www.harbour.example"},
		"own_accent": {"on"}, "accent": {"#8A3B12"}}); p.Status != 303 {
		t.Fatalf("save: %d\n%s", p.Status, p.Body)
	}
	es, err := a.store.EmbedSettings(context.Background())
	if err != nil || len(es.Origins) != 1 || es.Origins[0] != "https://www.harbour.example" || es.Accent != "#8a3b12" {
		t.Fatalf("stored %+v, %v", es, err)
	}
	page := br.get("/admin/embed")
	if !strings.Contains(page.Body, "http://consult.test/embed.js") || !strings.Contains(page.Body, "https://www.harbour.example") {
		t.Fatalf("embed page:\n%s", page.Body)
	}

	b := needBrowser(t)
	tb := b.tab(t, tabOptions{})
	tb.open(a.url + "/admin/sign-in")
	tb.must(chromedp.SendKeys(chromedp.ID("email"), adminEmail), chromedp.SendKeys(chromedp.ID("password"), adminPassword))
	tb.follow(chromedp.Click(chromedp.CSS(`form[action="/admin/sign-in"] button`)))
	tb.open(a.url + "/admin/embed")
	for _, width := range []int64{1280, 390} {
		tb.must(tb.viewport(width))
		if v := tb.axe(b); len(v) > 0 {
			t.Errorf("axe-core at %d px: %+v", width, v)
		}
		if w := evalIn[int64](tb, `document.documentElement.scrollWidth`); w > width {
			t.Errorf("at %d px the page is %d px wide", width, w)
		}
		tb.screenshot(b, "admin-embed-"+map[int64]string{1280: "1280", 390: "390"}[width])
	}
}
