package api_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"consult/api"
	"consult/booking"
	"consult/web"
)

// TestOneInstantInEveryOutputAcrossDST books three consultations around
// the hour that 1 November 2026 repeats in Los Angeles (the practice's
// zone) and checks that the API, the email text, the invitation, the
// confirmation page, the reminder and the private feed each show the same
// instant, in the right zone with the right offset.
func TestOneInstantInEveryOutputAcrossDST(t *testing.T) {
	ctx := context.Background()
	a := newMailAPI(t, time.Date(2026, 10, 20, 19, 0, 0, 0, time.UTC))
	// Sunday hours 00:00–03:00 wall clock: four real hours that day.
	if _, err := a.pool.Exec(ctx, `INSERT INTO weekly_windows (weekday, start_minute, end_minute) VALUES (0, 0, 180)`); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, zone string
		start      time.Time
		client     string // the time in the client's zone
		practice   string // the time in the practice's zone
		subject    string // the practitioner's subject
	}{
		{"first 01:00, a client in Los Angeles", "America/Los_Angeles", time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC),
			"Sunday 1 November 2026, 01:00–01:20 (Los Angeles time, UTC\u22127)", "Sunday 1 November 2026, 01:00–01:20 (Los Angeles time, UTC\u22127)",
			"New consultation booked: Sun 1 Nov, 01:00 Los Angeles time (UTC\u22127)"},
		{"across the change, a client in Tokyo", "Asia/Tokyo", time.Date(2026, 11, 1, 8, 40, 0, 0, time.UTC),
			"Sunday 1 November 2026, 17:40–18:00 (Tokyo time, UTC+9)", "Sunday 1 November 2026, 01:40 (UTC\u22127) – 01:00 (UTC\u22128), Los Angeles time",
			"New consultation booked: Sun 1 Nov, 01:40 Los Angeles time (UTC\u22127)"},
		{"second 01:20, a client in Berlin", "Europe/Berlin", time.Date(2026, 11, 1, 9, 20, 0, 0, time.UTC),
			"Sunday 1 November 2026, 10:20–10:40 (Berlin time, UTC+1)", "Sunday 1 November 2026, 01:20–01:40 (Los Angeles time, UTC\u22128)",
			"New consultation booked: Sun 1 Nov, 01:20 Los Angeles time (UTC\u22128)"},
	}
	secret, err := a.store.RotateFeedSecret(ctx, a.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, c := range cases {
		// The API: the instant in UTC, and the zone the client chose.
		r := a.do("POST", "/api/v1/bookings", map[string]string{
			"start": c.start.Format(time.RFC3339), "name": clientName(c.zone), "email": "client@example.org", "timezone": c.zone,
		}, nil)
		var b bookingBody
		r.decode(t, &b)
		if r.Status != 201 || !b.Start.Equal(c.start) || b.TimeZone != c.zone {
			t.Fatalf("%s: booked %d %s", c.name, r.Status, r.Body)
		}
		tokens[c.name] = b.token()
		r = a.do("GET", "/api/v1/bookings/"+b.token(), nil, nil)
		r.decode(t, &b)
		if !b.Start.Equal(c.start) || !b.End.Equal(c.start.Add(20*time.Minute)) {
			t.Errorf("%s: read back %s–%s", c.name, b.Start, b.End)
		}
	}

	msgs := a.deliver(0)
	if len(msgs) != 6 {
		t.Fatalf("%d messages, want a confirmation and a notice for each of 3 bookings", len(msgs))
	}
	for _, c := range cases {
		m := mailWith(t, msgs, clientName(c.zone), "is confirmed")
		if !strings.Contains(m.Text, c.client) || !strings.Contains(m.Text, c.practice) {
			t.Errorf("%s: confirmation text lacks %q or %q:\n%s", c.name, c.client, c.practice, m.Text)
		}
		if !strings.Contains(m.Text, "/manage/"+tokens[c.name]) {
			t.Errorf("%s: confirmation lacks its manage link", c.name)
		}
		ev := invitationEvent(t, m.Calendar)
		if got, err := ev.DateTimeStart(time.UTC); err != nil || !got.Equal(c.start) {
			t.Errorf("%s: invitation DTSTART %s (%v), want %s", c.name, got, err, c.start)
		}
		n := mailWith(t, msgs, clientName(c.zone), c.subject)
		if !strings.Contains(n.Text, c.practice) {
			t.Errorf("%s: practitioner notice lacks %q", c.name, c.practice)
		}
	}
	if m := mailWith(t, msgs, clientName("America/Los_Angeles"), "is confirmed"); !strings.Contains(m.Text, "(also the practice's time)") {
		t.Errorf("a client in the practice's zone is shown two times:\n%s", m.Text)
	}

	// The confirmation page, on the same store and clock: the times it
	// shows in the client's zone and in the practice's are the instants of
	// the email and the invitation checked above.
	pages := a.pageServer()
	for _, c := range cases {
		shown := confirmationTimes(t, pages+"/manage/"+tokens[c.name]+"/confirmation")
		want := []shownTime{{placeOf(c.zone), c.start, c.start.Add(20 * time.Minute)}}
		if c.zone != "America/Los_Angeles" {
			want = append(want, shownTime{"Los Angeles", c.start, c.start.Add(20 * time.Minute)})
		}
		if len(shown) != len(want) {
			t.Errorf("%s: confirmation shows %d times %v, want %v", c.name, len(shown), shown, want)
			continue
		}
		for i := range want {
			if shown[i].city != want[i].city || !shown[i].start.Equal(want[i].start) || !shown[i].end.Equal(want[i].end) {
				t.Errorf("%s: confirmation shows %s, want %s", c.name, shown[i], want[i])
			}
		}
	}

	// The reminders, 24 hours before each: the same instants again.
	a.clock.Set(time.Date(2026, 10, 31, 9, 20, 0, 0, time.UTC))
	reminders := a.deliver(6)
	if len(reminders) != 3 {
		t.Fatalf("%d reminders, want 3", len(reminders))
	}
	for _, c := range cases {
		m := mailWith(t, reminders, clientName(c.zone), "Reminder")
		if !strings.Contains(m.Text, c.client) {
			t.Errorf("%s: reminder lacks %q:\n%s", c.name, c.client, m.Text)
		}
	}

	// The practitioner's feed: the same instants, by the invitations' UIDs.
	r := a.do("GET", "/calendar/bookings/"+secret+".ics", nil, nil)
	if r.Status != 200 {
		t.Fatalf("bookings feed: %d %s", r.Status, r.Body)
	}
	cal, err := ical.NewDecoder(bytes.NewReader(r.Body)).Decode()
	if err != nil {
		t.Fatalf("feed does not parse: %v", err)
	}
	starts := map[string]time.Time{}
	for _, ev := range cal.Events() {
		uid, _ := ev.Props.Text(ical.PropUID)
		starts[uid], _ = ev.DateTimeStart(time.UTC)
	}
	for _, c := range cases {
		m := mailWith(t, msgs, clientName(c.zone), "is confirmed")
		uid, _ := invitationEvent(t, m.Calendar).Props.Text(ical.PropUID)
		if got, ok := starts[uid]; !ok || !got.Equal(c.start) {
			t.Errorf("%s: feed has %s for %s, want %s", c.name, got, uid, c.start)
		}
	}
}

