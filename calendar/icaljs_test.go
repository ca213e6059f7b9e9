package calendar

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"consult/booking"
)

// jsCalendar is what testdata/icaljs/check.mjs reports for one file.
type jsCalendar struct {
	Method  string    `json:"method"`
	CalName string    `json:"calname"`
	Name    string    `json:"name"`
	Events  []jsEvent `json:"events"`
}

type jsEvent struct {
	UID         string       `json:"uid"`
	Summary     string       `json:"summary"`
	Description string       `json:"description"`
	URL         string       `json:"url"`
	DTStart     time.Time    `json:"dtstart"`
	DTEnd       time.Time    `json:"dtend"`
	DTStamp     time.Time    `json:"dtstamp"`
	Status      string       `json:"status"`
	Sequence    int          `json:"sequence"`
	Organizer   string       `json:"organizer"`
	OrganizerCN string       `json:"organizerCN"`
	Attendees   []jsAttendee `json:"attendees"`
}

type jsAttendee struct {
	Value string `json:"value"`
	CN    string `json:"cn"`
}

// parseICALJS parses each object with Mozilla's ical.js, an implementation
// independent of go-ical, and returns what it read, by name. Every check
// against ical.js goes through here. Without node or an installed
// testdata/icaljs/node_modules it skips the test, except under CI=true,
// where CI is meant to have run `npm ci` there and a skip would hide it.
func parseICALJS(t *testing.T, objects map[string][]byte) map[string]jsCalendar {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "icaljs"))
	if err != nil {
		t.Fatal(err)
	}
	unavailable := func(why string) {
		t.Helper()
		msg := "ical.js check unavailable: " + why + " (run `npm ci` in calendar/testdata/icaljs)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		unavailable("node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "ical.js", "package.json")); err != nil {
		unavailable("ical.js is not installed")
	}

	tmp := t.TempDir()
	args := []string{filepath.Join(dir, "check.mjs")}
	paths := map[string]string{}
	for name, data := range objects {
		path := filepath.Join(tmp, name+".ics")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
		paths[name] = path
	}
	cmd := exec.Command(node, args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ical.js: %v\n%s", err, stderr.String())
	}
	var byPath map[string]jsCalendar
	if err := json.Unmarshal(out, &byPath); err != nil {
		t.Fatalf("ical.js output: %v\n%s", err, out)
	}
	got := map[string]jsCalendar{}
	for name, path := range paths {
		c, ok := byPath[path]
		if !ok {
			t.Fatalf("ical.js did not report %s", name)
		}
		got[name] = c
	}
	return got
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
