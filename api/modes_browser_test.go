package api_test

import (
	"bytes"
	"context"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-ical"

	"consult/booking"
	"consult/calendar/icaltest"
)

// TestBrowserBooksEachMode books a video call, a phone call and a meeting
// in person through the booking form in a real browser, and finds each
// one's details (the room, the number to be called on, the address) on
// its manage page, in its confirmation email sent through a real SMTP
// server and in the invitation, read by go-ical and by ical.js, and in
// the private feed, but none of them in the public feed.
func TestBrowserBooksEachMode(t *testing.T) {
	b := needBrowser(t)
	a := newMailAPI(t, testNow)
	ctx := context.Background()
	admin := booking.NewAdmin(a.store, a.clock.Now)
	const address = "12 Harbour Street\nPortland, OR 97201"
	if _, err := admin.SaveProfile(ctx, booking.Actor{Via: booking.ViaCLI}, booking.Profile{
		PractitionerName: "Dr. Ana Ruiz",
		Modes: booking.Modes{
			Video:    booking.VideoMode{Enabled: true, BaseURL: "https://meet.example.org"},
			Phone:    booking.PhoneMode{Enabled: true},
			InPerson: booking.InPersonMode{Enabled: true, Address: address, Directions: "Ring the bell marked 3."},
		},
	}, false); err != nil {
		t.Fatal(err)
	}
	room := regexp.MustCompile(`https://meet\.example\.org/[A-Za-z0-9_-]{22}`)

	type booked struct {
		mode, email, detail string // detail: what must be found everywhere private
	}
	var done []booked
	for _, c := range []booked{
		{mode: "video", email: "video@example.org"},
		{mode: "phone", email: "phone@example.org", detail: "+1 555 0142"},
		{mode: "in_person", email: "visit@example.org", detail: "12 Harbour Street"},
	} {
		tb := b.tab(t, tabOptions{})
		tb.open(a.url + "/book?date=2026-12-03&tz=America/Los_Angeles")
		if legend := tb.text("fieldset.choices legend"); legend != "How would you like to meet?" {
			t.Fatalf("the form asks %q", legend)
		}
		radio := "mode"
		if c.mode != "video" {
			radio = "mode-" + c.mode
		}
		tb.must(
			chromedp.Click(chromedp.CSS(`label[for="slot-0"]`)),
			chromedp.Click(chromedp.CSS(`label[for="`+radio+`"]`)),
			chromedp.SendKeys(chromedp.ID("name"), "Client "+c.mode),
			chromedp.SendKeys(chromedp.ID("email"), c.email),
		)
		if c.mode == "phone" {
			tb.must(chromedp.SendKeys(chromedp.ID("phone"), c.detail))
		}
		tb.must(chromedp.Click(chromedp.ID("consent")))
		tb.follow(chromedp.Click(chromedp.CSS(`form[data-slot-form] button[type=submit]`)))
		if h1 := tb.text("h1"); h1 != "Your consultation is booked" {
			t.Fatalf("%s: h1 = %q: %s", c.mode, h1, tb.text("main"))
		}
		manage := strings.TrimSuffix(evalIn[string](tb, `location.pathname`), "/confirmation")
		tb.open(a.url + manage)
		how := tb.text(".summary")
		if c.mode == "video" {
			c.detail = room.FindString(how)
			if c.detail == "" || tb.text("[data-video-link]") != c.detail {
				t.Fatalf("the manage page of a video call shows no room: %s", how)
			}
		}
		want := map[string]string{
			"video": "Video call", "phone": "Dr. Ana Ruiz will call you on " + c.detail, "in_person": "In person",
		}[c.mode]
		if !strings.Contains(how, want) || !strings.Contains(how, c.detail) {
			t.Errorf("%s: the manage page says %q", c.mode, how)
		}
		done = append(done, c)
	}

	msgs := a.deliver(0)
	invitations := map[string][]byte{}
	for _, c := range done {
		var conf *parsedMail
		for i := range msgs {
			if msgs[i].To[0] == c.email {
				conf = &msgs[i]
			}
		}
		if conf == nil {
			t.Fatalf("%s: no confirmation email", c.mode)
		}
		if !strings.Contains(conf.Text, c.detail) || !strings.Contains(html.UnescapeString(conf.HTML), c.detail) {
			t.Errorf("%s: the email lacks %q:\n%s", c.mode, c.detail, conf.Text)
		}
		if c.mode == "phone" && !strings.Contains(conf.Text, "Dr. Ana Ruiz will call you on +1 555 0142 at ") {
			t.Errorf("the phone call's email does not say who calls, on what, when:\n%s", conf.Text)
		}
		if c.mode == "in_person" && !strings.Contains(conf.Text, "Ring the bell marked 3.") {
			t.Errorf("the email lacks the directions:\n%s", conf.Text)
		}
		cal, err := ical.NewDecoder(bytes.NewReader(conf.Calendar)).Decode()
		if err != nil {
			t.Fatalf("%s: invitation: %v", c.mode, err)
		}
		ev := cal.Events()[0]
		loc, _ := ev.Props.Text(ical.PropLocation)
		if !strings.Contains(loc, c.detail) {
			t.Errorf("%s: go-ical reads LOCATION %q", c.mode, loc)
		}
		if conf := ev.Props.Get("CONFERENCE"); (c.mode == "video") != (conf != nil && conf.Value == c.detail) {
			t.Errorf("%s: CONFERENCE %v", c.mode, conf)
		}
		invitations[c.mode] = conf.Calendar
	}
	if js := icaltest.Check(t, invitations); js != nil {
		for _, c := range done {
			ev := js[c.mode].Events[0]
			if !strings.Contains(ev.Location, c.detail) {
				t.Errorf("%s: ical.js reads LOCATION %q", c.mode, ev.Location)
			}
			if c.mode == "video" && (ev.URL != c.detail || len(ev.Conferences) != 1 || ev.Conferences[0].Value != c.detail) {
				t.Errorf("ical.js reads the video invitation as %+v", ev)
			}
		}
	}

	secret, err := a.store.RotateFeedSecret(ctx, testNow)
	if err != nil {
		t.Fatal(err)
	}
	private := string(a.do("GET", "/calendar/bookings/"+secret+".ics", nil, nil).Body)
	public := string(a.do("GET", "/calendar/availability.ics", nil, nil).Body)
	if !strings.Contains(public, "BEGIN:VEVENT") {
		t.Fatal("the public feed lists no open time")
	}
	for _, c := range done {
		if strings.Contains(public, c.detail) {
			t.Errorf("the public feed holds the %s's %q", c.mode, c.detail)
		}
	}
	if !strings.Contains(private, done[0].detail) || !strings.Contains(private, "12 Harbour Street") {
		t.Errorf("the private feed lacks the room or the address:\n%s", private)
	}
}
