package calendar

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"consult/booking"

	"github.com/emersion/go-ical"
)

func testSlots() []booking.Slot {
	start := time.Date(2026, 11, 9, 17, 0, 0, 0, time.UTC)
	var slots []booking.Slot
	for i := range 3 {
		s := start.Add(time.Duration(i) * 30 * time.Minute)
		slots = append(slots, booking.Slot{Start: s, End: s.Add(20 * time.Minute)})
	}
	return slots
}

// checkFeedHeader checks what both feeds carry at calendar level.
func checkFeedHeader(t *testing.T, out []byte, cal *ical.Calendar, name string) {
	t.Helper()
	for prop, want := range map[string]string{
		ical.PropMethod:    "PUBLISH",
		ical.PropVersion:   "2.0",
		ical.PropProductID: prodID,
		ical.PropName:      name,
		"X-WR-CALNAME":     name,
		"X-WR-TIMEZONE":    "America/Los_Angeles",
		"X-PUBLISHED-TTL":  "PT15M",
	} {
		if got := text(t, cal.Props, prop); got != want {
			t.Errorf("%s = %q, want %q", prop, got, want)
		}
	}
	for _, line := range []string{"X-WR-CALNAME:" + name, "X-WR-TIMEZONE:America/Los_Angeles"} {
		if !strings.Contains(unfold(string(out)), "\r\n"+line+"\r\n") {
			t.Errorf("no %q line:\n%s", line, out)
		}
	}
	// go-ical drops VALUE=DURATION, which RFC 7986 requires here.
	if !strings.Contains(string(out), "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n") {
		t.Errorf("no REFRESH-INTERVAL;VALUE=DURATION:PT15M line:\n%s", out)
	}
	if d, err := cal.Props.Get(ical.PropRefreshInterval).Duration(); err != nil || d != 15*time.Minute {
		t.Errorf("REFRESH-INTERVAL = %v, %v; want 15m", d, err)
	}
}