// mailWith returns the one message whose text mentions who and whose
// subject contains subject.
// clientName is the name a test client in zone books under: one that
// reads as a name, so the emails greet them by it.
func clientName(zone string) string {
	return "Client " + strings.NewReplacer("/", " ", "_", " ").Replace(zone)
}

func mailWith(t *testing.T, msgs []parsedMail, who, subject string) parsedMail {
	t.Helper()
	var found []parsedMail
	for _, m := range msgs {
		if strings.Contains(m.Text, who) && strings.Contains(decodeSubject(m), subject) {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d messages about %q with subject %q", len(found), who, subject)
	}
	return found[0]
}

func invitationEvent(t *testing.T, data []byte) *ical.Event {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil || len(cal.Events()) != 1 {
		t.Fatalf("invitation: %v\n%s", err, data)
	}
	return &cal.Events()[0]
}

// pageServer serves the site's pages from the mail test's store and clock
// and returns its URL.
func (a *mailAPI) pageServer() string {
	a.t.Helper()
	renderer, err := web.NewRenderer(web.RendererOptions{})
	if err != nil {
		a.t.Fatal(err)
	}
	h, err := api.New(api.Config{BaseURL: "http://consult.test", MailFrom: "bookings@consult.test"},
		api.Deps{Service: booking.NewService(a.store, a.clock.Now), Web: renderer})
	if err != nil {
		a.t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	a.t.Cleanup(ts.Close)
	return ts.URL
}

// shownTime is a time a page shows: the place named with its zone, and
// the instants its wall-clock start and end stand for.
type shownTime struct {
	city       string
	start, end time.Time
}

func (s shownTime) String() string {
	return fmt.Sprintf("%s %s–%s", s.city, s.start.UTC().Format(time.RFC3339), s.end.UTC().Format(time.RFC3339))
}

var (
	// The booking summary: "<date>", "<start> to <end>", "<zone>" in the
	// client's zone, then the same in the practice's when it differs.
	clientTimeRE   = regexp.MustCompile(`<dt>When</dt><dd><strong>([^<]+)</strong><br>([^<]+) to ([^<]+)<br><span class="muted">([^<]+)</span>`)
	practiceTimeRE = regexp.MustCompile(`<dt>The practice’s time</dt><dd>([^<,]+), ([^<]+) to ([^<]+)<br><span class="muted">([^<]+)</span>`)
	// An offset as pages write it: "UTC+09:00", "UTC−08:00" or "UTC".
	offsetRE = regexp.MustCompile(`\(?UTC(?:([+−])(\d{1,2})(?::(\d\d))?)?\)?$`)
)

// confirmationTimes reads the times a confirmation page shows, turning
// each wall-clock time back into an instant with the offset shown beside it.
func confirmationTimes(t *testing.T, url string) []shownTime {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	r := string(raw)
	var out []shownTime
	for _, re := range []*regexp.Regexp{clientTimeRE, practiceTimeRE} {
		m := re.FindStringSubmatch(r)
		if m == nil {
			continue
		}
		date, start, end, zone := html.UnescapeString(m[1]), html.UnescapeString(m[2]), html.UnescapeString(m[3]), html.UnescapeString(m[4])
		city, _, _ := strings.Cut(zone, " (")
		city = strings.TrimSuffix(city, " time")
		st := shownTime{city: city}
		if st.start, err = wallClock(date, start, zone); err != nil {
			t.Errorf("start %q in %q: %v", start, zone, err)
		}
		if st.end, err = wallClock(date, end, zone); err != nil {
			t.Errorf("end %q in %q: %v", end, zone, err)
		}
		if st.end.Before(st.start) { // past midnight
			st.end = st.end.AddDate(0, 0, 1)
		}
		out = append(out, st)
	}
	if len(out) == 0 {
		t.Fatalf("no times on the confirmation page:\n%s", r)
	}
	return out
}

// wallClock is the instant a page's "1:40 AM" on "Sunday 1 November 2026"
// stands for: with the offset written after the time when there is one,
// else the zone's.
func wallClock(date, clock, zone string) (time.Time, error) {
	off := offsetRE.FindStringSubmatch(clock)
	if off != nil {
		clock = strings.TrimSpace(strings.TrimSuffix(clock, off[0]))
	} else if off = offsetRE.FindStringSubmatch(zone); off == nil {
		return time.Time{}, fmt.Errorf("no UTC offset shown")
	}
	secs := 0
	if off[1] != "" {
		h, _ := strconv.Atoi(off[2])
		m, _ := strconv.Atoi(off[3])
		secs = h*3600 + m*60
		if off[1] == "−" {
			secs = -secs
		}
	}
	// The page keeps "PM" with its time by a no-break space. It writes
	// the clock the booking was made with, 12- or 24-hour.
	clock = strings.ReplaceAll(clock, "\u00a0", " ")
	layout := "Monday 2 January 2006 15:04"
	if strings.HasSuffix(clock, "M") {
		layout = "Monday 2 January 2006 3:04 PM"
	}
	return time.ParseInLocation(layout, date+" "+clock, time.FixedZone("", secs))
}

// placeOf is how pages name a zone: "Asia/Tokyo" → "Tokyo".
func placeOf(zone string) string {
	return strings.ReplaceAll(zone[strings.LastIndexByte(zone, '/')+1:], "_", " ")
}
