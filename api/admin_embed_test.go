package api_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

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
	tb := signedInTab(t, b, a, 1280)
	tb.open(a.url + "/admin/embed")
	tb.auditWidths(b, "admin-embed")
}
