package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"consult/booking"
	"consult/web/i18n"
)

// englishChrome are words of the English header, footer and booking form
// that a page in another language must not show.
var englishChrome = []string{">How ketamine works<", ">Clinical research<", ">Book a free consultation<",
	"Skip to main content", "This website and the consultation are not for emergencies", ">Choose a day<",
	">Your time zone<", ">Show times<", "There is a problem", ">Your consultation<"}

// getIn fetches path with the browser language accept and the cookies given.
func (s *testSite) getIn(path, accept string, cookies ...*http.Cookie) fetched {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Accept-Language", accept)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return s.do(req)
}

// checkLanguage fails the test unless p is a page written in l.
func checkLanguage(t *testing.T, what string, p fetched, l i18n.Lang) {
	t.Helper()
	if !strings.Contains(p.Body, `<html lang="`+string(l)+`">`) {
		t.Errorf("%s: <html lang> is not %s", what, l)
	}
	if got := p.Header.Get("Content-Language"); got != string(l) {
		t.Errorf("%s: Content-Language %q, want %s", what, got, l)
	}
	if vary := strings.Join(p.Header.Values("Vary"), ","); !strings.Contains(vary, "Accept-Language") || !strings.Contains(vary, "Cookie") {
		t.Errorf("%s: Vary %q lacks Accept-Language or Cookie", what, vary)
	}
	if want := i18n.MustT(l, "site.nav.book"); !strings.Contains(p.Body, want) {
		t.Errorf("%s: no %q", what, want)
	}
	if l == i18n.EN {
		return
	}
	body := p.Body
	if before, rest, ok := strings.Cut(body, `<div lang="en">`); ok {
		// A page written in English only, marked so: its text aside.
		_, after, _ := strings.Cut(rest, "</article>")
		body = before + after
	}
	for _, en := range englishChrome {
		if strings.Contains(body, en) {
			t.Errorf("%s in %s: English %q left", what, l, en)
		}
	}
	// The switch names each language in itself, marked with it.
	for _, o := range i18n.Supported {
		if !strings.Contains(p.Body, `lang="`+string(o)+`" hreflang="`+string(o)+`"`) || !strings.Contains(p.Body, ">"+o.Name()+"<") {
			t.Errorf("%s: the switch lacks %s", what, o.Name())
		}
	}
	if !strings.Contains(p.Body, `hreflang="`+string(l)+`" aria-current="true"`) {
		t.Errorf("%s: the switch does not mark %s as current", what, l)
	}
}

// Every public page reads in the browser's language, the booking's pages
// included, with <html lang>, Content-Language and no English left.
func TestEveryPublicPageInEachLanguage(t *testing.T) {
	site := newTestSite(t)
	site.lang = "en-US"
	token := site.book(site.slotsOn(firstDay, "America/Los_Angeles")[0])
	accept := map[i18n.Lang]string{i18n.EN: "en-GB,en;q=0.8", i18n.DE: "de-DE,de;q=0.9,en;q=0.5", i18n.FR: "fr-FR,fr;q=0.9", i18n.ES: "es-ES"}
	for _, l := range i18n.Supported {
		for _, path := range []string{"/", "/about", "/how-ketamine-works", "/clinical-research", "/privacy", "/book",
			"/book?date=" + firstDay + "&tz=Europe/Berlin", "/waitlist", "/book/check-email", "/waitlist/check-email",
			"/manage/" + token + "?lang=" + string(l), "/manage/" + token + "/confirmation?lang=" + string(l),
			"/manage/" + token + "/cancel?lang=" + string(l), "/no-such-page", "/embed/book"} {
			p := site.getIn(path, accept[l])
			want := http.StatusOK
			if path == "/no-such-page" {
				want = http.StatusNotFound
			}
			if p.Status != want {
				t.Fatalf("%s in %s: %d\n%s", path, l, p.Status, p.Body)
			}
			checkLanguage(t, path, p, l)
		}
	}
}

