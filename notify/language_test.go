package notify_test

import (
	"html"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"consult/booking"
	"consult/calendar/icaltest"
)

// clientKinds are the kinds of message a client receives about a booking.
var clientKinds = []string{booking.MailConfirmation, booking.MailRescheduled, booking.MailRestored, booking.MailCancelled,
	booking.MailReminder, booking.MailConfirmRequest, booking.MailLimitNotice, booking.MailWaitlistOffer}

// languageProfiles are practices meeting each way, with the practice's
// own words (details, directions, a chosen subject) that stay as typed.
var languageProfiles = map[booking.Mode]booking.Profile{
	"": {},
	booking.ModeVideo: {PractitionerName: "Dr. Lee", Modes: booking.Modes{
		Video: booking.VideoMode{Enabled: true, Room: "https://meet.example.org/room", Details: "Any browser works."}}},
	booking.ModePhone: {PractitionerName: "Dr. Lee", Modes: booking.Modes{Phone: booking.PhoneMode{Enabled: true, Details: "Keep your phone near."}}},
	booking.ModeInPerson: {MailSubject: "Your appointment", MailSenderName: "Lee Office", Modes: booking.Modes{
		InPerson: booking.InPersonMode{Enabled: true, Address: "1 Quay Street\nHarbour Town", Directions: "Second floor.\nRing twice."}}},
}

// dataWords are the words in the emails that are not ours to translate:
// names, numbers, links and what the practitioner typed.
var dataWords = regexp.MustCompile(`https?://\S+|Harbour Practice|Lee Office|Dr\. Lee|Ada Lovelace|\+49 30 1234567|Your appointment|` +
	`Any browser works\.|Keep your phone near\.|1 Quay Street|Harbour Town|Second floor\.|Ring twice\.|Sorry, I am ill\.|Sorry,|I am ill\.|UTC[+−]\d+`)

// englishPhrases are the phrases of ours in an English rendering: each
// line, less the data it holds, when several words are left.
func englishPhrases(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		for _, part := range dataWords.Split(line, -1) {
			part = strings.TrimSpace(strings.Trim(strings.TrimSpace(part), ".:,()–-"))
			if len(strings.Fields(part)) >= 2 {
				out = append(out, part)
			}
		}
	}
	return out
}

var tags = regexp.MustCompile(`<[^>]*>`)

// messageID is a message id written where its message should be.
var messageID = regexp.MustCompile(`(^|\s)(mail|invitation)\.[a-z_]+\.?[a-z_]*`)

// htmlText is an HTML part's text, a line per element.
func htmlText(s string) string {
	return html.UnescapeString(tags.ReplaceAllString(s, "\n"))
}

var englishNames = regexp.MustCompile(`\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|June|July|August|September|October|November|December|Mon|Tue|Wed|Thu|Fri|Sat|Sun) `)

