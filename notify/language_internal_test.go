package notify

import (
	htmlstd "html"
	htmltemplate "html/template"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v4"

	"consult/booking"
	"consult/web/i18n"
)

// In English a waitlist entry's wishes read exactly as the domain writes
// them; in the other languages in their own words.
func TestWishesReadAsTheDomainWritesThem(t *testing.T) {
	days := [][]time.Weekday{
		{time.Monday}, {time.Monday, time.Wednesday}, {time.Sunday, time.Tuesday, time.Friday},
		{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, {time.Sunday, time.Saturday},
		{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday},
	}
	parts := [][]string{{booking.PartMorning}, {booking.PartMorning, booking.PartEvening}, booking.DayParts}
	for _, d := range days {
		for _, p := range parts {
			for _, zone := range []string{"Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC"} {
				e := booking.WaitlistEntry{Days: d, Parts: p, TimeZone: zone,
					From: booking.Date{Year: 2026, Month: 12, Day: 7}, To: booking.Date{Year: 2027, Month: 1, Day: 31}}
				if got, want := describeWishes(i18n.EN, e), e.Describe(placeOf(zone)); got != want {
					t.Errorf("%v %v %s: %q, want %q", d, p, zone, got, want)
				}
			}
		}
	}
	e := booking.WaitlistEntry{Days: []time.Weekday{time.Monday, time.Wednesday}, Parts: []string{booking.PartMorning, booking.PartEvening},
		TimeZone: "Europe/Berlin", From: booking.Date{Year: 2026, Month: 12, Day: 7}, To: booking.Date{Year: 2026, Month: 12, Day: 31}}
	for l, want := range map[i18n.Lang]string{
		i18n.DE: "Montags und mittwochs, vormittags oder abends, vom Mo., 7. Dez. 2026 bis Do., 31. Dez. 2026, Ortszeit Berlin",
		i18n.FR: "Le lundi et le mercredi, le matin ou le soir, du lun. 7 déc. 2026 au jeu. 31 déc. 2026, heure de Berlin",
		i18n.ES: "Los lunes y los miércoles, por la mañana o por la noche, del lun. 7 dic. 2026 al jue. 31 dic. 2026, hora de Berlin",
	} {
		if got := describeWishes(l, e); got != want {
			t.Errorf("%s: %q, want %q", l, got, want)
		}
	}
}

func placeOf(zone string) string {
	if zone == "UTC" {
		return "UTC"
	}
	return strings.ReplaceAll(zone[strings.LastIndexByte(zone, '/')+1:], "_", " ")
}

// The HTML parts write a message's own words unescaped (htmlFuncs), so
// the catalogues the emails read (their own, and core's dates) must hold
// no markup.
func TestCataloguesHoldNoMarkup(t *testing.T) {
	files, err := filepath.Glob("../web/i18n/locales/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no catalogues: %v", err)
	}
	checked := 0
	for _, f := range files {
		area := strings.SplitN(filepath.Base(f), ".", 2)[0]
		switch area {
		case "mail", "mail_practitioner", "invitation", "core":
		default:
			continue // another area's messages never reach an email
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var msgs map[string]any
		if err := yaml.Unmarshal(data, &msgs); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for id, m := range msgs {
			texts := []any{m}
			if forms, ok := m.(map[string]any); ok { // plural forms
				texts = slices.Collect(maps.Values(forms))
			}
			for _, text := range texts {
				checked++
				if s, ok := text.(string); !ok || strings.ContainsAny(s, "<>&") {
					t.Errorf("%s: %s holds markup, or is not text: %q", filepath.Base(f), id, text)
				}
			}
		}
	}
	if checked < 100 {
		t.Errorf("checked only %d messages", checked)
	}
}

// The HTML parts escape the data in a message as they escape it anywhere.
func TestHTMLMessagesEscapeTheirData(t *testing.T) {
	got, err := htmlFuncs()["t"].(func(i18n.Lang, string, ...any) (htmltemplate.HTML, error))(i18n.DE, "mail.hello_name", "Name", `<b>"O'Hara" & +1</b>`)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Guten Tag &lt;b&gt;&#34;O&#39;Hara&#34; &amp; &#43;1&lt;/b&gt;,"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

var practitionerData = regexp.MustCompile(`Harbour Practice ·?|\+49 30 1|ada@example\.org|Ada Lovelace|https?://\S+|WHEN-\w+|SHORT|ZONE|A note\.`)

// The practitioner's notices are ready for the practitioner's language
// (practitionerLanguage): in German every one renders with no English
// phrase of its English rendering left, its labels still lined up.
func TestPractitionerNoticesInGerman(t *testing.T) {
	tmpl, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	kinds := []string{booking.MailPractitionerNew, booking.MailPractitionerMoved, booking.MailPractitionerGone, booking.MailSecurity}
	for _, mode := range []booking.Mode{booking.ModeVideo, booking.ModePhone, booking.ModeInPerson} {
		for _, kind := range kinds {
			v := view{Practice: "Harbour Practice", BaseURL: "https://harbour.test", Name: "Ada Lovelace", Email: "ada@example.org",
				Phone: "+49 30 1", Note: "A note.", Message: "Two-step sign-in was turned off", Minutes: 20,
				WhenClient: "WHEN-CLIENT", WhenPractice: "WHEN-PRACTICE", ClientZone: "ZONE", ShortWhen: "SHORT", AdminURL: "https://harbour.test/admin",
				Meeting: booking.Meeting{Mode: mode, VideoLink: "https://meet.example.org/room", Phone: "+49 30 1"}}
			v.Lang = i18n.EN
			enSubject, enText, enHTML, err := tmpl.execute(kind, v)
			if err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
			v.Lang = i18n.DE
			subject, text, html, err := tmpl.execute(kind, v)
			if err != nil {
				t.Fatalf("%s in German: %v", kind, err)
			}
			all := subject + "\n" + text + "\n" + htmlstd.UnescapeString(html)
			for _, line := range strings.Split(enSubject+"\n"+enText+"\n"+htmlstd.UnescapeString(enHTML), "\n") {
				for _, part := range strings.FieldsFunc(line, func(r rune) bool { return r == '<' || r == '>' }) {
					part = strings.TrimSpace(practitionerData.ReplaceAllString(part, ""))
					if len(strings.Fields(part)) >= 3 && !strings.Contains(part, "=") && !strings.Contains(part, "Two-step") &&
						!strings.Contains(part, "consult admin") && strings.Contains(all, part) {
						t.Errorf("%s %s in German keeps %q", kind, mode, part)
					}
				}
			}
			if kind != booking.MailSecurity && !strings.Contains(text, "\nE-Mail:    ada@example.org\n") {
				t.Errorf("%s: the German labels are not aligned:\n%s", kind, text)
			}
		}
	}
}

// The words the emails fall back on when the practice chose none are
// neutral in every language.
func TestDefaultWordingNamesNoTreatment(t *testing.T) {
	for _, l := range i18n.Supported {
		for _, id := range []string{"mail.subject_default", "mail.sender_fallback", "invitation.default_title"} {
			s, err := i18n.T(l, id, "Practice", "Harbour Practice")
			if err != nil || !booking.NamesNoTreatment(s) {
				t.Errorf("%s %s = %q, %v", l, id, s, err)
			}
		}
		if got := subjectWording(booking.Settings{}, l); got != i18n.MustT(l, "mail.subject_default") {
			t.Errorf("%s: subject wording %q", l, got)
		}
	}
	if got := subjectWording(booking.Settings{}, i18n.EN); got != booking.DefaultSubjectWording {
		t.Errorf("the English default subject %q differs from the domain's %q", got, booking.DefaultSubjectWording)
	}
	named := booking.Settings{PracticeName: "Ketamine Care"}
	if got := senderName(named, i18n.EN); got != named.SenderName() {
		t.Errorf("the English fallback sender %q differs from the domain's", got)
	}
}