// ?lang= wins over Accept-Language and is remembered in a first-party
// cookie, which then wins too; Accept-Language decides without either.
func TestLanguageChoiceIsRemembered(t *testing.T) {
	site := newTestSite(t)
	p := site.getIn("/?lang=fr", "de-DE")
	checkLanguage(t, "/?lang=fr", p, i18n.FR)
	cookies := (&http.Response{Header: p.Header}).Cookies()
	if len(cookies) != 1 || cookies[0].Name != "lang" || cookies[0].Value != "fr" || cookies[0].Path != "/" ||
		cookies[0].MaxAge != 365*24*3600 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteLaxMode || cookies[0].Secure {
		t.Fatalf("Set-Cookie %v", p.Header.Values("Set-Cookie"))
	}
	if cc := p.Header.Get("Cache-Control"); strings.Contains(cc, "public") {
		t.Errorf("the answer setting the cookie may be kept by shared caches: %s", cc)
	}
	for _, path := range []string{"/", "/book", "/about"} {
		checkLanguage(t, path+" with the cookie", site.getIn(path, "de-DE", cookies[0]), i18n.FR)
		checkLanguage(t, path+" with the cookie and ?lang=es", site.getIn(path+"?lang=es", "de-DE", cookies[0]), i18n.ES)
		checkLanguage(t, path+" without", site.getIn(path, "de-AT,en;q=0.5"), i18n.DE)
		checkLanguage(t, path+" in Japanese", site.getIn(path, "ja-JP"), i18n.EN)
	}
	if got := site.getIn("/", "de-DE").Header.Values("Set-Cookie"); len(got) != 0 {
		t.Errorf("a page without ?lang set %v", got)
	}

	// Over https the cookie is Secure.
	secure := newTestSiteWith(t, siteOptions{baseURL: "https://consult.example"})
	if got := strings.Join(secure.getIn("/?lang=de", "en").Header.Values("Set-Cookie"), ";"); !strings.Contains(got, "Secure") {
		t.Errorf("over https: Set-Cookie %q", got)
	}
}

// The pages kept in copies (home, Markdown pages, the booking form) are
// kept per language: a German view right after an English one reads
// German, and the other way round.
func TestCopiesAreKeptPerLanguage(t *testing.T) {
	site := newTestSite(t)
	for _, path := range []string{"/", "/privacy", "/about", "/book"} {
		for i, l := range []i18n.Lang{i18n.EN, i18n.DE, i18n.EN, i18n.FR, i18n.DE} {
			p := site.getIn(path, string(l))
			checkLanguage(t, path, p, l)
			if i > 0 && l == i18n.EN && strings.Contains(p.Body, "Kostenloses Gespräch buchen") {
				t.Errorf("%s: English view shows German", path)
			}
		}
		// The cookie alone changes the page too.
		checkLanguage(t, path+" by cookie", site.getIn(path, "en", &http.Cookie{Name: "lang", Value: "es"}), i18n.ES)
	}
}

// A page with a translation of its Markdown shows it; one without says
// in the reader's language that it is in English, and marks the English.
func TestMarkdownPagesPerLanguage(t *testing.T) {
	site := newTestSite(t)
	p := site.getIn("/privacy", "de")
	if !strings.Contains(p.Body, "<h1>Datenschutz</h1>") || strings.Contains(p.Body, "data-english-only") || !strings.Contains(p.Body, "Wer für Ihre Daten verantwortlich ist") {
		t.Errorf("German privacy notice:\n%s", p.Body)
	}
	p = site.getIn("/", "es")
	if !strings.Contains(p.Body, "Psicoterapia asistida con ketamina") || strings.Contains(p.Body, "data-english-only") {
		t.Errorf("Spanish home page lacks its text")
	}
	// The research pages are translated; their references are not, and
	// are marked as English.
	p = site.getIn("/how-ketamine-works", "fr")
	if !strings.Contains(p.Body, "<h1>Comment agit la kétamine</h1>") || strings.Contains(p.Body, "data-english-only") ||
		!strings.Contains(p.Body, `<li lang="en">Moghaddam B, Adams B, Verma A, Daly D (1997).`) {
		t.Errorf("French research page:\n%s", p.Body)
	}

	// A page the practice has in English only says so in the reader's
	// language, and marks the English text.
	own := newTestSiteWith(t, siteOptions{content: fstest.MapFS{
		"home.md":               {Data: []byte("---\ntitle: Welcome\n---\nHello.\n")},
		"how-ketamine-works.md": {Data: []byte("---\ntitle: How it works\n---\nSo.\n")},
		"clinical-research.md":  {Data: []byte("---\ntitle: Research\n---\nStudies.\n")},
		"privacy.md":            {Data: []byte("---\ntitle: Privacy\n---\nKept {{retention_days}} days.\n")},
		"privacy.fr.md":         {Data: []byte("---\ntitle: Confidentialité\n---\nConservé {{retention_days}} jours.\n")},
	}})
	p = own.getIn("/clinical-research", "fr")
	if !strings.Contains(p.Body, "Cette page n’est disponible qu’en anglais.") || !strings.Contains(p.Body, `<div lang="en">`) {
		t.Errorf("French reader of an English-only page:\n%s", p.Body)
	}
	checkLanguage(t, "English-only page in French", p, i18n.FR)
	if p := own.getIn("/", "fr"); !strings.Contains(p.Body, "data-english-only") || !strings.Contains(p.Body, `<div class="prose" lang="en">`) {
		t.Errorf("French reader of an English-only home page:\n%s", p.Body)
	}
	if p := own.getIn("/privacy", "fr"); strings.Contains(p.Body, "data-english-only") || !strings.Contains(p.Body, "Conservé 180 jours.") {
		t.Errorf("French privacy notice of the practice's own:\n%s", p.Body)
	}
	if p := own.getIn("/clinical-research", "en"); strings.Contains(p.Body, "data-english-only") || strings.Contains(p.Body, `<div lang="en">`) {
		t.Error("the English page says it is English only")
	}
}