// TestEveryClientEmailInEveryLanguage renders every kind of message a
// client receives, in each way of meeting, in every language: each
// renders with no message missing, and no English phrase, weekday or
// month of the English rendering is left in the others.
func TestEveryClientEmailInEveryLanguage(t *testing.T) {
	e := newEnv(t)
	at := time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)
	hold := at.Add(-2 * time.Hour)
	for mode, p := range languageProfiles {
		if err := e.store.UpdateProfile(e.ctx, p, start); err != nil {
			t.Fatal(err)
		}
		for _, zone := range []string{"Europe/Berlin", "America/Los_Angeles"} {
			for _, held := range []bool{false, true} {
				b := booking.Booking{ID: 7, Start: at, End: at.Add(20 * time.Minute), Name: "Ada Lovelace", Email: "ada@example.org",
					Phone: "+49 30 1234567", TimeZone: zone, Status: booking.StatusConfirmed, Mode: mode, CreatedAt: start, UpdatedAt: start}
				if mode == booking.ModeVideo {
					b.VideoLink = "https://meet.example.org/room"
				}
				if held {
					b.HoldExpires, b.HourCycle = &hold, 12
				}
				for _, kind := range clientKinds {
					en, err := e.worker.PreviewMessage(e.ctx, kind, b, "Sorry,\nI am ill.")
					if err != nil {
						t.Fatalf("%s in English: %v", kind, err)
					}
					phrases := englishPhrases(en.Subject + "\n" + en.Text + "\n" + htmlText(en.HTML))
					if len(phrases) < 3 {
						t.Fatalf("%s: only %q in English: the check would find nothing", kind, phrases)
					}
					for _, lang := range []string{"de", "fr", "es"} {
						b := b
						b.Language = lang
						name := kind + " " + lang + " " + string(mode) + " " + zone
						m, err := e.worker.PreviewMessage(e.ctx, kind, b, "Sorry,\nI am ill.")
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						all := m.Subject + "\n" + m.Text + "\n" + htmlText(m.HTML)
						for _, phrase := range phrases {
							if strings.Contains(all, phrase) {
								t.Errorf("%s keeps the English %q:\n%s", name, phrase, all)
							}
						}
						if w := englishNames.FindString(all); w != "" {
							t.Errorf("%s writes the English %q:\n%s", name, w, all)
						}
						if !strings.Contains(m.HTML, `<html lang="`+lang+`">`) || strings.Contains(all, "<no value>") || messageID.MatchString(all) {
							t.Errorf("%s: lang attribute, or a message id or missing value in:\n%s", name, all)
						}
						// What the practitioner typed is kept as typed.
						for _, typed := range []string{p.Modes.Video.Details, p.Modes.Phone.Details, p.Modes.InPerson.Directions, p.MailSubject} {
							if typed != "" && strings.Contains(en.Text, typed) && !strings.Contains(m.Text, typed) {
								t.Errorf("%s lost the practice's words %q:\n%s", name, typed, m.Text)
							}
						}
					}
				}
			}
		}
	}
}

