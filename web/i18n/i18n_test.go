package i18n_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"consult/booking"
	"consult/web/i18n"
)

// Areas the client reads are written in every language; the
// practitioner's area in English and German at least.
var areaLanguages = map[string][]i18n.Lang{
	"core": i18n.Supported, "site": i18n.Supported, "fielderrors": i18n.Supported,
	"mail": i18n.Supported, "invitation": i18n.Supported,
	"mail_practitioner": {i18n.EN, i18n.DE}, "admin": {i18n.EN, i18n.DE},
}

// Every message id of the default language's catalogues exists in every
// other language's, and no catalogue holds an id the default lacks.
func TestEveryMessageExistsInEveryCatalogue(t *testing.T) {
	if len(i18n.Areas()) == 0 {
		t.Fatal("no catalogues loaded")
	}
	for area, want := range areaLanguages {
		if got := i18n.AreaLanguages(area); !slices.Equal(got, want) {
			t.Errorf("area %s is written in %v, want %v", area, got, want)
		}
	}
	for _, area := range i18n.Areas() {
		want := i18n.IDs(i18n.Default, area)
		for _, l := range i18n.AreaLanguages(area)[1:] {
			got := i18n.IDs(l, area)
			for _, id := range want {
				if _, found := slices.BinarySearch(got, id); !found {
					t.Errorf("%s.%s.yaml lacks %q", area, l, id)
				}
			}
			for _, id := range got {
				if _, found := slices.BinarySearch(want, id); !found {
					t.Errorf("%s.%s.yaml has %q, which %s.%s.yaml lacks", area, l, id, area, i18n.Default)
				}
			}
		}
	}
}

// A message with plural forms has, in every language, the forms small
// counts need there, so "1 booking" and "2 bookings" both read right.
func TestPluralMessagesHaveTheirForms(t *testing.T) {
	for id := range i18n.PluralForms(i18n.Default) {
		for _, l := range i18n.Supported {
			forms, ok := i18n.PluralForms(l)[id]
			if !ok && !hasID(l, id) {
				continue // an area not written in l
			}
			if !slices.Contains(forms, "one") || !slices.Contains(forms, "other") {
				t.Errorf("%s in %s has the plural forms %v; it needs one and other", id, l, forms)
			}
		}
	}
	// And plurals read right: the count and the form agree.
	for _, c := range []struct {
		l    i18n.Lang
		n    int
		want string
	}{{i18n.EN, 1, "1 day"}, {i18n.EN, 3, "3 days"}, {i18n.DE, 1, "1 Tag"}, {i18n.DE, 3, "3 Tage"}, {i18n.FR, 0, "0 jour"}, {i18n.FR, 2, "2 jours"}, {i18n.ES, 1, "1 día"}, {i18n.ES, 5, "5 días"}} {
		if got, err := i18n.N(c.l, "count.days", c.n); err != nil || got != c.want {
			t.Errorf("N(%s, count.days, %d) = %q, %v; want %q", c.l, c.n, got, err, c.want)
		}
	}
}

func TestDatesReadAsEachLanguageWritesThem(t *testing.T) {
	d := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		l     i18n.Lang
		style i18n.DateStyle
		want  string
	}{
		{i18n.EN, i18n.Long, "Monday 2 March 2026"},
		{i18n.DE, i18n.Long, "Montag, 2. März 2026"},
		{i18n.FR, i18n.Long, "lundi 2 mars 2026"},
		{i18n.ES, i18n.Long, "lunes, 2 de marzo de 2026"},
		{i18n.DE, i18n.Short, "Mo., 2. März"},
		{i18n.EN, i18n.MonthYear, "March 2026"},
		{i18n.ES, i18n.MonthYear, "marzo de 2026"},
		{i18n.EN, i18n.DayMonthShort, "2 Mar"},
		{i18n.DE, i18n.DayMonthShort, "2. März"},
	} {
		// Written, then kept: both readings are the same.
		for range 2 {
			if got := i18n.Date(c.l, d, c.style); got != c.want {
				t.Errorf("Date(%s, %d) = %q, want %q", c.l, c.style, got, c.want)
			}
		}
	}
}

