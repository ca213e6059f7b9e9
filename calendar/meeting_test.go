package calendar

import (
	"strings"
	"testing"

	"github.com/emersion/go-ical"

	"consult/booking"
)

// meetingPractice offers every mode.
func meetingPractice() Practice {
	p := testPractice()
	p.Modes = booking.Modes{
		Video:    booking.VideoMode{Enabled: true, BaseURL: "https://meet.example.org", Details: "No account needed."},
		Phone:    booking.PhoneMode{Enabled: true},
		InPerson: booking.InPersonMode{Enabled: true, Address: "12 Harbour Street\nSuite 3\nPortland, OR 97201", Directions: "Ring the bell marked 3."},
	}
	return p
}

const roomLink = "https://meet.example.org/QmFzZTY0VVJMcm9vbTAx"

// TestInvitationSaysHowToMeet reads each mode's invitation with go-ical
// and with ical.js: LOCATION always; a video call's room as URL and as
// RFC 7986 CONFERENCE; the private link stays in DESCRIPTION.
func TestInvitationSaysHowToMeet(t *testing.T) {
	p := meetingPractice()
	video, phone, inPerson := testBooking(), testBooking(), testBooking()
	video.Mode, video.VideoLink = booking.ModeVideo, roomLink
	phone.Mode = booking.ModePhone
	inPerson.Mode = booking.ModeInPerson
	objs := map[string][]byte{}
	for name, b := range map[string]booking.Booking{"video": video, "phone": phone, "in_person": inPerson} {
		out, err := Invitation(p, b, manageURL, MethodRequest, testNow)
		if err != nil {
			t.Fatal(err)
		}
		objs[name] = out
	}
	want := map[string]struct{ location, url, description string }{
		"video":     {roomLink, roomLink, "Video call: " + roomLink},
		"phone":     {"Phone call: Harbour Therapy calls +1 555 0100", manageURL, "Harbour Therapy will call you on +1 555 0100."},
		"in_person": {"12 Harbour Street, Suite 3, Portland, OR 97201", manageURL, "Ring the bell marked 3."},
	}
	for name, w := range want {
		cal := decode(t, objs[name])
		ev := cal.Events()[0]
		if got, _ := ev.Props.Text(ical.PropLocation); got != w.location {
			t.Errorf("%s: LOCATION %q, want %q", name, got, w.location)
		}
		if got := ev.Props.Get(ical.PropURL); got == nil || got.Value != w.url {
			t.Errorf("%s: URL %v, want %q", name, got, w.url)
		}
		desc, _ := ev.Props.Text(ical.PropDescription)
		if !strings.Contains(desc, w.description) || !strings.Contains(desc, manageURL) {
			t.Errorf("%s: DESCRIPTION %q", name, desc)
		}
		conf := ev.Props.Get(PropConference)
		if (conf != nil) != (name == "video") {
			t.Errorf("%s: CONFERENCE %v", name, conf)
		}
		if conf != nil && (conf.Value != roomLink || conf.Params.Get(ical.ParamValue) != "URI" || !strings.Contains(conf.Params.Get("FEATURE"), "VIDEO")) {
			t.Errorf("CONFERENCE = %+v", conf)
		}
	}

	js := parseICALJS(t, objs)
	ev := js["video"].Events[0]
	if ev.Location != roomLink || ev.URL != roomLink || len(ev.Conferences) != 1 || ev.Conferences[0].Value != roomLink ||
		!strings.Contains(ev.Conferences[0].Feature, "VIDEO") || ev.Conferences[0].Label != "Video call" {
		t.Errorf("ical.js read the video invitation as %+v", ev)
	}
	if ev := js["in_person"].Events[0]; ev.Location != want["in_person"].location || len(ev.Conferences) != 0 {
		t.Errorf("ical.js read the in-person invitation as %+v", ev)
	}
}

// TestFeedsSayHowToMeetPrivatelyOnly: the private feed has the room and,
// with full details, the number to call; the public feed has neither.
func TestFeedsSayHowToMeetPrivatelyOnly(t *testing.T) {
	p := meetingPractice()
	video, phone := testBooking(), testBooking()
	video.Mode, video.VideoLink = booking.ModeVideo, roomLink
	phone.ID, phone.Mode, phone.Start, phone.End = 44, booking.ModePhone, video.Start.Add(2*60*60*1e9), video.End.Add(2*60*60*1e9)
	private, err := BookingsFeed(p, []booking.Booking{video, phone}, false, testNow)
	if err != nil {
		t.Fatal(err)
	}
	full, err := BookingsFeed(p, []booking.Booking{video, phone}, true, testNow)
	if err != nil {
		t.Fatal(err)
	}
	public, err := AvailabilityFeed(p, testSlots(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(private); !strings.Contains(s, "LOCATION:"+roomLink) || !strings.Contains(s, "CONFERENCE;") || strings.Contains(s, "555 0100") {
		t.Errorf("private feed:\n%s", s)
	}
	if s := string(full); !strings.Contains(s, "LOCATION:Phone call: +1 555 0100") {
		t.Errorf("full private feed:\n%s", s)
	}
	if s := string(public); strings.Contains(s, "meet.example.org") || strings.Contains(s, "LOCATION") || strings.Contains(s, "Harbour Street") {
		t.Errorf("public feed:\n%s", s)
	}
}
