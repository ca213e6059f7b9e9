package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"consult/calendar/icaltest"
)

// TestBrowserGermanVisitorGetsGermanMail is the whole path of a German
// reader: a browser asking for German books through the German booking
// page, and the confirmation that arrives through a real SMTP server is
// German, with a German invitation that ical.js reads as such.
func TestBrowserGermanVisitorGetsGermanMail(t *testing.T) {
	b := needBrowser(t)
	a := newMailAPI(t, testNow)
	tb := b.tab(t, tabOptions{timeZone: "Europe/Berlin", language: "de-DE,de;q=0.9"})
	tb.open(a.url + "/book")
	if got := evalIn[string](tb, `document.documentElement.lang`); got != "de" {
		t.Fatalf("the booking page is <html lang=%q>", got)
	}
	tb.waitFor(`document.querySelector('label[for="slot-0"]') !== null`)
	tb.must(chromedp.Click(chromedp.CSS(`label[for="slot-0"]`)))
	fillDetails(tb, "Greta Gast")
	tb.follow(chromedp.Click(chromedp.CSS(`form.book-form button[type=submit]`)))
	tb.waitFor(`document.querySelector("[data-done]") !== null`)
	if got := tb.text("h1"); got != "Ihr Gespräch ist gebucht" {
		t.Fatalf("after booking the page reads %q", got)
	}
	tb.auditWidths(b, "de-booked")

	var conf *parsedMail
	for _, m := range a.deliver(0) {
		if m.To[0] == "client@example.org" && m.Calendar != nil {
			conf = &m
		}
	}
	if conf == nil {
		t.Fatal("no confirmation with an invitation reached the client")
	}
	if s := decodeSubject(*conf); !strings.Contains(s, "ist bestätigt") {
		t.Errorf("the confirmation's subject is %q", s)
	}
	if !strings.Contains(conf.Text, "Ortszeit Berlin") || strings.Contains(conf.Text, "is confirmed") || strings.Contains(conf.Text, " PM") {
		t.Errorf("the confirmation is not German throughout:\n%s", conf.Text)
	}
	if got := conf.Header.Get("Content-Language"); got != "de" {
		t.Errorf("Content-Language %q", got)
	}
	js := icaltest.Check(t, map[string][]byte{"invitation": conf.Calendar})
	if cal, ok := js["invitation"]; ok {
		if len(cal.Events) != 1 || cal.Events[0].DescriptionLanguage != "de" || !strings.Contains(cal.Events[0].Description, "Erstgespräch") {
			t.Errorf("ical.js read the invitation as %+v", cal)
		}
	}
	token := strings.TrimPrefix(strings.TrimSuffix(evalIn[string](tb, `location.pathname`), "/confirmation"), "/manage/")
	bk, err := a.svc.ByToken(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	if bk.Language != "de" {
		t.Errorf("the booking is kept in %q", bk.Language)
	}
}
