package calendar

import (
	"strings"
	"testing"
	"time"

	"consult/booking"
	"consult/calendar/icaltest"
)

// The ical.js runner is shared with the feeds' HTTP tests in package
// icaltest; these names keep this file's checks short.
type (
	jsCalendar = icaltest.Calendar
	jsEvent    = icaltest.Event
	jsAttendee = icaltest.Attendee
)

// parseICALJS parses each object with Mozilla's ical.js, an implementation
// independent of go-ical, and returns what it read, by name.
func parseICALJS(t *testing.T, objects map[string][]byte) map[string]jsCalendar {
	t.Helper()
	return icaltest.Parse(t, objects)
}

func TestICALJS(t *testing.T) {
	p := testPractice()
	tricky := testBooking()
	tricky.Name = "Zoë O'Brien, Jr.; \"Z\"\nX ^n"
	cancelled := testBooking()
	cancelled.Status, cancelled.Sequence = booking.StatusCancelled, 7
	long := testPractice()
	long.Name = string([]rune(strings.Repeat("Ünïcödé Łódź Ærøskøbing — ", 10))[:200])
	slots := testSlots()
	dst := dstBookings(t)
	feedB := append(feedBookings(), dst...)

	must := func(out []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	objs := map[string][]byte{
		"request": must(Invitation(p, tricky, manageURL, MethodRequest, testNow)),
		"cancel":  must(Invitation(p, cancelled, manageURL, MethodCancel, testNow)),
		"long":    must(Invitation(long, testBooking(), manageURL, MethodRequest, testNow)),
		"slots":   must(AvailabilityFeed(p, slots, testNow)),
		"empty":   must(AvailabilityFeed(p, nil, testNow)),
		"private": must(BookingsFeed(p, feedB, false, testNow)),
		"full":    must(BookingsFeed(p, feedB, true, testNow)),
	}
	got := parseICALJS(t, objs)

	req := got["request"]
	if req.Method != "REQUEST" || len(req.Events) != 1 {
		t.Fatalf("request: %+v", req)
	}
	ev := req.Events[0]
	wantAtt := jsAttendee{Value: "mailto:ana@example.net", CN: "Zoë O'Brien, Jr.; 'Z' X ^n"}
	if len(ev.Attendees) != 1 || ev.Attendees[0] != wantAtt {
		t.Errorf("request attendees = %+v, want [%+v]", ev.Attendees, wantAtt)
	}
	checkJSEvent(t, "request", ev, "booking-42@example.org", tricky.Start, tricky.End, "CONFIRMED", 3)
	if ev.Summary != "Consultation with Harbour Therapy" || !strings.Contains(ev.Description, manageURL) || ev.URL != manageURL {
		t.Errorf("request: summary %q, description %q, url %q", ev.Summary, ev.Description, ev.URL)
	}
	if ev.Organizer != "mailto:hello@example.org" || ev.OrganizerCN != "Harbour Therapy" {
		t.Errorf("request organizer = %q CN %q", ev.Organizer, ev.OrganizerCN)
	}

	c := got["cancel"]
	if c.Method != "CANCEL" || len(c.Events) != 1 {
		t.Fatalf("cancel: %+v", c)
	}
	checkJSEvent(t, "cancel", c.Events[0], "booking-42@example.org", cancelled.Start, cancelled.End, "CANCELLED", 7)

	if l := got["long"].Events; len(l) != 1 || l[0].OrganizerCN != long.Name || !strings.Contains(l[0].Description, long.Name) {
		t.Errorf("long: ical.js read %+v", l)
	}

	s := got["slots"]
	if s.Method != "PUBLISH" || s.CalName != "Harbour Therapy — open consultation times" || s.Name != s.CalName || len(s.Events) != len(slots) {
		t.Fatalf("slots: %+v", s)
	}
	for i, ev := range s.Events {
		checkJSEvent(t, "slots", ev, "slot-"+itoa(slots[i].Start.Unix())+"@example.org", slots[i].Start, slots[i].End, "", 0)
		if len(ev.Attendees) != 0 || ev.Organizer == "" || ev.Summary != "Open: free 20-minute consultation" {
			t.Errorf("slots %d: %+v", i, ev)
		}
	}
	if e := got["empty"]; e.Method != "PUBLISH" || len(e.Events) != 0 {
		t.Errorf("empty: %+v", e)
	}

	for _, name := range []string{"private", "full"} {
		f := got[name]
		if f.Method != "PUBLISH" || f.CalName != "Harbour Therapy — consultations" || len(f.Events) != len(feedB) {
			t.Fatalf("%s: %+v", name, f)
		}
		for i, ev := range f.Events {
			b := feedB[i]
			status := "CONFIRMED"
			if b.Status == booking.StatusCancelled {
				status = "CANCELLED"
			}
			checkJSEvent(t, name, ev, "booking-"+itoa(b.ID)+"@example.org", b.Start, b.End, status, b.Sequence)
			if len(ev.Attendees) != 0 || ev.Organizer != "mailto:hello@example.org" {
				t.Errorf("%s %d: attendees %v, organizer %q", name, i, ev.Attendees, ev.Organizer)
			}
		}
	}
	if got, want := got["private"].Events[1].Summary, "Cancelled consultation: Z. X."; got != want {
		t.Errorf("private summary = %q, want %q", got, want)
	}
	full := got["full"].Events[1]
	if want := `Cancelled consultation: Zoë O'Brien, Jr.; "Z" X`; full.Summary != want {
		t.Errorf("full summary = %q, want %q", full.Summary, want)
	}
	if want := "Name: Zoë O'Brien, Jr.; \"Z\"\nX\nEmail: zoe@example.com\nPhone: —\n\nDetails: https://example.org/admin/bookings/43"; full.Description != want {
		t.Errorf("full description = %q, want %q", full.Description, want)
	}
}

func checkJSEvent(t *testing.T, file string, ev jsEvent, uid string, start, end time.Time, status string, seq int) {
	t.Helper()
	if ev.UID != uid || ev.Status != status || ev.Sequence != seq {
		t.Errorf("%s: uid %q status %q sequence %d, want %q %q %d", file, ev.UID, ev.Status, ev.Sequence, uid, status, seq)
	}
	if !ev.DTStart.Equal(start) || !ev.DTEnd.Equal(end) {
		t.Errorf("%s %s: ical.js read %v – %v, want %v – %v", file, uid, ev.DTStart, ev.DTEnd, start, end)
	}
	if !ev.DTStamp.Equal(testNow) {
		t.Errorf("%s %s: DTSTAMP %v, want %v", file, uid, ev.DTStamp, testNow)
	}
}