func TestAvailabilityFeed(t *testing.T) {
	slots := testSlots()
	out, err := AvailabilityFeed(testPractice(), slots, testNow)
	if err != nil {
		t.Fatal(err)
	}
	cal := decode(t, out)
	checkFeedHeader(t, out, cal, "Harbour Therapy — open consultation times")
	evs := events(t, cal)
	if len(evs) != len(slots) {
		t.Fatalf("%d events, want %d", len(evs), len(slots))
	}
	// Allow-list: anything else could carry data the public must not see.
	allowed := []string{"UID", "DTSTAMP", "DTSTART", "DTEND", "ORGANIZER", "SUMMARY", "DESCRIPTION", "URL", "TRANSP"}
	for i, ev := range evs {
		s := slots[i]
		for name := range ev.Props {
			if !slices.Contains(allowed, name) {
				t.Errorf("slot %d has property %s", i, name)
			}
		}
		if got, want := text(t, ev.Props, ical.PropUID), "slot-"+itoa(s.Start.Unix())+"@example.org"; got != want {
			t.Errorf("UID = %q, want %q", got, want)
		}
		if got := text(t, ev.Props, ical.PropSummary); got != "Open: free 20-minute consultation" {
			t.Errorf("SUMMARY = %q", got)
		}
		if got := text(t, ev.Props, ical.PropTransparency); got != "TRANSPARENT" {
			t.Errorf("TRANSP = %q", got)
		}
		if !instant(t, ev.Props, ical.PropDateTimeStart).Equal(s.Start) || !instant(t, ev.Props, ical.PropDateTimeEnd).Equal(s.End) {
			t.Errorf("slot %d times differ", i)
		}
		instant(t, ev.Props, ical.PropDateTimeStamp)
		u, err := url.Parse(text(t, ev.Props, ical.PropURL))
		if err != nil || u.Scheme != "https" || u.Host != "example.org" || u.Path != "/book" ||
			u.Query().Get("start") != s.Start.Format(time.RFC3339) {
			t.Errorf("URL = %v (%v), want /book?start=%s", u, err, s.Start.Format(time.RFC3339))
		}
		if !strings.Contains(text(t, ev.Props, ical.PropDescription), u.String()) {
			t.Errorf("DESCRIPTION lacks the booking link")
		}
		if ev.Props.Get(ical.PropOrganizer) == nil {
			t.Errorf("slot %d has no ORGANIZER", i)
		}
	}
	// A later fetch keeps every slot's UID.
	again, err := AvailabilityFeed(testPractice(), slots[1:], testNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := text(t, events(t, decode(t, again))[0].Props, ical.PropUID), text(t, evs[1].Props, ical.PropUID); got != want {
		t.Errorf("UID changed between fetches: %q → %q", want, got)
	}
}

func TestEmptyFeeds(t *testing.T) {
	outs := map[string]func() ([]byte, error){
		"slots":    func() ([]byte, error) { return AvailabilityFeed(testPractice(), nil, testNow) },
		"bookings": func() ([]byte, error) { return BookingsFeed(testPractice(), nil, false, testNow) },
	}
	for name, f := range outs {
		out, err := f()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cal := decode(t, out)
		if len(cal.Children) != 0 || strings.Contains(string(out), emptyMarker) {
			t.Errorf("%s: empty feed has components:\n%s", name, out)
		}
		if text(t, cal.Props, ical.PropMethod) != "PUBLISH" {
			t.Errorf("%s: METHOD missing", name)
		}
	}
}

func TestFeedRejectsBadSpan(t *testing.T) {
	s := testSlots()[0]
	s.End = s.Start.Add(-time.Minute)
	if _, err := AvailabilityFeed(testPractice(), []booking.Slot{s}, testNow); err == nil {
		t.Error("AvailabilityFeed: no error for end before start")
	}
	b := testBooking()
	b.Start = time.Time{}
	if _, err := BookingsFeed(testPractice(), []booking.Booking{b}, false, testNow); err == nil {
		t.Error("BookingsFeed: no error for zero start")
	}
	b = testBooking()
	b.ID = 0
	if _, err := BookingsFeed(testPractice(), []booking.Booking{b}, false, testNow); err == nil {
		t.Error("BookingsFeed: no error for a booking without ID")
	}
}

func feedBookings() []booking.Booking {
	a := testBooking()
	c := testBooking()
	c.ID, c.Name, c.Email, c.Phone = 43, "Zoë O'Brien, Jr.; \"Z\"\nX", "zoe@example.com", ""
	c.Status, c.Sequence = booking.StatusCancelled, 2
	c.Start, c.End = a.Start.Add(time.Hour), a.End.Add(time.Hour)
	return []booking.Booking{a, c}
}

func TestBookingsFeedPrivateByDefault(t *testing.T) {
	bs := feedBookings()
	out, err := BookingsFeed(testPractice(), bs, false, testNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		for _, secret := range []string{"Ana", "López", "Zoë", "O'Brien", b.Email, b.Phone, b.Note} {
			if secret != "" && strings.Contains(string(out), secret) {
				t.Errorf("feed holds %q:\n%s", secret, out)
			}
		}
	}
	cal := decode(t, out)
	checkFeedHeader(t, out, cal, "Harbour Therapy — consultations")
	evs := events(t, cal)
	want := []struct{ summary, status, seq, url string }{
		{"Consultation: A. L.", "CONFIRMED", "3", "https://example.org/admin/bookings/42"},
		{"Cancelled consultation: Z. X.", "CANCELLED", "2", "https://example.org/admin/bookings/43"},
	}
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d", len(evs), len(want))
	}
	for i, ev := range evs {
		w := want[i]
		got := [4]string{text(t, ev.Props, ical.PropSummary), text(t, ev.Props, ical.PropStatus),
			text(t, ev.Props, ical.PropSequence), text(t, ev.Props, ical.PropURL)}
		if got != [4]string{w.summary, w.status, w.seq, w.url} {
			t.Errorf("event %d: got %q, want %+v", i, got, w)
		}
		if desc := text(t, ev.Props, ical.PropDescription); desc != "Details: "+w.url {
			t.Errorf("event %d: DESCRIPTION = %q", i, desc)
		}
		checkFeedEvent(t, ev, bs[i])
	}
}

func TestBookingsFeedFull(t *testing.T) {
	bs := feedBookings()
	out, err := BookingsFeed(testPractice(), bs, true, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), bs[0].Note) {
		t.Error("full feed holds the client's note")
	}
	evs := events(t, decode(t, out))
	if got, want := text(t, evs[0].Props, ical.PropSummary), "Consultation: Ana-María López"; got != want {
		t.Errorf("SUMMARY = %q, want %q", got, want)
	}
	if got, want := text(t, evs[1].Props, ical.PropSummary), `Cancelled consultation: Zoë O'Brien, Jr.; "Z" X`; got != want {
		t.Errorf("SUMMARY = %q, want %q", got, want)
	}
	for i, ev := range evs {
		b := bs[i]
		desc := text(t, ev.Props, ical.PropDescription)
		wantDesc := "Name: " + b.Name + "\nEmail: " + b.Email + "\nPhone: " + orDash(b.Phone) +
			"\n\nDetails: https://example.org/admin/bookings/" + itoa(b.ID)
		if desc != wantDesc {
			t.Errorf("DESCRIPTION = %q, want %q", desc, wantDesc)
		}
		checkFeedEvent(t, ev, b)
	}
}