// TestGermanBookingGetsGermanEmailsAndInvitations books in German through
// the service and the real SMTP server: the confirmation, the
// reschedule and the cancellation are in German, Subject and both parts,
// with Content-Language de, and their invitations' DESCRIPTION is German
// with LANGUAGE=de as ical.js reads it; the practitioner's notices stay
// English.
func TestGermanBookingGetsGermanEmailsAndInvitations(t *testing.T) {
	e := newEnv(t)
	at := e.slot("2026-12-03", 0)
	_, token := e.bookIn("de", at)
	e.run()
	msgs := e.received()
	conf := only(t, sentTo(msgs, "ada@example.org"), "ist bestätigt")
	checkHeaders(t, conf, start)
	if got, want := conf.subject(), "Ihr Termin am Do., 3. Dez., 18:00 Ortszeit Berlin (UTC+1) ist bestätigt"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	if got := conf.Header.Get("Content-Language"); got != "de" {
		t.Errorf("Content-Language %q, want de", got)
	}
	manage := baseURL + "/manage/" + token
	for _, want := range []string{
		"Guten Tag Ada Lovelace,",
		"Ihr kostenloses 20-minütiges Erstgespräch mit Harbour Practice ist bestätigt für:",
		"Donnerstag, 3. Dezember 2026, 18:00–18:20 (Ortszeit Berlin, UTC+1)",
		"(Ihre Zeit)",
		"Donnerstag, 3. Dezember 2026, 09:00–09:20 (Ortszeit Los Angeles, UTC\u22128)",
		"Zum Absagen oder Verschieben nutzen Sie Ihren privaten Link:\n" + manage,
		"Diese Nachricht wurde automatisch versendet.",
	} {
		if !strings.Contains(lf(conf.Text), want) {
			t.Errorf("German confirmation text lacks %q:\n%s", want, conf.Text)
		}
	}
	if h := html.UnescapeString(conf.HTML); !strings.Contains(h, `<html lang="de">`) || !strings.Contains(h, ">Absagen oder verschieben</a>") ||
		!strings.Contains(h, "Donnerstag, 3. Dezember 2026, 18:00–18:20 (Ortszeit Berlin, UTC+1)") {
		t.Errorf("German confirmation HTML:\n%s", conf.HTML)
	}
	for _, english := range []string{"Hello", "Your free", "your time", "Cancel or reschedule", "sent automatically", "Thursday"} {
		if strings.Contains(conf.Text, english) || strings.Contains(conf.HTML, english) {
			t.Errorf("the German confirmation holds the English %q", english)
		}
	}
	ev := checkInvitation(t, conf, "REQUEST")
	checkEvent(t, ev, at, 0, manage)
	checkGermanEvent(t, ev, "Ihr kostenloses 20-minütiges Erstgespräch mit Harbour Practice.", "Zum Absagen oder Verschieben nutzen Sie Ihren privaten Link: "+manage)

	notice := only(t, msgs, "New consultation booked")
	if got := notice.Header.Get("Content-Language"); got != "en" || !strings.Contains(notice.Text, "A free 20-minute consultation has been booked for:") {
		t.Errorf("the practitioner's notice (Content-Language %q) is not English:\n%s", got, notice.Text)
	}

	moved := e.slot("2026-12-04", 3)
	if _, err := e.svc.Reschedule(e.ctx, token, moved); err != nil {
		t.Fatal(err)
	}
	e.run()
	re := only(t, sentTo(e.received(), "ada@example.org"), "verschoben")
	if got, want := re.subject(), "Ihr Termin wurde auf Fr., 4. Dez., 19:00 Ortszeit Berlin (UTC+1) verschoben"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	checkEvent(t, checkInvitation(t, re, "REQUEST"), moved, 1, manage)

	if _, err := e.svc.Cancel(e.ctx, token); err != nil {
		t.Fatal(err)
	}
	e.run()
	gone := only(t, sentTo(e.received(), "ada@example.org"), "abgesagt")
	if got, want := gone.subject(), "Ihr Termin am Fr., 4. Dez., 19:00 Ortszeit Berlin (UTC+1) wurde abgesagt"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	if !strings.Contains(lf(gone.Text), "Sie können gerne einen neuen Termin wählen:\n"+baseURL+"/book") {
		t.Errorf("cancellation text:\n%s", gone.Text)
	}
	cancel := checkInvitation(t, gone, "CANCEL")
	checkGermanEvent(t, cancel, "Dieses Gespräch mit Harbour Practice wurde abgesagt.", "Einen neuen Termin wählen: "+baseURL+"/book")

	js := icaltest.Check(t, map[string][]byte{"confirmation": conf.Calendar, "cancel": gone.Calendar})
	for name, c := range js {
		if len(c.Events) != 1 {
			t.Fatalf("ical.js read %s as %+v", name, c)
		}
		ev := c.Events[0]
		if ev.DescriptionLanguage != "de" || ev.SummaryLanguage != "de" || ev.Summary != "Erstgespräch mit Harbour Practice" ||
			!strings.Contains(ev.Description, "Harbour Practice") || strings.Contains(ev.Description, "consultation") {
			t.Errorf("ical.js read the German %s as %+v", name, ev)
		}
	}
	if c, ok := js["cancel"]; ok && (c.Method != "CANCEL" || c.Events[0].Sequence != 2) {
		t.Errorf("ical.js read the cancellation as %+v", c)
	}
}

// checkGermanEvent checks an invitation's SUMMARY and DESCRIPTION are
// German, and say so.
func checkGermanEvent(t *testing.T, ev *ical.Event, first, last string) {
	t.Helper()
	desc, _ := ev.Props.Text(ical.PropDescription)
	if !strings.HasPrefix(desc, first) || !strings.HasSuffix(desc, last) {
		t.Errorf("DESCRIPTION %q, want %q … %q", desc, first, last)
	}
	for _, name := range []string{ical.PropSummary, ical.PropDescription} {
		if got := ev.Props.Get(name).Params.Get(ical.ParamLanguage); got != "de" {
			t.Errorf("%s;LANGUAGE=%q, want de", name, got)
		}
	}
}

