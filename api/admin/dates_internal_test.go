package admin

import (
	"testing"
	"time"

	"consult/web/i18n"
)

// In English dateIn writes exactly what time.Format does, so the English
// pages read as they did; in German it writes German names in German order.
func TestDateIn(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 8, 9, 5, 0, 0, la)
	for _, layout := range []string{"Mon 2 Jan 2006", "Mon 2 Jan 2006, 15:04 MST", "Monday 2 January", "2 January 2006, 15:04 MST", "Mon 2", "2 Jan", "Jan 2006", "2"} {
		if got, want := dateIn(i18n.EN, at, layout), at.Format(layout); got != want {
			t.Errorf("dateIn(en, %q) = %q, want %q", layout, got, want)
		}
	}
	for layout, want := range map[string]string{
		"Mon 2 Jan 2006":            "Di., 8. Dez. 2026",
		"Mon 2 Jan 2006, 15:04 MST": "Di., 8. Dez. 2026, 09:05 PST",
		"Monday 2 January":          "Dienstag, 8. Dezember",
		"2 January 2006, 15:04 MST": "8. Dezember 2026, 09:05 PST",
		"Mon 2":                     "Di., 8.",
		"2 Jan":                     "8. Dez.",
		"Jan 2006":                  "Dez. 2026",
		"2":                         "8.",
	} {
		if got := dateIn(i18n.DE, at, layout); got != want {
			t.Errorf("dateIn(de, %q) = %q, want %q", layout, got, want)
		}
	}
}

// The Accept-Language header picks among the admin area's languages only.
func TestLanguageFor(t *testing.T) {
	for header, want := range map[string]i18n.Lang{
		"de-DE,de;q=0.9": i18n.DE, "de-AT": i18n.DE, "fr-FR,de;q=0.5": i18n.DE, "fr-FR": i18n.EN,
		"es-MX": i18n.EN, "en-US": i18n.EN, "": i18n.EN, "%%%": i18n.EN,
	} {
		if got := languageFor(header); got != want {
			t.Errorf("languageFor(%q) = %s, want %s", header, got, want)
		}
	}
}
