package calendar

import (
	"strings"
	"testing"
	"time"

	"consult/booking"

	"github.com/emersion/go-ical"
)

const manageURL = "https://example.org/manage/tok3n"

func TestInvitationRequest(t *testing.T) {
	b := testBooking()
	out, err := Invitation(testPractice(), b, manageURL, MethodRequest, testNow)
	if err != nil {
		t.Fatal(err)
	}
	cal := decode(t, out)
	if got := text(t, cal.Props, ical.PropMethod); got != "REQUEST" {
		t.Errorf("METHOD = %q, want REQUEST", got)
	}
	for name, want := range map[string]string{ical.PropVersion: "2.0", ical.PropProductID: prodID} {
		if got := text(t, cal.Props, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	evs := events(t, cal)
	if len(evs) != 1 {
		t.Fatalf("%d events, want 1", len(evs))
	}
	ev := evs[0]
	for name, want := range map[string]string{
		ical.PropUID:          "booking-42@example.org",
		ical.PropSummary:      "Consultation with Harbour Therapy",
		ical.PropStatus:       "CONFIRMED",
		ical.PropSequence:     "3",
		ical.PropURL:          manageURL,
		ical.PropTransparency: "OPAQUE",
	} {
		if got := text(t, ev.Props, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if desc := text(t, ev.Props, ical.PropDescription); !strings.Contains(desc, manageURL) || !strings.Contains(desc, "20-minute") {
		t.Errorf("DESCRIPTION = %q, want the manage URL and the length", desc)
	}
	for name, want := range map[string]time.Time{
		ical.PropDateTimeStamp: testNow,
		ical.PropDateTimeStart: b.Start,
		ical.PropDateTimeEnd:   b.End,
		ical.PropLastModified:  b.UpdatedAt,
		ical.PropCreated:       b.CreatedAt,
	} {
		if got := instant(t, ev.Props, name); !got.Equal(want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	org := ev.Props.Get(ical.PropOrganizer)
	if org == nil || org.Value != "mailto:hello@example.org" || org.Params.Get(ical.ParamCommonName) != "Harbour Therapy" {
		t.Errorf("ORGANIZER = %+v, want CN=Harbour Therapy:mailto:hello@example.org", org)
	}
	atts := ev.Props.Values(ical.PropAttendee)
	if len(atts) != 1 {
		t.Fatalf("%d ATTENDEEs, want 1", len(atts))
	}
	att := atts[0]
	if att.Value != "mailto:ana@example.net" || att.Params.Get(ical.ParamCommonName) != b.Name ||
		att.Params.Get(ical.ParamParticipationStatus) != "ACCEPTED" || att.Params.Get(ical.ParamRSVP) != "FALSE" {
		t.Errorf("ATTENDEE = %+v", att)
	}
	// The title and text must be discreet: no treatment, no note.
	if s := strings.ToLower(string(out)); strings.Contains(s, "ketamine") {
		t.Errorf("invitation mentions the treatment or the note:\n%s", out)
	}
}

func TestInvitationUIDStable(t *testing.T) {
	b := testBooking()
	first, err := Invitation(testPractice(), b, manageURL, MethodRequest, testNow)
	if err != nil {
		t.Fatal(err)
	}
	b.Start = b.Start.Add(24 * time.Hour)
	b.End = b.End.Add(24 * time.Hour)
	b.Sequence++
	moved, err := Invitation(testPractice(), b, manageURL, MethodRequest, testNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	e1, e2 := events(t, decode(t, first))[0], events(t, decode(t, moved))[0]
	if u1, u2 := text(t, e1.Props, ical.PropUID), text(t, e2.Props, ical.PropUID); u1 != u2 {
		t.Errorf("UID changed on reschedule: %q → %q", u1, u2)
	}
	if got := text(t, e2.Props, ical.PropSequence); got != "4" {
		t.Errorf("SEQUENCE = %q, want 4", got)
	}
}

func TestInvitationCancel(t *testing.T) {
	b := testBooking()
	b.Status = booking.StatusCancelled
	b.Sequence = 5
	if _, err := Invitation(testPractice(), b, manageURL, MethodRequest, testNow); err == nil {
		t.Error("REQUEST for a cancelled booking: no error")
	}
	for _, m := range []Method{MethodCancel, MethodPublish} {
		out, err := Invitation(testPractice(), b, manageURL, m, testNow)
		if err != nil {
			t.Fatal(err)
		}
		cal := decode(t, out)
		ev := events(t, cal)[0]
		if got := text(t, cal.Props, ical.PropMethod); got != string(m) {
			t.Errorf("METHOD = %q, want %s", got, m)
		}
		if got := text(t, ev.Props, ical.PropStatus); got != "CANCELLED" {
			t.Errorf("%s: STATUS = %q, want CANCELLED", m, got)
		}
		if got := text(t, ev.Props, ical.PropSequence); got != "5" {
			t.Errorf("%s: SEQUENCE = %q, want 5", m, got)
		}
		if got := text(t, ev.Props, ical.PropUID); got != "booking-42@example.org" {
			t.Errorf("%s: UID = %q", m, got)
		}
	}
	// CANCEL of a booking whose status has not been saved yet still cancels.
	out, err := Invitation(testPractice(), testBooking(), "", MethodCancel, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if ev := events(t, decode(t, out))[0]; text(t, ev.Props, ical.PropStatus) != "CANCELLED" {
		t.Error("CANCEL without cancelled status: STATUS is not CANCELLED")
	}
}

func TestInvitationPublishHasNoAttendee(t *testing.T) {
	out, err := Invitation(testPractice(), testBooking(), manageURL, MethodPublish, testNow)
	if err != nil {
		t.Fatal(err)
	}
	ev := events(t, decode(t, out))[0]
	if n := len(ev.Props.Values(ical.PropAttendee)); n != 0 {
		t.Errorf("%d ATTENDEEs in a PUBLISH object, want 0", n)
	}
	if ev.Props.Get(ical.PropOrganizer) == nil {
		t.Error("no ORGANIZER")
	}
}

func TestInvitationErrors(t *testing.T) {
	b := testBooking()
	b.Email = "ana at example dot net"
	_, err := Invitation(testPractice(), b, manageURL, MethodRequest, testNow)
	if err == nil {
		t.Fatal("bad client email: no error")
	}
	if strings.Contains(err.Error(), "ana") {
		t.Errorf("error %q holds personal data", err)
	}
	b = testBooking()
	b.End = b.Start
	if _, err := Invitation(testPractice(), b, manageURL, MethodRequest, testNow); err == nil {
		t.Error("empty span: no error")
	}
	b = testBooking()
	b.ID = 0
	if _, err := Invitation(testPractice(), b, manageURL, MethodRequest, testNow); err == nil {
		t.Error("no ID: no error")
	}
	if _, err := Invitation(testPractice(), testBooking(), manageURL, Method("REPLY"), testNow); err == nil {
		t.Error("unknown method: no error")
	}
}

// TestParamInjection checks the gap go-ical leaves in parameter values: a CR
// or LF in CN would start a new content line.
func TestParamInjection(t *testing.T) {
	b := testBooking()
	b.Name = "Eve\r\nATTENDEE:mailto:evil@example.com\r\nX"
	p := testPractice()
	p.Name = "Harbour \"Therapy\"\nORGANIZER:mailto:evil@example.com"
	out, err := Invitation(p, b, manageURL, MethodRequest, testNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(out), "\r\n") {
		if strings.HasPrefix(line, "ATTENDEE:") || strings.HasPrefix(line, "ORGANIZER:") {
			t.Errorf("injected line %q", line)
		}
	}
	ev := events(t, decode(t, out))[0]
	atts := ev.Props.Values(ical.PropAttendee)
	if len(atts) != 1 || atts[0].Value != "mailto:ana@example.net" {
		t.Fatalf("ATTENDEEs = %+v, want only the client", atts)
	}
	if got, want := atts[0].Params.Get(ical.ParamCommonName), "Eve ATTENDEE:mailto:evil@example.com X"; got != want {
		t.Errorf("CN = %q, want %q", got, want)
	}
	if !strings.Contains(string(out), `CN="Eve ATTENDEE:mailto:evil@example.com X"`) {
		t.Errorf("CN holding ':' is not quoted:\n%s", out)
	}
	orgs := ev.Props.Values(ical.PropOrganizer)
	if len(orgs) != 1 || orgs[0].Value != "mailto:hello@example.org" {
		t.Fatalf("ORGANIZERs = %+v, want only the practice", orgs)
	}
	if got, want := orgs[0].Params.Get(ical.ParamCommonName), "Harbour 'Therapy' ORGANIZER:mailto:evil@example.com"; got != want {
		t.Errorf("organizer CN = %q, want %q", got, want)
	}
}

// TestNoLocalTZID checks the gap go-ical leaves for local times: it writes
// TZID=Local, which no other program can resolve.
func TestNoLocalTZID(t *testing.T) {
	// Show that the gap is real, so this test can fail without setUTC.
	probe := ical.NewProp(ical.PropDateTimeStart)
	probe.SetDateTime(time.Now().In(time.Local))
	if probe.Params.Get(ical.ParamTimezoneID) != "Local" {
		t.Logf("go-ical no longer writes TZID=Local (got %v); the guard is now belt and braces", probe.Params)
	}
	tokyo := time.FixedZone("Tokyo", 9*3600)
	b := testBooking()
	b.Start, b.End = b.Start.In(time.Local), b.End.In(tokyo)
	b.CreatedAt, b.UpdatedAt = b.CreatedAt.In(tokyo), b.UpdatedAt.In(time.Local)
	now := testNow.In(time.Local)
	slots := []booking.Slot{{Start: b.Start, End: b.End}}
	outs := map[string]func() ([]byte, error){
		"invitation": func() ([]byte, error) { return Invitation(testPractice(), b, manageURL, MethodRequest, now) },
		"bookings":   func() ([]byte, error) { return BookingsFeed(testPractice(), []booking.Booking{b}, true, now) },
		"slots":      func() ([]byte, error) { return AvailabilityFeed(testPractice(), slots, now) },
	}
	for name, f := range outs {
		out, err := f()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if strings.Contains(string(out), "TZID") {
			t.Errorf("%s: output has a TZID:\n%s", name, out)
		}
		ev := events(t, decode(t, out))[0]
		if got := instant(t, ev.Props, ical.PropDateTimeStart); !got.Equal(b.Start) {
			t.Errorf("%s: DTSTART = %v, want %v", name, got, b.Start)
		}
		if got := instant(t, ev.Props, ical.PropDateTimeEnd); !got.Equal(b.End) {
			t.Errorf("%s: DTEND = %v, want %v", name, got, b.End)
		}
		if got := instant(t, ev.Props, ical.PropDateTimeStamp); !got.Equal(testNow) {
			t.Errorf("%s: DTSTAMP = %v, want %v", name, got, testNow)
		}
	}
}