// TestFrenchBookingGetsFrenchEmails: the same in French, and a booking
// with no language stays English, with no LANGUAGE parameter.
func TestFrenchBookingGetsFrenchEmails(t *testing.T) {
	e := newEnv(t)
	at := e.slot("2026-12-03", 0)
	_, token := e.bookIn("fr", at)
	e.bookIn("", e.slot("2026-12-03", 2))
	e.run()
	msgs := sentTo(e.received(), "ada@example.org")
	if len(msgs) != 2 {
		t.Fatalf("%d messages to the client, want 2", len(msgs))
	}
	fr := only(t, msgs, "Confirmation")
	// A subject is one line of plain spaces (templates.execute).
	if got, want := fr.subject(), "Confirmation : Votre rendez-vous du jeu. 3 déc. à 18:00, heure de Berlin (UTC+1)"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	if got := fr.Header.Get("Content-Language"); got != "fr" {
		t.Errorf("Content-Language %q", got)
	}
	for _, want := range []string{"Bonjour Ada Lovelace,", "Votre consultation gratuite de 20 minutes avec Harbour Practice est confirmée pour\u00a0:",
		"jeudi 3 décembre 2026, 18:00–18:20 (heure de Berlin, UTC+1)", baseURL + "/manage/" + token} {
		if !strings.Contains(fr.Text, want) || !strings.Contains(html.UnescapeString(fr.HTML), want) {
			t.Errorf("French confirmation lacks %q:\n%s", want, fr.Text)
		}
	}
	ev := checkInvitation(t, fr, "REQUEST")
	if desc, _ := ev.Props.Text(ical.PropDescription); !strings.HasPrefix(desc, "Votre consultation gratuite de 20 minutes avec Harbour Practice.") ||
		ev.Props.Get(ical.PropDescription).Params.Get(ical.ParamLanguage) != "fr" {
		t.Errorf("French DESCRIPTION %q", desc)
	}
	if c, ok := icaltest.Check(t, map[string][]byte{"fr": fr.Calendar})["fr"]; ok && (c.Events[0].DescriptionLanguage != "fr" || !strings.HasPrefix(c.Events[0].Description, "Votre consultation")) {
		t.Errorf("ical.js read %+v", c.Events[0])
	}

	en := only(t, msgs, "is confirmed")
	if got := en.subject(); !strings.HasPrefix(got, "Your consultation on Thu 3 Dec, ") || !strings.HasSuffix(got, " Berlin time (UTC+1) is confirmed") {
		t.Errorf("subject %q", got)
	}
	if got := en.Header.Get("Content-Language"); got != "en" || !strings.Contains(en.Text, "Hello Ada Lovelace,") || !strings.Contains(en.HTML, `<html lang="en">`) {
		t.Errorf("the English confirmation (Content-Language %q):\n%s", got, en.Text)
	}
	if ev := checkInvitation(t, en, "REQUEST"); ev.Props.Get(ical.PropDescription).Params.Get(ical.ParamLanguage) != "" || strings.Contains(string(en.Calendar), "LANGUAGE=") {
		t.Errorf("the English invitation names a language:\n%s", en.Calendar)
	}
}

