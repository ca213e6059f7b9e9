package api_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"consult/api"
)

// A German browser gets the German sign-in page before anyone signs in;
// a browser asking for a language the admin area is not written in gets
// English.
func TestAdminSignInPageFollowsTheBrowsersLanguage(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	for header, want := range map[string][]string{
		"de-DE,de;q=0.9,en;q=0.8": {`<html lang="de">`, "<h1>Anmelden</h1>", "Code aus Ihrer Authenticator-App"},
		"fr-FR,de;q=0.5":          {`<html lang="de">`, "<h1>Anmelden</h1>"},
		"fr-FR":                   {`<html lang="en">`, "<h1>Sign in</h1>"},
		"":                        {`<html lang="en">`, "<h1>Sign in</h1>", "Code from your authenticator app"},
	} {
		req, err := http.NewRequest("GET", a.url+"/admin/sign-in", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept-Language", header)
		p := a.newBrowser().send(req)
		if p.Status != http.StatusOK {
			t.Fatalf("Accept-Language %q: %d", header, p.Status)
		}
		for _, w := range want {
			if !strings.Contains(p.Body, w) {
				t.Errorf("Accept-Language %q: the sign-in page lacks %q", header, w)
			}
		}
	}
}

// The language chosen in Settings is stored with the account: it outlasts
// signing out, and wins over the browser's.
func TestAdminLanguageIsStoredWithTheAccount(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	b := a.mustSignIn()
	if p := b.get("/admin/settings"); !strings.Contains(p.Body, `<option value="de" lang="de">Deutsch</option>`) ||
		!strings.Contains(p.Body, `<option value="en" lang="en" selected>English</option>`) {
		t.Fatalf("the settings page does not offer the languages:\n%s", p.Body)
	}
	wantAdminRedirect(t, b.post("/admin/settings/language", url.Values{"language": {"de"}}), "/admin/settings")
	p := b.get("/admin/settings")
	if !strings.Contains(p.Body, `<html lang="de">`) || !strings.Contains(p.Body, "Die Sprache ist gespeichert.") ||
		!strings.Contains(p.Body, `<option value="de" lang="de" selected>Deutsch</option>`) {
		t.Fatalf("after choosing German:\n%s", p.Body)
	}
	if got := a.auditActions(); !strings.Contains(strings.Join(got, "\n"), "user.language user:") {
		t.Errorf("the audit log lacks the change: %v", got)
	}
	b.post("/admin/sign-out", nil)

	// Signed in again from an English browser: still German.
	b2 := a.mustSignIn()
	req, err := http.NewRequest("GET", a.url+"/admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Language", "en-GB")
	if p := b2.send(req); !strings.Contains(p.Body, `<html lang="de">`) || !strings.Contains(p.Body, ">Abmelden</button>") {
		t.Fatalf("signed in again, the admin area is not in German:\n%s", p.Body)
	}
	if p := b2.get("/admin/settings"); p.Header.Get("Content-Language") != "de" {
		t.Errorf("Content-Language %q", p.Header.Get("Content-Language"))
	}
	// And back to English.
	wantAdminRedirect(t, b2.post("/admin/settings/language", url.Values{"language": {"en"}}), "/admin/settings")
	if p := b2.get("/admin/settings"); !strings.Contains(p.Body, `<html lang="en">`) || !strings.Contains(p.Body, "The language is saved.") {
		t.Fatalf("after choosing English:\n%s", p.Body)
	}
}

// A language the admin area is not written in is refused at the field,
// in the page's language, and changes nothing.
func TestAdminLanguageRefusesOthers(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	b := a.mustSignIn()
	wantAdminRedirect(t, b.post("/admin/settings/language", url.Values{"language": {"de"}}), "/admin/settings")
	b.get("/admin/settings")
	before := a.state()
	for _, bad := range []string{"fr", "xx", "", "de-DE", "DE", "de\x00"} {
		p := b.post("/admin/settings/language", url.Values{"language": {bad}})
		if p.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.Body, `<span class="field-error">Wählen Sie eine der aufgeführten Sprachen.</span>`) {
			t.Errorf("language %q: %d\n%s", bad, p.Status, p.Body)
		}
	}
	if a.state() != before {
		t.Error("a refused language changed data")
	}
	var stored string
	if err := a.pool.QueryRow(t.Context(), `SELECT language FROM users WHERE id = $1`, a.user.ID).Scan(&stored); err != nil || stored != "de" {
		t.Errorf("stored language %q, %v", stored, err)
	}
}