// A booking made from the German page is stored in German, and its
// pages then read German for a browser that asks for English, unless the
// visitor chooses otherwise. Field errors read German too, and so does
// the clock: 24-hour.
func TestBookingInGerman(t *testing.T) {
	site := newTestSite(t)
	site.lang = "de-DE,de;q=0.9"
	p := site.get("/book")
	if !strings.Contains(p.Body, `data-clock-link="24" aria-current="true"`) {
		t.Error("a German reader does not get the 24-hour clock")
	}
	if p := site.getIn("/book?lang=de", "en-US"); !strings.Contains(p.Body, `data-clock-link="24" aria-current="true"`) {
		t.Error("a reader choosing German does not get the 24-hour clock")
	}
	start := site.slotsOn(firstDay, "America/Los_Angeles")[0]
	form := site.bookingForm(start)
	form.Set("name", "")
	bad := site.post("/book", form)
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "Geben Sie Ihren Namen ein.") ||
		!strings.Contains(bad.Body, "Bitte prüfen Sie Ihre Angaben") || strings.Contains(bad.Body, "Enter your name.") {
		t.Errorf("a German form with no name: %d\n%s", bad.Status, bad.Body)
	}
	checkLanguage(t, "POST /book", bad, i18n.DE)
	token := site.book(start)
	b, err := site.svc.ByToken(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	if b.Language != "de" {
		t.Errorf("stored language %q, want de", b.Language)
	}
	conf := site.getIn("/manage/"+token+"/confirmation", "en-US")
	checkLanguage(t, "confirmation", conf, i18n.DE)
	if !strings.Contains(conf.Body, "Ihr Gespräch ist gebucht") || !strings.Contains(conf.Body, "Mittwoch, 2. Dezember 2026") {
		t.Errorf("the confirmation is not German:\n%s", conf.Body)
	}
	checkLanguage(t, "manage", site.getIn("/manage/"+token, "en-US"), i18n.DE)
	checkLanguage(t, "manage ?lang=en", site.getIn("/manage/"+token+"?lang=en", "de"), i18n.EN)
	checkLanguage(t, "manage with the cookie", site.getIn("/manage/"+token, "de", &http.Cookie{Name: "lang", Value: "fr"}), i18n.FR)
}

// The framed booking page needs no cookie: it sets none, and carries
// the language in its links and forms.
func TestEmbedCarriesTheLanguage(t *testing.T) {
	site := newTestSite(t)
	p := site.getIn("/embed/book?lang=es", "en-US")
	checkLanguage(t, "/embed/book?lang=es", p, i18n.ES)
	if got := p.Header.Values("Set-Cookie"); len(got) != 0 {
		t.Errorf("the frame set %v", got)
	}
	if !strings.Contains(p.Body, `<input type="hidden" name="lang" value="es">`) || !strings.Contains(p.Body, "lang=es") {
		t.Error("the frame's forms and links do not carry lang")
	}
	// Every link that stays in the frame names a language: the page's,
	// or, in the switch, another.
	for _, href := range regexpAll(`<a href="(/embed/book\?[^"]+)"`, p.Body) {
		u, err := url.Parse(strings.ReplaceAll(href, "&amp;", "&"))
		if err != nil || u.Query().Get("lang") == "" {
			t.Errorf("link %s loses the language", href)
		}
	}
}

