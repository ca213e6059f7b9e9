package api_test

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"consult/booking"
	"consult/calendar/icaltest"
)

const day = 24 * time.Hour

// feedByUID indexes a feed's events by booking id.
func feedByUID(t *testing.T, body []byte) map[int64]ical.Event {
	t.Helper()
	out := map[int64]ical.Event{}
	for _, ev := range feedEvents(t, body) {
		uid := feedProp(t, ev, ical.PropUID)
		id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(uid, "booking-"), "@consult.test"), 10, 64)
		if err != nil {
			t.Fatalf("UID %q", uid)
		}
		out[id] = ev
	}
	return out
}

func TestBookingsFeedContent(t *testing.T) {
	f := newFeedTest(t)
	at := func(d time.Duration) *time.Time { t := testNow.Add(d); return &t }
	upcoming := f.insert(t, booking.Booking{Name: "Ana-María López", Email: "ana@example.net", Phone: "+1 555 0100",
		Start: time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)})
	held := f.insert(t, booking.Booking{Name: "Ben Held", Email: "ben@example.net", Status: booking.StatusCompleted,
		Start: testNow.Add(-80 * day)})
	old := f.insert(t, booking.Booking{Name: "Olga Old", Email: "olga@example.net", Start: testNow.Add(-100 * day)})
	cancelled := f.insert(t, booking.Booking{Name: "Carl Cancel", Email: "carl@example.net", Status: booking.StatusCancelled,
		Start: testNow.Add(5 * day), CancelledAt: at(-10 * day)})
	gone := f.insert(t, booking.Booking{Name: "Gina Gone", Email: "gina@example.net", Status: booking.StatusCancelled,
		Start: testNow.Add(6 * day), CancelledAt: at(-40 * day)})

	r := f.get(f.private)
	for k, want := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
		"X-Robots-Tag": "noindex, nofollow"} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	body := string(r.Body)
	for _, secret := range []string{"Ana", "López", "ana@example.net", "555 0100", "Held", "Carl", "Olga", "Gina"} {
		if strings.Contains(body, secret) {
			t.Errorf("private feed shows %q with initials only", secret)
		}
	}
	evs := feedByUID(t, r.Body)
	if len(evs) != 3 || !hasKeys(evs, upcoming, held, cancelled) {
		t.Fatalf("feed has bookings %v, want %d, %d and %d (not %d, started 100 days ago, or %d, cancelled 40 days ago)",
			keys(evs), upcoming, held, cancelled, old, gone)
	}
	for id, want := range map[int64][2]string{upcoming: {"Consultation: A. L.", "CONFIRMED"},
		held: {"Consultation: B. H.", "CONFIRMED"}, cancelled: {"Cancelled consultation: C. C.", "CANCELLED"}} {
		if got := [2]string{feedProp(t, evs[id], ical.PropSummary), feedProp(t, evs[id], ical.PropStatus)}; got != want {
			t.Errorf("booking %d: %q, want %q", id, got, want)
		}
	}

	if err := f.srv.Feeds().SetSettings(context.Background(), booking.FeedSettings{FullDetails: true}); err != nil {
		t.Fatal(err)
	}
	full := f.get(f.private)
	if full.Header.Get("ETag") == r.Header.Get("ETag") {
		t.Error("showing full details kept the entity tag")
	}
	ev := feedByUID(t, full.Body)[upcoming]
	if got := feedProp(t, ev, ical.PropSummary); got != "Consultation: Ana-María López" {
		t.Errorf("full summary %q", got)
	}
	if d := feedProp(t, ev, ical.PropDescription); !strings.Contains(d, "ana@example.net") || !strings.Contains(d, "+1 555 0100") {
		t.Errorf("full description %q lacks the contact details", d)
	}

	js := icaltest.Parse(t, map[string][]byte{"initials": r.Body, "full": full.Body})
	for name, c := range js {
		if c.Method != "PUBLISH" || c.CalName != "Consult — consultations" || len(c.Events) != 3 {
			t.Fatalf("ical.js read %s: %s %q, %d events", name, c.Method, c.CalName, len(c.Events))
		}
		for _, e := range c.Events {
			if len(e.Attendees) != 0 || e.Organizer == "" {
				t.Errorf("%s %s: organizer %q, %d attendees", name, e.UID, e.Organizer, len(e.Attendees))
			}
		}
	}
}

func hasKeys(m map[int64]ical.Event, ids ...int64) bool {
	for _, id := range ids {
		if _, ok := m[id]; !ok {
			return false
		}
	}
	return true
}