// A field error the domain writes in English reads in German beside its
// field.
func TestAdminFieldErrorInGerman(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	b := a.mustSignIn()
	wantAdminRedirect(t, b.post("/admin/settings/language", url.Values{"language": {"de"}}), "/admin/settings")
	b.get("/admin/settings")
	p := b.post("/admin/settings/password", url.Values{"current_password": {"not it"}, "new_password": {"short"}, "confirm_password": {"short"}})
	if p.Status == http.StatusSeeOther {
		// A change of password first asks to confirm it is you.
		t.Fatalf("redirected to %s", p.Header.Get("Location"))
	}
	for _, want := range []string{"Das ist nicht Ihr aktuelles Passwort.", "Verwenden Sie mindestens 12 Zeichen."} {
		if !strings.Contains(p.Body, `<span class="field-error">`+want+`</span>`) {
			t.Errorf("lacks the German field error %q:\n%s", want, p.Body)
		}
	}
	// One the domain writes around what was typed, and one it writes whole.
	b.get("/admin/embed")
	if p := b.post("/admin/embed", url.Values{"origins": {"ftp://files.example"}}); p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.Body, "&#34;ftp://files.example&#34; ist keine Website-Adresse") {
		t.Errorf("embed origins: %d\n%s", p.Status, p.Body)
	}
	b.get("/admin/tokens")
	if p := b.post("/admin/tokens", url.Values{"name": {""}}); !strings.Contains(p.Body, "Benennen Sie das Token (bis zu 100 Zeichen)") {
		t.Errorf("token name: %d\n%s", p.Status, p.Body)
	}
}

// germanAdmin is adminPagesFixture with a practitioner who reads German.
func germanAdmin(t *testing.T) (*adminTest, []string) {
	t.Helper()
	a, pages := adminPagesFixture(t)
	if _, err := a.pool.Exec(t.Context(), `UPDATE users SET language = 'de' WHERE id = $1`, a.user.ID); err != nil {
		t.Fatal(err)
	}
	return a, pages
}

// TestAdminPagesInGermanFitPhonesAndPassAxe: the German pages, whose
// words run longer, fit 390 and 1280 px and pass axe as the English do.
func TestAdminPagesInGermanFitPhonesAndPassAxe(t *testing.T) {
	b := needBrowser(t)
	a, pages := germanAdmin(t)
	auditAdminPages(t, b, a, pages, "de-")
}

// englishWords are menu and button words of the English admin area that
// a German page must not show (Name and Status are German words too).
var englishWords = regexp.MustCompile(`>(Week|Dashboard|Bookings|Waitlist|Availability|Settings|Sign out|Save|Cancel|Remove|Preview|Upcoming|Past|Search|Today|Next|Previous|Back|Delete|Add|Email|When|Phone|Date|Time|Hours|none|open|busy)\b`)

// Every admin page reads in German for a practitioner who chose German:
// its language attribute, its menu, and no English menu or button word
// left; a message missing from the catalogues would fail the render.
func TestAdminPagesInGerman(t *testing.T) {
	a, pages := germanAdmin(t)
	b := a.mustSignIn()
	for _, path := range pages {
		if path == "/admin/sign-in" {
			continue // signed in, it leads on; TestAdminSignInPageFollowsTheBrowsersLanguage reads it
		}
		p := b.get(path)
		if p.Status != http.StatusOK {
			t.Errorf("%s: %d", path, p.Status)
			continue
		}
		if !strings.Contains(p.Body, `<html lang="de">`) {
			t.Errorf("%s is not marked German", path)
		}
		if !strings.Contains(p.Body, ">Abmelden</button>") || !strings.Contains(p.Body, ">Buchungen</a>") {
			t.Errorf("%s lacks the German menu", path)
		}
		if m := englishWords.FindAllString(p.Body, -1); len(m) > 0 {
			t.Errorf("%s shows English words: %q", path, m)
		}
		for _, w := range germanOn[path] {
			if !strings.Contains(p.Body, w) {
				t.Errorf("%s lacks %q", path, w)
			}
		}
	}
}

// germanOn are words some German pages must show: the week's day names
// and month, dates in German order, counts in German.
var germanOn = map[string][]string{
	"/admin?week=2026-12-07": {"Montag, 7. Dezember", "Di., 8.", "<h1>7. – 13. Dezember 2026</h1>", "Termin für Klienten buchen"},
	"/admin/dashboard":       {"Buchungen pro Woche", "Als Tabelle zeigen"},
	"/admin/bookings":        {"Di., 8. Dez. 2026, 09:00–09:20 PST", "Anstehend", "4 Buchungen. Seite 1."},
	"/admin/bookings/1":      {"<h1>Gespräch mit A. M. L., Di., 8. Dez. 09:00</h1>", "Bestätigt", "Private Notiz"},
	"/admin/availability":    {"Wöchentliche Sprechzeiten", "Abwesenheit", "Montag"},
	"/admin/settings":        {"Sprache der Verwaltung", "Zwei-Faktor-Anmeldung"},
	"/admin/waitlist":        {"Niemand wartet."},
	"/admin/rules":           {"Buchungsregeln", "Mindestvorlauf in Stunden"},
	"/admin/practice":        {"Bundesstaaten und Provinzen: Vereinigte Staaten", "Österreich"},
}