// checkFeedEvent checks what every bookings feed event has.
func checkFeedEvent(t *testing.T, ev ical.Event, b booking.Booking) {
	t.Helper()
	if got, want := text(t, ev.Props, ical.PropUID), "booking-"+itoa(b.ID)+"@example.org"; got != want {
		t.Errorf("UID = %q, want %q", got, want)
	}
	if n := len(ev.Props.Values(ical.PropAttendee)); n != 0 {
		t.Errorf("%d ATTENDEEs, want none", n)
	}
	if org := ev.Props.Get(ical.PropOrganizer); org == nil || org.Value != "mailto:hello@example.org" {
		t.Errorf("ORGANIZER = %+v", org)
	}
	if !instant(t, ev.Props, ical.PropDateTimeStart).Equal(b.Start) || !instant(t, ev.Props, ical.PropDateTimeEnd).Equal(b.End) {
		t.Error("times differ")
	}
	if !instant(t, ev.Props, ical.PropDateTimeStamp).Equal(testNow) {
		t.Error("DTSTAMP is not now")
	}
}

// TestTextEscaping checks that commas, semicolons, backslashes and line
// breaks survive the trip through TEXT escaping.
func TestTextEscaping(t *testing.T) {
	b := testBooking()
	b.Name = `a,b;c\d` + "\ne\r\nf\rg"
	out, err := BookingsFeed(testPractice(), []booking.Booking{b}, true, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(unfold(string(out)), `Name: a\,b\;c\\d\ne\nf\ng\n`) {
		t.Errorf("DESCRIPTION not escaped as RFC 5545 §3.3.11 says:\n%s", out)
	}
	ev := events(t, decode(t, out))[0]
	if got, want := text(t, ev.Props, ical.PropDescription), "Name: a,b;c\\d\ne\nf\ng\nEmail:"; !strings.HasPrefix(got, want) {
		t.Errorf("DESCRIPTION = %q, want prefix %q", got, want)
	}
	if got, want := text(t, ev.Props, ical.PropSummary), `Consultation: a,b;c\d e f g`; got != want {
		t.Errorf("SUMMARY = %q, want %q", got, want)
	}
}

// TestDST checks events across DST changes keep their instants.
func TestDST(t *testing.T) {
	for _, b := range dstBookings(t) {
		out, err := Invitation(testPractice(), b, manageURL, MethodRequest, testNow)
		if err != nil {
			t.Fatal(err)
		}
		ev := events(t, decode(t, out))[0]
		if got := instant(t, ev.Props, ical.PropDateTimeStart); !got.Equal(b.Start) {
			t.Errorf("DTSTART = %v, want %v", got, b.Start)
		}
		if got := instant(t, ev.Props, ical.PropDateTimeEnd); !got.Equal(b.End) {
			t.Errorf("DTEND = %v, want %v", got, b.End)
		}
	}
}

// dstBookings are 20-minute bookings that straddle DST changes, given in
// their zone so any wall-clock arithmetic would show.
func dstBookings(t *testing.T) []booking.Booking {
	t.Helper()
	la, err1 := time.LoadLocation("America/Los_Angeles")
	berlin, err2 := time.LoadLocation("Europe/Berlin")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	at := func(id int64, start time.Time, loc *time.Location) booking.Booking {
		b := testBooking()
		b.ID, b.Start, b.End = id, start.In(loc), start.Add(20*time.Minute).In(loc)
		return b
	}
	return []booking.Booking{
		at(1, time.Date(2026, 11, 1, 8, 50, 0, 0, time.UTC), la),     // 01:50 PDT – 01:10 PST
		at(2, time.Date(2026, 11, 1, 9, 50, 0, 0, time.UTC), la),     // 01:50 PST – 02:10 PST, the repeated hour
		at(3, time.Date(2026, 3, 29, 0, 50, 0, 0, time.UTC), berlin), // 01:50 CET – 03:10 CEST
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
