package calendar

import (
	"bytes"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-ical"

	"consult/booking"
)

// languageInvitations are a booking's invitations in each mode and
// method, in language lang.
func languageInvitations(t *testing.T, lang string) map[string][]byte {
	t.Helper()
	p := testPractice()
	p.Modes = booking.Modes{
		Video:    booking.VideoMode{Enabled: true, Room: "https://meet.example.org/room", Details: "Any browser works."},
		Phone:    booking.PhoneMode{Enabled: true},
		InPerson: booking.InPersonMode{Enabled: true, Address: "1 Quay Street\nHarbour Town", Directions: "Ring twice."},
	}
	out := map[string][]byte{}
	for _, mode := range []booking.Mode{booking.ModeVideo, booking.ModePhone, booking.ModeInPerson} {
		b := testBooking()
		b.Language, b.Mode = lang, mode
		if mode == booking.ModeVideo {
			b.VideoLink = "https://meet.example.org/room"
		}
		for name, method := range map[string]Method{"request": MethodRequest, "publish": MethodPublish} {
			obj, err := Invitation(p, b, manageURL, method, testNow)
			if err != nil {
				t.Fatal(err)
			}
			out[name+"-"+string(mode)] = obj
		}
		b.Status, b.Sequence = booking.StatusCancelled, 4
		obj, err := Invitation(p, b, "", MethodCancel, testNow)
		if err != nil {
			t.Fatal(err)
		}
		out["cancel-"+string(mode)] = obj
	}
	return out
}

// TestInvitationInTheClientsLanguage: a booking made in German gets its
// invitation's words in German, marked LANGUAGE=de, and nothing else
// changes: the same UID, SEQUENCE, times and method as in English.
func TestInvitationInTheClientsLanguage(t *testing.T) {
	english := languageInvitations(t, "")
	for _, c := range []struct {
		lang, title, what, manage, cancelled, phone string
	}{
		{"de", "Erstgespräch mit Harbour Therapy", "Ihr kostenloses 20-minütiges Erstgespräch mit Harbour Therapy.", "Zum Absagen oder Verschieben", "wurde abgesagt", "Telefonat: Harbour Therapy ruft +1 555 0100 an"},
		{"fr", "Consultation avec Harbour Therapy", "Votre consultation gratuite de 20 minutes avec Harbour Therapy.", "Pour annuler ou déplacer", "a été annulée", "Appel téléphonique\u00a0: Harbour Therapy appelle le +1 555 0100"},
		{"es", "Consulta con Harbour Therapy", "Su consulta gratuita de 20 minutos con Harbour Therapy.", "Para cancelar o cambiar la cita", "se ha cancelado", "Llamada telefónica: Harbour Therapy llama al +1 555 0100"},
	} {
		objs := languageInvitations(t, c.lang)
		for name, obj := range objs {
			ev := decodeEvent(t, obj)
			en := decodeEvent(t, english[name])
			for _, prop := range []string{ical.PropUID, ical.PropSequence, ical.PropDateTimeStart, ical.PropDateTimeEnd, ical.PropDateTimeStamp, ical.PropStatus, ical.PropURL, ical.PropAttendee, ical.PropOrganizer} {
				if got, want := propLine(ev, prop), propLine(en, prop); got != want {
					t.Errorf("%s %s: %s is %q, in English %q", c.lang, name, prop, got, want)
				}
			}
			if m, _ := decode(t, obj).Props.Text(ical.PropMethod); m != methodOf(name) {
				t.Errorf("%s %s: METHOD %s", c.lang, name, m)
			}
			for _, prop := range []string{ical.PropSummary, ical.PropDescription} {
				if got := ev.Props.Get(prop).Params.Get(ical.ParamLanguage); got != c.lang {
					t.Errorf("%s %s: %s;LANGUAGE=%q", c.lang, name, prop, got)
				}
				if en.Props.Get(prop).Params.Get(ical.ParamLanguage) != "" {
					t.Errorf("English %s: %s names a language", name, prop)
				}
			}
			summary, _ := ev.Props.Text(ical.PropSummary)
			desc, _ := ev.Props.Text(ical.PropDescription)
			enDesc, _ := en.Props.Text(ical.PropDescription)
			if summary != c.title {
				t.Errorf("%s %s: SUMMARY %q, want %q", c.lang, name, summary, c.title)
			}
			switch {
			case strings.HasPrefix(name, "cancel"):
				if !strings.Contains(desc, c.cancelled) || !strings.Contains(desc, "https://example.org/book") {
					t.Errorf("%s %s: DESCRIPTION %q", c.lang, name, desc)
				}
			case !strings.HasPrefix(desc, c.what) || !strings.Contains(desc, c.manage) || !strings.Contains(desc, manageURL):
				t.Errorf("%s %s: DESCRIPTION %q", c.lang, name, desc)
			}
			// The practice's own words stay as typed, and no English
			// sentence of ours is left.
			if strings.HasSuffix(name, "in_person") && !strings.HasPrefix(name, "cancel") && !strings.Contains(desc, "Ring twice.") {
				t.Errorf("%s %s: the directions are gone: %q", c.lang, name, desc)
			}
			for _, line := range strings.Split(enDesc, "\n") {
				if english := ourWords(line); english != "" && strings.Contains(desc, english) {
					t.Errorf("%s %s: DESCRIPTION keeps the English %q:\n%s", c.lang, name, english, desc)
				}
			}
			if name == "request-phone" {
				if loc, _ := ev.Props.Text(ical.PropLocation); loc != c.phone {
					t.Errorf("%s: LOCATION %q, want %q", c.lang, loc, c.phone)
				}
			}
			if name == "request-video" {
				if label := ev.Props.Get(PropConference).Params.Get("LABEL"); label == "Video call" || label == "" {
					t.Errorf("%s: the video call's label is %q", c.lang, label)
				}
			}
		}
		got := parseICALJS(t, map[string][]byte{"request": objs["request-video"], "cancel": objs["cancel-phone"]})
		for name, cal := range got {
			if len(cal.Events) != 1 {
				t.Fatalf("%s %s: ical.js read %+v", c.lang, name, cal)
			}
			ev := cal.Events[0]
			if ev.SummaryLanguage != c.lang || ev.DescriptionLanguage != c.lang || ev.Summary != c.title || ev.UID != "booking-42@example.org" {
				t.Errorf("%s %s: ical.js read %+v", c.lang, name, ev)
			}
		}
		if d := got["request"].Events[0].Description; !strings.HasPrefix(d, c.what) {
			t.Errorf("%s: ical.js read DESCRIPTION %q", c.lang, d)
		}
	}
}

