package api_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"consult/api"
	"consult/booking"
	"consult/booking/photo"
)

// testProfile is a full practitioner's profile for the pages that show it.
var testProfile = booking.Profile{
	PractitionerName: "Dr. Ana Ruiz, PsyD",
	Credentials:      []string{"Doctor of Psychology (PsyD)", "Licensed psychologist, California PSY 00000"},
	Bio:              "Ana Ruiz works with adults living with depression and anxiety.\n\nIn the consultation she listens and answers your questions.",
	ContactEmail:     "office@example.org", ContactPhone: "+1 555 0100",
	Regions: []string{"US-CA", "US-OR", "DE"},
	Modes: booking.Modes{
		Video:    booking.VideoMode{Enabled: true, BaseURL: "https://meet.example.org", Details: "No account needed."},
		Phone:    booking.PhoneMode{Enabled: true},
		InPerson: booking.InPersonMode{Enabled: true, Address: "12 Harbour Street\nPortland, OR 97201", Directions: "Ring the bell marked 3."},
	},
	Questions: []booking.Question{
		{Kind: booking.QuestionChoice, Label: "How did you hear of us?", Choices: []string{"A friend", "A search"}},
		{Kind: booking.QuestionText, Label: "Anything that would help us prepare?"},
		{Kind: booking.QuestionYesNo, Label: "Have you had a consultation before?"},
	},
}

// TestPracticePagesAccessible audits the pages that show the practice's
// profile, and the page that edits it, with axe-core at phone and desktop
// widths: no violation, no sideways scrolling.
func TestPracticePagesAccessible(t *testing.T) {
	b := needBrowser(t)
	a := newAdminTest(t, api.Config{})
	if err := a.store.UpdateProfile(context.Background(), testProfile, testNow); err != nil {
		t.Fatal(err)
	}
	var square bytes.Buffer
	if err := png.Encode(&square, image.NewGray(image.Rect(0, 0, 300, 300))); err != nil {
		t.Fatal(err)
	}
	ph, err := photo.Prepare(square.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.store.SetPhoto(context.Background(), photo.ContentType, ph.JPEG, ph.Version, testNow); err != nil {
		t.Fatal(err)
	}
	var video, inPerson bookingBody
	slots := a.slots(wednesday)
	for i, mode := range []string{"video", "in_person"} {
		r := a.do("POST", "/api/v1/bookings", map[string]string{"start": slots[i*3].Format("2006-01-02T15:04:05Z07:00"),
			"name": "Audit Client", "email": mode + "@example.org", "mode": mode, "region": "US-CA"}, nil)
		if r.Status != 201 {
			t.Fatalf("booking: %d %s", r.Status, r.Body)
		}
		r.decode(t, []*bookingBody{&video, &inPerson}[i])
	}
	pages := []string{"/", "/about", "/book", "/privacy", "/manage/" + video.token(), "/manage/" + video.token() + "/confirmation",
		"/manage/" + inPerson.token(), "/admin/practice", "/book#elsewhere"}
	signedIn := false
	for _, width := range []int64{390, 1280} {
		for _, path := range pages {
			name := fmt.Sprintf("%s-%d", strings.Trim(strings.ReplaceAll(path, "/", "-"), "-"), width)
			name = strings.NewReplacer(video.token(), "video", inPerson.token(), "in-person").Replace(name)
			if name[0] == '-' {
				name = "home" + name
			}
			tb := b.tab(t, tabOptions{width: width})
			if path == "/admin/practice" {
				tb.open(a.url + "/admin/sign-in")
				// The tabs share cookies: once signed in, the sign-in page
				// sends the browser on.
				if !signedIn {
					tb.must(
						chromedp.SendKeys(chromedp.ID("email"), adminEmail),
						chromedp.SendKeys(chromedp.ID("password"), adminPassword),
						chromedp.Click(chromedp.CSS(`form[action="/admin/sign-in"] button`)),
						chromedp.WaitReady(chromedp.CSS(`form[action="/admin/sign-out"]`)),
					)
					signedIn = true
				}
			}
			if status := tb.open(a.url + path); status != 200 {
				t.Fatalf("%s: %d", name, status)
			}
			if path == "/admin/practice" {
				// The lists of places, opened, are audited too.
				evalIn[bool](tb, `(function () { document.querySelectorAll("details").forEach(function (d) { d.open = true; }); return true; })()`)
				if !strings.Contains(tb.text("body"), "Sign out") {
					t.Fatalf("%s: not signed in", name)
				}
			} else if !strings.Contains(tb.text("body"), "Dr. Ana Ruiz, PsyD") {
				t.Errorf("%s does not name the practitioner", name)
			}
			if path == "/book#elsewhere" {
				// The kind page for a client somewhere not served.
				evalIn[bool](tb, `(function (s) { s.value = "elsewhere"; return true; })(document.getElementById("region"))`)
				tb.follow(chromedp.Click(chromedp.CSS(`form[data-slot-form] button[type=submit]`)))
				if !strings.Contains(tb.text("h1"), "We cannot offer you a consultation there") {
					t.Fatalf("%s: %s", name, tb.text("main"))
				}
			}
			if path == "/book" {
				// And with the errors of a form sent empty.
				tb.follow(chromedp.Click(chromedp.CSS(`form[data-slot-form] button[type=submit]`)))
				if !strings.Contains(tb.text("body"), "Choose how you would like to meet.") {
					t.Errorf("%s: no error at the mode", name)
				}
			}
			for _, av := range tb.axe(b) {
				t.Errorf("%s: axe %s (%s): %s\n  %s", name, av.ID, av.Impact, av.Help, strings.Join(av.Nodes, "\n  "))
			}
			if overflow := evalIn[bool](tb, `document.documentElement.scrollWidth > window.innerWidth`); overflow {
				t.Errorf("%s: the page scrolls sideways", name)
			}
			tb.screenshot(b, "practice-"+name)
		}
	}
}