func keys(m map[int64]ical.Event) []int64 {
	var out []int64
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestBookingsFeedAcrossDST puts a consultation over the end of daylight
// saving time in Los Angeles (01:50 PDT to 01:10 PST) and another in the
// repeated hour, and expects both parsers to read the exact instants.
func TestBookingsFeedAcrossDST(t *testing.T) {
	f := newFeedTest(t)
	la, _ := time.LoadLocation("America/Los_Angeles")
	straddle := time.Date(2026, 11, 1, 1, 50, 0, 0, la) // the first 01:50, PDT
	repeated := straddle.Add(time.Hour)                 // the second 01:50, PST
	ids := []int64{
		f.insert(t, booking.Booking{Name: "Dora Summers", Email: "d@example.net", Start: straddle}),
		f.insert(t, booking.Booking{Name: "Rex Peat", Email: "r@example.net", Start: repeated}),
	}
	starts := []time.Time{straddle, repeated}
	r := f.get(f.private)
	evs := feedByUID(t, r.Body)
	for i, id := range ids {
		ev := evs[id]
		start, err := ev.DateTimeStart(la)
		if err != nil {
			t.Fatal(err)
		}
		end, err := ev.DateTimeEnd(la)
		if err != nil {
			t.Fatal(err)
		}
		if !start.Equal(starts[i]) || end.Sub(start) != 20*time.Minute {
			t.Errorf("booking %d: go-ical read %v – %v, want %v for 20 minutes", id, start, end, starts[i])
		}
	}
	if got := evs[ids[0]].Props.Get(ical.PropDateTimeStart).Value; got != "20261101T085000Z" {
		t.Errorf("DTSTART %q, want 20261101T085000Z", got)
	}
	if start, end := evs[ids[0]].Props.Get(ical.PropDateTimeStart), evs[ids[0]].Props.Get(ical.PropDateTimeEnd); start.Params.Get(ical.ParamTimezoneID) != "" ||
		end.Value != "20261101T091000Z" {
		t.Errorf("DTSTART %v, DTEND %v; want UTC, ending 09:10Z", start, end)
	}
	if s, e := starts[0], starts[0].Add(20*time.Minute); s.Format("15:04 MST") != "01:50 PDT" || e.Format("15:04 MST") != "01:10 PST" {
		t.Fatalf("the test booking does not straddle the change: %s – %s", s.Format("15:04 MST"), e.Format("15:04 MST"))
	}

	js := icaltest.Parse(t, map[string][]byte{"dst": r.Body})["dst"]
	found := 0
	for _, ev := range js.Events {
		for i, id := range ids {
			if ev.UID == "booking-"+strconv.FormatInt(id, 10)+"@consult.test" {
				found++
				if !ev.DTStart.Equal(starts[i]) || ev.DTEnd.Sub(ev.DTStart) != 20*time.Minute {
					t.Errorf("ical.js read booking %d as %v – %v, want %v for 20 minutes", id, ev.DTStart, ev.DTEnd, starts[i])
				}
			}
		}
	}
	if found != 2 {
		t.Errorf("ical.js found %d of the 2 bookings", found)
	}
}

// TestBookingsFeedSecret expects every request without the current secret
// to get exactly what an unknown path gets.
func TestBookingsFeedSecret(t *testing.T) {
	f := newFeedTest(t)
	for _, accept := range []string{"", "text/calendar", "text/html"} {
		h := map[string]string{"Accept": accept}
		unknown, _ := f.fetch("GET", "/calendar/unknown.ics", h)
		if unknown.Status != http.StatusNotFound {
			t.Fatalf("unknown path: %d", unknown.Status)
		}
		wrong, _ := booking.NewToken()
		secret := strings.TrimSuffix(strings.TrimPrefix(f.private, "/calendar/bookings/"), ".ics")
		for _, path := range []string{
			"/calendar/bookings/" + wrong + ".ics",
			"/calendar/bookings/" + secret, // without .ics
			"/calendar/bookings/" + secret + ".ICS",
			"/calendar/bookings/" + secret[:len(secret)-1] + ".ics",
			"/calendar/bookings/.ics",
		} {
			r, _ := f.fetch("GET", path, h)
			if r.Status != unknown.Status || r.Header.Get("Content-Type") != unknown.Header.Get("Content-Type") ||
				string(r.Body) != string(unknown.Body) || r.Header.Get("ETag") != "" {
				t.Errorf("Accept %q, %s: %d %s %q; want what an unknown path gets: %d %s %q", accept, path,
					r.Status, r.Header.Get("Content-Type"), r.Body, unknown.Status, unknown.Header.Get("Content-Type"), unknown.Body)
			}
		}
	}

	old := f.private
	f.get(old)
	fresh := f.rotateTo()
	if r, _ := f.fetch("GET", old, nil); r.Status != http.StatusNotFound {
		t.Errorf("the rotated-out URL: %d, want 404", r.Status)
	}
	if r, _ := f.fetch("HEAD", old, nil); r.Status != http.StatusNotFound {
		t.Errorf("HEAD of the rotated-out URL: %d, want 404", r.Status)
	}
	f.get(fresh)
	if len(strings.TrimSuffix(strings.TrimPrefix(fresh, "/calendar/bookings/"), ".ics")) < 22 {
		t.Errorf("secret in %s is shorter than 128 bits", fresh)
	}
}

// TestFeedETagsFollowChanges books, cancels and changes the hours and
// expects each feed's tag to change exactly when its content does.
func TestFeedETagsFollowChanges(t *testing.T) {
	f := newFeedTest(t)
	f.insert(t, booking.Booking{Name: "Early Bird", Email: "e@example.net", Start: testNow.Add(-day)})
	tags := func() (string, string) {
		t.Helper()
		return f.get(availabilityPath).Header.Get("ETag"), f.get(f.private).Header.Get("ETag")
	}
	open, private := tags()
	if o, p := tags(); o != open || p != private {
		t.Fatal("the tags changed without any change")
	}
	// Time passing within the content's validity changes nothing, not even DTSTAMP.
	before := f.get(f.private).Body
	f.clock.Set(testNow.Add(10 * time.Minute))
	if after := f.get(f.private).Body; string(after) != string(before) || !bytes.Contains(after, []byte("DTSTAMP:")) {
		t.Error("the private feed's bytes changed with the clock alone")
	}

	// step makes a change and checks which tags move: "new", "same", or
	// "any" where the version is coarser than the content (the private feed
	// also moves when the hours change, which costs one refetch).
	step := func(what string, change func(), wantOpen, wantPrivate string) {
		t.Helper()
		change()
		o, p := tags()
		for _, c := range []struct{ path, old, cur, want string }{{availabilityPath, open, o, wantOpen}, {f.private, private, p, wantPrivate}} {
			got := map[bool]string{true: "same", false: "new"}[c.old == c.cur]
			if c.want != "any" && got != c.want {
				t.Errorf("%s: %s tag is %s, want %s", what, c.path, got, c.want)
			}
			r, _ := f.fetch("GET", c.path, map[string]string{"If-None-Match": c.old})
			if want := map[bool]int{true: 304, false: 200}[c.old == c.cur]; r.Status != want {
				t.Errorf("%s: revalidating %s with the old tag: %d, want %d", what, c.path, r.Status, want)
			}
		}
		open, private = o, p
	}
	start := f.slots(wednesday)[0]
	var b bookingBody
	step("booking", func() { b = f.book(start, "Ada Lovelace") }, "new", "new")
	if slices.ContainsFunc(feedStarts(t, f.get(availabilityPath).Body), start.Equal) {
		t.Error("the booked slot is still open in the feed")
	}
	if _, ok := feedByUID(t, f.get(f.private).Body)[b.ID]; !ok {
		t.Error("the booking is not in the private feed")
	}
	step("cancellation", func() {
		if r := f.do("DELETE", "/api/v1/bookings/"+b.token(), nil, nil); r.Status != 200 {
			t.Fatalf("cancel: %d %s", r.Status, r.Body)
		}
	}, "new", "new")
	if !slices.ContainsFunc(feedStarts(t, f.get(availabilityPath).Body), start.Equal) {
		t.Error("the cancelled slot is not open again")
	}
	if ev := feedByUID(t, f.get(f.private).Body)[b.ID]; feedProp(t, ev, ical.PropStatus) != "CANCELLED" {
		t.Error("the cancelled booking is not STATUS:CANCELLED")
	}
	step("time off", func() { f.exec(t, `INSERT INTO time_off (first_day, last_day) VALUES ($1, $1)`, wednesday) }, "new", "any")
	if slices.ContainsFunc(feedStarts(t, f.get(availabilityPath).Body), start.Equal) {
		t.Error("a day off still has open slots")
	}
	step("weekly hours", func() { f.exec(t, `DELETE FROM weekly_windows WHERE weekday = 4`) }, "new", "any")
	step("full details", func() {
		if err := f.srv.Feeds().SetSettings(context.Background(), booking.FeedSettings{FullDetails: true}); err != nil {
			t.Fatal(err)
		}
	}, "any", "new")
	step("nothing", func() {}, "same", "same")
}