// A title the practice chose is kept as typed in every language.
func TestChosenTitleIsNotTranslated(t *testing.T) {
	p := testPractice()
	p.EventTitle = "Call with Harbour"
	b := testBooking()
	b.Language = "fr"
	obj, err := Invitation(p, b, manageURL, MethodRequest, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := decodeEvent(t, obj).Props.Text(ical.PropSummary); s != "Call with Harbour" {
		t.Errorf("SUMMARY %q", s)
	}
}

func methodOf(name string) string {
	switch {
	case strings.HasPrefix(name, "request"):
		return "REQUEST"
	case strings.HasPrefix(name, "cancel"):
		return "CANCEL"
	}
	return "PUBLISH"
}

func decodeEvent(t *testing.T, obj []byte) *ical.Event {
	t.Helper()
	events := decode(t, obj).Events()
	if len(events) != 1 {
		t.Fatalf("%d events", len(events))
	}
	return &events[0]
}

// propLine is a property as written, parameters and value, or "".
func propLine(ev *ical.Event, name string) string {
	prop := ev.Props.Get(name)
	if prop == nil {
		return ""
	}
	var b bytes.Buffer
	b.WriteString(prop.Value)
	for _, k := range slices.Sorted(maps.Keys(prop.Params)) {
		b.WriteString(";" + k + "=" + strings.Join(prop.Params[k], ","))
	}
	return b.String()
}

var dataInLine = regexp.MustCompile(`https?://\S+|Harbour Therapy|\+1 555 0100|1 Quay Street, Harbour Town|Any browser works\.|Ring twice\.`)

// ourWords is what is left of an English line once the data it holds
// (links, names, numbers, the practice's own words) is taken out, when
// that is a phrase of several words; else "".
func ourWords(line string) string {
	longest := ""
	for _, part := range dataInLine.Split(line, -1) {
		part = strings.TrimSpace(strings.Trim(part, ".:,"))
		if len(strings.Fields(part)) >= 2 && len(part) > len(longest) {
			longest = part
		}
	}
	return longest
}
