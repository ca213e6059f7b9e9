package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"consult/web"
	"consult/web/i18n"
)

func TestRendererRendersPagesInTheirLayout(t *testing.T) {
	r, err := web.NewRenderer(web.RendererOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	// The layout reads Embed (a page in another website's frame), the
	// language and its switch, and the current navigation entry; unset here
	// but the language.
	data := struct {
		Lang                    i18n.Lang
		Langs                   any
		Meta                    struct{ Path string }
		Practice, Title, Detail string
		Embed                   any
	}{Lang: i18n.EN, Practice: "Harbour", Title: "Not found", Detail: "<script>x</script>"}
	if err := r.Render(&b, "error", data); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"<title>Not found – Harbour</title>", `<main id="main"`, "&lt;script&gt;", r.AssetPath("site.css")} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %q:\n%s", want, out)
		}
	}
	if err := r.Render(&b, "no-such-page", data); err == nil {
		t.Error("rendering a missing template succeeded")
	}
}

func TestAssetsAreHashedAndCachedForAYear(t *testing.T) {
	r, err := web.NewRenderer(web.RendererOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := r.AssetPath("site.css")
	if !strings.HasPrefix(p, "/static/site.") || !strings.HasSuffix(p, ".css") || p == "/static/site.css" {
		t.Fatalf("asset path %q is not content-hashed", p)
	}
	rec := httptest.NewRecorder()
	r.AssetHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") ||
		rec.Header().Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("GET %s: %d %v", p, rec.Code, rec.Header())
	}
	rec = httptest.NewRecorder()
	r.AssetHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/static/site.css", nil))
	if rec.Code != 404 {
		t.Errorf("unhashed name served with %d, want 404", rec.Code)
	}
}