// TestGermanWaitlistEmails: a waitlist entry made in German gets its
// request to confirm and its offer in German.
func TestGermanWaitlistEmails(t *testing.T) {
	e := newEnv(t)
	tokens := e.fullWednesday()
	req := booking.WaitlistRequest{Name: "Wanda Wartend", Email: "wanda@example.org", TimeZone: "Europe/Berlin", Language: "de",
		Days: []time.Weekday{time.Wednesday}, Parts: booking.DayParts,
		From: booking.Date{Year: 2026, Month: 12, Day: 9}, To: booking.Date{Year: 2026, Month: 12, Day: 10}}
	if err := e.svc.JoinWaitlist(e.ctx, req); err != nil {
		t.Fatal(err)
	}
	e.run()
	ask := only(t, sentTo(e.received(), "wanda@example.org"), "Bitte bestätigen")
	if got, want := ask.subject(), "Bitte bestätigen: Nachricht, sobald ein Termin frei wird"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	for _, want := range []string{"Guten Tag Wanda Wartend,", "Mittwochs, zu jeder Tageszeit, vom Mi., 9. Dez. 2026 bis Do., 10. Dez. 2026, Ortszeit Berlin",
		"„Ja, bitte benachrichtigen“", ">Warteliste bestätigen</a>", ">Warteliste verlassen</a>"} {
		if !strings.Contains(html.UnescapeString(ask.HTML), want) {
			t.Errorf("German waitlist request HTML lacks %q:\n%s", want, ask.HTML)
		}
	}
	for _, want := range []string{"Guten Tag Wanda Wartend,", "Mittwochs, zu jeder Tageszeit, vom Mi., 9. Dez. 2026 bis Do., 10. Dez. 2026, Ortszeit Berlin",
		"„Ja, bitte benachrichtigen“", "Um die Warteliste jederzeit zu verlassen:"} {
		if !strings.Contains(ask.Text, want) {
			t.Errorf("German waitlist request lacks %q:\n%s", want, ask.Text)
		}
	}
	if ask.Header.Get("Content-Language") != "de" || strings.Contains(ask.Text, "Hello") || strings.Contains(ask.Text, "Wednesday") {
		t.Errorf("German waitlist request:\n%s", ask.Text)
	}
	token := waitlistToken(t, e.received(), "Bitte bestätigen", "wanda@example.org", "waitlist")
	if _, err := e.svc.ConfirmWaitlist(e.ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cancel(e.ctx, tokens[1]); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.OfferWaitlist(e.ctx); err != nil || n != 1 {
		t.Fatalf("offers %d, %v", n, err)
	}
	e.run()
	offer := only(t, sentTo(e.received(), "wanda@example.org"), "Ein Termin ist frei geworden")
	if !strings.HasPrefix(offer.subject(), "Ein Termin ist frei geworden: Mi., 9. Dez., ") || !strings.Contains(offer.subject(), "Ortszeit Berlin (UTC+1)") {
		t.Errorf("offer subject %q", offer.subject())
	}
	for _, want := range []string{"für Ihr kostenloses 20-minütiges Erstgespräch mit Harbour Practice ist ein passender Termin frei geworden:",
		"Mittwoch, 9. Dezember 2026", "nur für Sie reserviert", "„Diesen Termin buchen“", "Um die Warteliste zu verlassen:"} {
		if !strings.Contains(offer.Text, want) {
			t.Errorf("German offer lacks %q:\n%s", want, offer.Text)
		}
	}
	if h := html.UnescapeString(offer.HTML); !strings.Contains(h, ">Diesen Termin buchen</a>") || !strings.Contains(h, ">Warteliste verlassen</a>") {
		t.Errorf("German offer HTML:\n%s", offer.HTML)
	}
	if offer.Header.Get("Content-Language") != "de" || strings.Contains(offer.Text, "Hello") {
		t.Errorf("German offer:\n%s", offer.Text)
	}
}

// TestDiscreetInGerman: a practice whose name names its treatment writes
// to a German client from the neutral German name, under the neutral
// German subject, and names no treatment in any header, part or
// invitation; a subject the practice chose is kept as typed.
func TestDiscreetInGerman(t *testing.T) {
	e := newEnv(t)
	st, err := e.store.Schedule(e.ctx, booking.DateOf(start), booking.DateOf(start))
	if err != nil {
		t.Fatal(err)
	}
	settings := st.Settings
	settings.PracticeName = "Ketamin-Praxis Harbour"
	if err := e.store.UpdateSettings(e.ctx, settings, start); err != nil {
		t.Fatal(err)
	}
	_, token := e.bookIn("de", e.slot("2026-12-03", 0))
	if _, err := e.svc.Cancel(e.ctx, token); err != nil {
		t.Fatal(err)
	}
	e.bookIn("de", e.slot("2026-12-03", 2))
	e.run()
	msgs := sentTo(e.received(), "ada@example.org")
	if len(msgs) < 2 {
		t.Fatalf("%d messages to the client", len(msgs))
	}
	for _, m := range msgs {
		for _, h := range []string{"Subject", "From", "Reply-To", "To"} {
			if v := decodeHeader(m.Header.Get(h)); strings.Contains(strings.ToLower(v), "ketamin") {
				t.Errorf("%q: %s %q names the treatment", m.subject(), h, v)
			}
		}
		if from, _ := mail.ParseAddress(decodeHeader(m.Header.Get("From"))); from == nil || from.Name != "Beratungstermine" {
			t.Errorf("%q comes from %v, want the neutral German name", m.subject(), from)
		}
		if !strings.HasPrefix(m.subject(), "Ihr Termin am ") {
			t.Errorf("subject %q does not start with the German default wording", m.subject())
		}
		for part, s := range map[string]string{"text": m.Text, "HTML": m.HTML, "invitation": string(m.Calendar)} {
			if strings.Contains(strings.ToLower(s), "ketamin") {
				t.Errorf("%q: the %s part names the treatment", m.subject(), part)
			}
		}
	}

	// A subject the practice chose is its own words, in every language.
	if err := e.store.UpdateProfile(e.ctx, booking.Profile{MailSubject: "Ihr Gespräch"}, start); err != nil {
		t.Fatal(err)
	}
	e.bookIn("de", e.slot("2026-12-04", 0))
	e.run()
	only(t, sentTo(e.received(), "ada@example.org"), "Ihr Gespräch am Fr., 4. Dez.")
}

// lf is s with CRLF line ends as LF.
func lf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// bookIn books a slot as Ada, from Berlin, in language lang.
func (e *env) bookIn(lang string, at time.Time) (*booking.Booking, string) {
	e.t.Helper()
	b, token, err := e.svc.Book(e.ctx, booking.Request{
		Start: at, Name: "Ada Lovelace", Email: "ada@example.org", Phone: "+49 30 1234567",
		TimeZone: "Europe/Berlin", Language: lang,
	}, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return b, token
}

// TestPractitionerNoticesInTheirLanguage: the practitioner's notices are
// written in the language their account reads the admin area in, while
// the client's emails keep the client's; with no account for the
// address, or none chosen, they stay English.
func TestPractitionerNoticesInTheirLanguage(t *testing.T) {
	e := newEnv(t)
	e.book(e.slot("2026-12-03", 0))
	e.run()
	only(t, e.received(), "New consultation booked: Thu 3 Dec, 09:00 Los Angeles time (UTC\u22128)")

	u, err := e.store.CreateUser(e.ctx, practitioner, "x", start)
	if err != nil {
		t.Fatal(err)
	}
	e.book(e.slot("2026-12-03", 2))
	e.run()
	if n := len(sentTo(e.received(), practitioner)); n != 2 {
		t.Fatalf("%d notices", n)
	}
	only(t, e.received(), "New consultation booked: Thu 3 Dec, 10:20")

	if _, err := e.store.SetLanguage(e.ctx, u.ID, "de", start); err != nil {
		t.Fatal(err)
	}
	e.book(e.slot("2026-12-04", 0))
	if err := e.store.QueueSecurityNotice(e.ctx, "Two-step sign-in was turned off", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.run()
	notice := only(t, e.received(), "Neues Erstgespräch gebucht")
	if got, want := notice.subject(), "Neues Erstgespräch gebucht: Fr., 4. Dez., 09:00 Ortszeit Los Angeles (UTC\u22128)"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	for _, want := range []string{"Ein kostenloses 20-minütiges Erstgespräch wurde gebucht für:", "Freitag, 4. Dezember 2026, 09:00–09:20 (Ortszeit Los Angeles, UTC\u22128)",
		"Klient:    Ada Lovelace", "E-Mail:    ada@example.org", "Zeitzone:  Ortszeit Berlin", "Buchungen: " + baseURL + "/admin"} {
		if !strings.Contains(notice.Text, want) {
			t.Errorf("German notice lacks %q:\n%s", want, notice.Text)
		}
	}
	if notice.Header.Get("Content-Language") != "de" || !strings.Contains(notice.HTML, `<html lang="de">`) {
		t.Errorf("German notice: Content-Language %q", notice.Header.Get("Content-Language"))
	}
	sec := only(t, e.received(), "Sicherheitshinweis: Die Zwei-Faktor-Anmeldung wurde ausgeschaltet")
	if !strings.Contains(sec.Text, "Die Zwei-Faktor-Anmeldung wurde ausgeschaltet – im Adminbereich von Harbour Practice, am Dienstag, 1. Dezember 2026") || !strings.Contains(sec.Text, "consult admin reset-2fa") {
		t.Errorf("German security notice:\n%s", sec.Text)
	}
	// The client still reads English.
	if n := len(sentTo(e.received(), "ada@example.org")); n != 3 {
		t.Fatalf("%d client messages", n)
	}
	for _, m := range sentTo(e.received(), "ada@example.org") {
		if !strings.HasSuffix(m.subject(), "is confirmed") {
			t.Errorf("the client's email reads %q", m.subject())
		}
	}
}