func TestLanguageFromAcceptLanguage(t *testing.T) {
	for header, want := range map[string]i18n.Lang{
		"de-DE,de;q=0.9,en;q=0.8": i18n.DE,
		"de-AT":                   i18n.DE,
		"fr-CA,fr;q=0.9":          i18n.FR,
		"es-MX":                   i18n.ES,
		"en-US,en;q=0.9":          i18n.EN,
		"ja-JP":                   i18n.EN,
		"nl-NL,de;q=0.5":          i18n.DE,
		"":                        i18n.EN,
		"%%%":                     i18n.EN,
	} {
		if got := i18n.FromAcceptLanguage(header); got != want {
			t.Errorf("FromAcceptLanguage(%q) = %s, want %s", header, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]bool{"de": true, "DE": true, "fr-CA": true, "es": true, "en": true, "it": false, "": false, "deu": false} {
		if _, ok := i18n.Parse(in); ok != want {
			t.Errorf("Parse(%q) ok = %v, want %v", in, ok, want)
		}
	}
}

func TestMissingMessageIsAnError(t *testing.T) {
	if _, err := i18n.T(i18n.DE, "no.such.message"); err == nil || !strings.Contains(err.Error(), "no.such.message") {
		t.Errorf("missing message: %v", err)
	}
}

// The domain accepts exactly the languages the catalogues are written in.
func TestDomainLanguagesMatch(t *testing.T) {
	var codes []string
	for _, l := range i18n.Supported {
		codes = append(codes, string(l))
	}
	if !slices.Equal(codes, booking.Languages) {
		t.Errorf("i18n.Supported %v, booking.Languages %v", codes, booking.Languages)
	}
}

func hasID(l i18n.Lang, id string) bool {
	for _, area := range i18n.Areas() {
		if _, found := slices.BinarySearch(i18n.IDs(l, area), id); found {
			return true
		}
	}
	return false
}

func TestTranslateFindsTheDefaultText(t *testing.T) {
	if got := i18n.Translate(i18n.DE, "core", "Monday"); got != "Montag" {
		t.Errorf("Translate(de, Monday) = %q", got)
	}
	if got := i18n.Translate(i18n.DE, "core", "Not in any catalogue."); got != "Not in any catalogue." {
		t.Errorf("an unknown text came back as %q", got)
	}
}

// An email that tells the client which button to choose names it as the
// page writes it, in every language.
func TestEmailsNameTheButtonsAsThePagesWriteThem(t *testing.T) {
	for _, l := range i18n.Supported {
		for mail, button := range map[string]string{
			"mail.confirm_request.hold": "site.hold.confirm", "mail.confirm_request.hold_until_text": "site.hold.confirm",
			"mail.waitlist_confirm.start": "site.waitlist_entry.yes", "mail.waitlist_confirm.start_text": "site.waitlist_entry.yes",
			"mail.waitlist_offer.held": "site.hold.book_this", "mail.waitlist_offer.held_until_text": "site.hold.book_this",
		} {
			m, err := i18n.T(l, mail, "Until", "")
			if err != nil {
				t.Fatal(err)
			}
			if b := i18n.MustT(l, button); !strings.Contains(m, b) {
				t.Errorf("%s: %s says %q, but the button reads %q", l, mail, m, b)
			}
		}
	}
}

func TestCountriesNamedInTheReadersLanguage(t *testing.T) {
	for _, c := range []struct {
		l                   i18n.Lang
		code, english, want string
	}{{i18n.DE, "DE", "Germany", "Deutschland"}, {i18n.FR, "US", "United States", "États-Unis"}, {i18n.EN, "DE", "Germany", "Germany"}, {i18n.ES, "ZZZ", "Nowhere", "Nowhere"}} {
		if got := i18n.CountryName(c.l, c.code, c.english); got != c.want {
			t.Errorf("CountryName(%s, %s) = %q, want %q", c.l, c.code, got, c.want)
		}
	}
}