// The places served are named in the page's language: countries by their
// names in it, states by their own; a region's error reads in it too.
func TestRegionsInTheReadersLanguage(t *testing.T) {
	site := newTestSite(t)
	serveRegions(t, func(ctx context.Context, sql string, args ...any) error {
		_, err := site.pool.Exec(ctx, sql, args...)
		return err
	}, "US-CA", "DE")
	site.lang = "de-DE"
	page := site.get("/book")
	if !strings.Contains(page.Body, `<option value="US-CA">California, Vereinigte Staaten</option>`) ||
		!strings.Contains(page.Body, `<option value="DE">Deutschland</option>`) || !strings.Contains(page.Body, `>Anderswo</option>`) {
		t.Errorf("the German region question:\n%s", page.Body)
	}
	form := site.bookingForm(site.slotsOn(firstDay, "America/Los_Angeles")[0])
	if p := site.post("/book", form); !strings.Contains(p.Body, "Wählen Sie, wo Sie während des Gesprächs sein werden.") {
		t.Errorf("no region, in German: %d", p.Status)
	}
	form.Set("region", "elsewhere")
	p := site.post("/book", form)
	checkLanguage(t, "not served", p, i18n.DE)
	if !strings.Contains(p.Body, "Die Zulassung gilt nur für California (Vereinigte Staaten) oder Deutschland") {
		t.Errorf("not served, in German:\n%s", p.Body)
	}
	if about := site.get("/about"); !strings.Contains(about.Body, "Vereinigte Staaten: California") {
		t.Errorf("the German about page names the places served in English:\n%s", about.Body)
	}
}

// The sitemap names each page in every language, for search engines.
func TestSitemapNamesEveryLanguage(t *testing.T) {
	site := newTestSite(t)
	sm := site.get("/sitemap.xml").Body
	for _, path := range []string{"/", "/privacy", "/book"} {
		for _, l := range i18n.Supported {
			if want := `<xhtml:link rel="alternate" hreflang="` + string(l) + `" href="` + site.url + path + `?lang=` + string(l) + `"></xhtml:link>`; !strings.Contains(sm, want) {
				t.Errorf("sitemap lacks %s", want)
			}
		}
	}
	if !strings.Contains(sm, `xmlns:xhtml="http://www.w3.org/1999/xhtml"`) || !strings.Contains(sm, `hreflang="x-default" href="`+site.url+`/about"`) {
		t.Errorf("sitemap:\n%s", sm)
	}
}

// The waitlist form in German: its messages read German, the one with
// the last day offered too, and an entry is kept in German.
func TestWaitlistInGerman(t *testing.T) {
	site := newTestSite(t)
	site.lang = "de-DE"
	form := url.Values{"name": {"Wren"}, "email": {"wren@example.org"}, "timezone": {"Europe/Berlin"}, "days": {"wed"},
		"parts": {"evening"}, "from": {"2026-12-02"}, "to": {"2028-01-01"}}
	p := site.post("/waitlist", form)
	checkLanguage(t, "POST /waitlist", p, i18n.DE)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Termine werden bis ") ||
		!strings.Contains(p.Body, "Bitte stimmen Sie der Verwendung Ihrer Angaben zu") || strings.Contains(p.Body, "Times are offered") {
		t.Errorf("German waitlist errors: %d\n%s", p.Status, p.Body)
	}
	form.Set("to", "2026-12-20")
	form.Set("consent", "yes")
	if p := site.post("/waitlist", form); p.Status != http.StatusSeeOther {
		t.Fatalf("join: %d\n%s", p.Status, p.Body)
	}
	var l string
	if err := site.pool.QueryRow(context.Background(), `SELECT language FROM waitlist_entries`).Scan(&l); err != nil || l != "de" {
		t.Errorf("stored language %q, %v; want de", l, err)
	}
}

// The per-address limit, whose message names the practice's address,
// reads in the page's language too.
func TestClientLimitInGerman(t *testing.T) {
	site := newTestSiteWith(t, siteOptions{limits: booking.ClientLimits{MaxUpcoming: 1, Contact: "hello@practice.example"}})
	site.lang = "de"
	slots := site.slotsOn(firstDay, "America/Los_Angeles")
	site.book(slots[0])
	p := site.post("/book", site.bookingForm(slots[3]))
	if p.Status != http.StatusConflict || !strings.Contains(p.Body, "Andernfalls schreiben Sie bitte an hello@practice.example, wir helfen Ihnen gern weiter.") {
		t.Errorf("the limit in German: %d\n%s", p.Status, p.Body)
	}
}
