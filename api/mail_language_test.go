package api_test

import (
	"context"
	"strings"
	"testing"

	"consult/booking"
	"consult/calendar/icaltest"
)

// TestMailAndDownloadInTheClientsLanguage: a booking kept in German gets
// its confirmation in German, with a German invitation, and the .ics
// downloaded from its page is German too, marked LANGUAGE=de; one kept
// with no language stays English throughout.
func TestMailAndDownloadInTheClientsLanguage(t *testing.T) {
	a := newMailAPI(t, testNow)
	slots := a.slots(wednesday)
	for i, c := range []struct {
		lang, subject, description, param string
	}{
		{"de", "ist bestätigt", "Ihr kostenloses 20-minütiges Erstgespräch mit Harbour Practice.", "LANGUAGE=de"},
		{"", "is confirmed", "Your free 20-minute consultation with Harbour Practice.", ""},
	} {
		_, token, err := a.svc.Book(context.Background(), booking.Request{Start: slots[3*i], Name: "Ada Client", Email: "client@example.org",
			TimeZone: "Europe/Berlin", Language: c.lang}, "")
		if err != nil {
			t.Fatal(err)
		}
		var conf *parsedMail
		for _, m := range a.deliver(len(a.smtp.Messages())) {
			if m.To[0] == "client@example.org" {
				conf = &m
			}
		}
		if conf == nil || !strings.Contains(decodeSubject(*conf), c.subject) {
			t.Fatalf("%q: no confirmation with %q", c.lang, c.subject)
		}
		download := a.do("GET", "/manage/"+token+"/consultation.ics", nil, nil)
		if download.Status != 200 {
			t.Fatalf("download: %d", download.Status)
		}
		for name, obj := range map[string][]byte{"invitation": conf.Calendar, "download": download.Body} {
			unfolded := strings.ReplaceAll(string(obj), "\r\n ", "")
			if c.param != "" && (!strings.Contains(unfolded, "SUMMARY;"+c.param+":") || !strings.Contains(unfolded, "DESCRIPTION;"+c.param+":")) {
				t.Errorf("%q %s lacks %s:\n%s", c.lang, name, c.param, obj)
			}
			if c.param == "" && strings.Contains(unfolded, "LANGUAGE=") {
				t.Errorf("the English %s names a language:\n%s", name, obj)
			}
			js := icaltest.Check(t, map[string][]byte{name: obj})
			if cal, ok := js[name]; ok {
				if len(cal.Events) != 1 || !strings.HasPrefix(cal.Events[0].Description, c.description) || cal.Events[0].DescriptionLanguage != c.lang {
					t.Errorf("%q: ical.js read the %s as %+v", c.lang, name, cal)
				}
			}
		}
	}
}
