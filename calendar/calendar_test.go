package calendar

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"consult/booking"

	"github.com/emersion/go-ical"
)

var testNow = time.Date(2026, 10, 20, 9, 30, 15, 0, time.UTC)

func testPractice() Practice {
	return Practice{
		Name:     "Harbour Therapy",
		Email:    "Harbour Therapy <hello@example.org>",
		BaseURL:  "https://example.org/",
		TimeZone: "America/Los_Angeles",
	}
}

func testBooking() booking.Booking {
	start := time.Date(2026, 11, 8, 17, 0, 0, 0, time.UTC)
	return booking.Booking{
		ID:        42,
		Start:     start,
		End:       start.Add(20 * time.Minute),
		Status:    booking.StatusConfirmed,
		Name:      "Ana-María López",
		Email:     "ana@example.net",
		Phone:     "+1 555 0100",
		Note:      "Ketamine questions",
		TimeZone:  "Europe/Madrid",
		Sequence:  3,
		CreatedAt: time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC),
		UpdatedAt: time.Date(2026, 10, 2, 8, 0, 0, 0, time.UTC),
	}
}

// decode checks the physical form of out (CRLF lines, each at most 75
// octets of valid UTF-8, no bare CR or LF) and parses it with go-ical.
func decode(t *testing.T, out []byte) *ical.Calendar {
	t.Helper()
	if !bytes.HasSuffix(out, []byte("\r\n")) {
		t.Fatalf("output does not end in CRLF:\n%s", out)
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(out), "\r\n"), "\r\n") {
		if len(line) > maxLine {
			t.Errorf("line %d has %d octets: %q", i+1, len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line %d is not valid UTF-8: %q", i+1, line)
		}
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i+1, line)
		}
	}
	cal, err := ical.NewDecoder(bytes.NewReader(out)).Decode()
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, out)
	}
	return cal
}

// events returns the calendar's VEVENTs.
func events(t *testing.T, cal *ical.Calendar) []ical.Event {
	t.Helper()
	return cal.Events()
}

// text returns the value of a property, unescaped when its type is TEXT
// (failing on a bad escape), as written otherwise (URL, SEQUENCE).
func text(t *testing.T, props ical.Props, name string) string {
	t.Helper()
	if p := props.Get(name); p != nil && p.ValueType() != ical.ValueText {
		return p.Value
	}
	s, err := props.Text(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

// raw returns the single property name's value as written.
func raw(t *testing.T, props ical.Props, name string) string {
	t.Helper()
	l := props.Values(name)
	if len(l) != 1 {
		t.Fatalf("want one %s, got %d", name, len(l))
	}
	return l[0].Value
}

// instant parses a DATE-TIME property and checks it is written in UTC.
func instant(t *testing.T, props ical.Props, name string) time.Time {
	t.Helper()
	p := props.Get(name)
	if p == nil {
		t.Fatalf("no %s", name)
	}
	if !strings.HasSuffix(p.Value, "Z") || p.Params.Get(ical.ParamTimezoneID) != "" {
		t.Errorf("%s = %q %v, want a UTC DATE-TIME", name, p.Value, p.Params)
	}
	v, err := p.DateTime(nil)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

func TestPracticeErrors(t *testing.T) {
	cases := map[string]func(*Practice){
		"no name":       func(p *Practice) { p.Name = " " },
		"relative base": func(p *Practice) { p.BaseURL = "/consult" },
		"no host":       func(p *Practice) { p.BaseURL = "https://" },
		"bad email":     func(p *Practice) { p.Email = "not an address" },
		"bad zone":      func(p *Practice) { p.TimeZone = "Mars/Olympus" },
		"local zone":    func(p *Practice) { p.TimeZone = "Local" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			p := testPractice()
			mutate(&p)
			if _, err := AvailabilityFeed(p, nil, testNow); err == nil {
				t.Error("AvailabilityFeed: no error")
			}
			if _, err := BookingsFeed(p, nil, false, testNow); err == nil {
				t.Error("BookingsFeed: no error")
			}
			if _, err := Invitation(p, testBooking(), "", MethodRequest, testNow); err == nil {
				t.Error("Invitation: no error")
			}
		})
	}
}

func TestBaseURLWithPath(t *testing.T) {
	p := testPractice()
	p.BaseURL = "https://example.org:8443/consult/"
	out, err := BookingsFeed(p, []booking.Booking{testBooking()}, false, testNow)
	if err != nil {
		t.Fatal(err)
	}
	ev := events(t, decode(t, out))[0]
	if got, want := raw(t, ev.Props, ical.PropURL), "https://example.org:8443/consult/admin/bookings/42"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
	if got, want := text(t, ev.Props, ical.PropUID), "booking-42@example.org"; got != want {
		t.Errorf("UID = %q, want %q (no port)", got, want)
	}
}

func TestMethodContentType(t *testing.T) {
	if got, want := MethodRequest.ContentType(), "text/calendar; charset=utf-8; method=REQUEST"; got != want {
		t.Errorf("ContentType = %q, want %q", got, want)
	}
}

func TestInitials(t *testing.T) {
	cases := []struct{ name, want string }{
		{"Ana-María López", "A. L."},
		{"ana lópez", "A. L."},
		{"Zoë O'Brien, Jr.; \"Z\"\nX", "Z. X."},
		{"  Cher  ", "C."},
		{"Jean Paul Sartre", "J. S."},
		{"\"Quoted\" (Name)", "Q. N."},
		{"E\u0301mile Zola", "E\u0301. Z."},
		{"Ørjan Åsmund Øvrebø", "Ø. Ø."},
		{"李 小龍", "李. 小."},
		{"", "?"},
		{"  ", "?"},
		{"123 !!", "?"},
	}
	for _, c := range cases {
		if got := Initials(c.name); got != c.want {
			t.Errorf("Initials(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestCleanParam(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Zoë O'Brien, Jr.; \"Z\"\nX", "Zoë O'Brien, Jr.; 'Z' X"},
		{"Eve\r\nATTENDEE:mailto:evil@example.com", "Eve ATTENDEE:mailto:evil@example.com"},
		{"a\x00b\x7fc\u0085d\te", "abcd e"},
		{"  lead  and  trail  ", "lead and trail"},
		{"x^ny ^'q' ^^ ^a", "x^^ny ^^'q' ^^^ ^a"},
		{"bad\xffbyte", "bad\uFFFDbyte"},
	}
	for _, c := range cases {
		if got := cleanParam(c.in); got != c.want {
			t.Errorf("cleanParam(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCleanText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"a\r\nb\rc\nd\te", "a\nb\nc\nd\te"},
		{"nul\x00 del\x7f", "nul del"},
		{"plain, ok; \\ fine", "plain, ok; \\ fine"},
	}
	for _, c := range cases {
		if got := cleanText(c.in); got != c.want {
			t.Errorf("cleanText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got, want := oneLine("a\r\nb\t c"), "a b c"; got != want {
		t.Errorf("oneLine = %q, want %q", got, want)
	}
}
