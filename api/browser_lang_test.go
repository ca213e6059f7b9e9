package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserInGerman is a visitor whose browser asks for German: the
// home page and the booking page read German, the script writes the
// times it loads in German on the 24-hour clock, booking through the form
// leads to the German confirmation, and the booking is stored in German.
// The German, French and Spanish home and booking pages pass axe-core
// and fit at 390 and 1280 pixels.
func TestBrowserInGerman(t *testing.T) {
	b := needBrowser(t)
	site := newTestSite(t)
	tb := b.tab(t, tabOptions{timeZone: "Europe/Berlin", language: "de-DE,de;q=0.9,en;q=0.5"})
	tb.open(site.url + "/")
	if got := evalIn[string](tb, `document.documentElement.lang`); got != "de" {
		t.Errorf("home page: <html lang=%q>", got)
	}
	if text := tb.text("header"); !strings.Contains(text, "Kostenloses Gespräch buchen") || !strings.Contains(text, "Wie Ketamin wirkt") {
		t.Errorf("German home page header: %s", text)
	}
	tb.follow(chromedp.Click(chromedp.CSS(`.hero a.button`)))
	tb.waitFor(`document.querySelector("[data-tz-field]").value === "Europe/Berlin"`)
	tb.waitFor(`document.querySelector("[data-slots-status]").textContent.indexOf("Termine frei am Mittwoch, 2. Dezember") >= 0`)
	if got := tb.text(`label[for="slot-0"]`); got != "Mittwoch, 2. Dezember, 18:00" {
		t.Errorf("first slot reads %q, want the German day and the Berlin time", got)
	}
	if got := tb.text("[data-tz-note]"); !strings.Contains(got, "Ortszeit Berlin (UTC+1)") || !strings.Contains(got, "wie Ihr Browser sie meldet") {
		t.Errorf("zone note reads %q", got)
	}
	tb.must(chromedp.Click(chromedp.CSS(`a[data-date="2026-12-03"]`)))
	tb.waitFor(`document.querySelector("[data-slots-legend]").textContent === "Freie Termine am Donnerstag, 3. Dezember"`)
	if got := tb.text(`a[data-date="2026-12-03"] .week-count`); !strings.HasSuffix(got, " Termine") {
		t.Errorf("the week strip counts %q", got)
	}
	if got := tb.text(`a[data-date="2026-12-03"] .week-date`); got != "3. Dez." {
		t.Errorf("the week strip dates %q", got)
	}
	tb.must(chromedp.Click(chromedp.CSS(`label[for="slot-0"]`)))
	fillDetails(tb, "Greta Gast")
	tb.follow(chromedp.Click(chromedp.CSS(`form.book-form button[type=submit]`)))
	tb.waitFor(`document.querySelector("[data-done]") !== null`)
	if got := tb.text("h1"); got != "Ihr Gespräch ist gebucht" {
		t.Errorf("after booking the page reads %q", got)
	}
	if text := tb.text("main"); !strings.Contains(text, "Donnerstag, 3. Dezember 2026") || !strings.Contains(text, "Ortszeit Berlin") || strings.Contains(text, " PM") {
		t.Errorf("the German confirmation: %s", text)
	}
	if p := tb.problems(); len(p) > 0 {
		t.Errorf("page problems: %v", p)
	}
	token := strings.TrimSuffix(evalIn[string](tb, `location.pathname`), "/confirmation")
	bk, err := site.svc.ByToken(context.Background(), strings.TrimPrefix(token, "/manage/"))
	if err != nil {
		t.Fatal(err)
	}
	if bk.Language != "de" {
		t.Errorf("stored language %q, want de", bk.Language)
	}
	tb.auditWidths(b, "de-confirmation")

	for _, lang := range []string{"de", "fr", "es"} {
		for _, page := range []struct{ name, path string }{{"home", "/"}, {"book", "/book"}} {
			tl := b.tab(t, tabOptions{timeZone: "Europe/Berlin", language: lang})
			tl.open(site.url + page.path)
			if got := evalIn[string](tl, `document.documentElement.lang`); got != lang {
				t.Errorf("%s in %s: <html lang=%q>", page.path, lang, got)
			}
			if page.path == "/book" {
				tl.waitFor(`document.querySelector("[data-slots-status]").textContent !== ""`)
			}
			tl.auditWidths(b, lang+"-"+page.name)
			if p := tl.problems(); len(p) > 0 {
				t.Errorf("%s in %s: %v", page.path, lang, p)
			}
		}
	}
}
