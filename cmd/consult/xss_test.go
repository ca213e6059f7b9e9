package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"consult/notify/smtptest"
	"consult/storage/storagetest"
)

// Markup a client or the practitioner might type, each recognisable.
const (
	xssName     = `Zoë "><script>alert(1)</script>`
	xssNote     = `<img src=x onerror=alert(2)> please call`
	xssPractice = `Harbour <svg onload=alert(3)>`
	// The practitioner's profile.
	xssPractitioner = `Dr. <iframe src=x>`
	xssCredential   = `PsyD <object data=x>`
	xssBio          = `I listen. <a href=javascript:alert(5)>`
	xssModeDetails  = `Use Firefox <embed src=x>`
	xssQuestion     = `Heard of us <marquee>where</marquee>?`
	xssAnswer       = `A friend <form action=x>`
)

// rawMarkup is what must never reach an HTML page or email unescaped.
var rawMarkup = []string{"<script>alert(1)", "<img src=x onerror", "<svg onload", "<iframe src=x", "<object data=x", "<a href=javascript:alert(5)", "<embed src=x", "<marquee>", "<form action=x"}

// TestMarkupNeverRunsAnywhere sends markup through every field a client or
// the practitioner fills and reads every output of the real program: the
// client's pages, the admin area, the emails and the calendar feeds.
func TestMarkupNeverRunsAnywhere(t *testing.T) {
	mail := smtptest.Start(t)
	dbURL := storagetest.NewDBURL(t)
	base, _, _, _ := startServer(t, "DATABASE_URL", dbURL, "SMTP_URL", mail.URL(), "PRACTICE_NAME", xssPractice,
		"EMAIL_UPCOMING_LIMIT", "0", "EMAIL_YEARLY_LIMIT", "0", "NETWORK_UPCOMING_LIMIT", "0", "CONFIRM_BY_EMAIL", "false", "PROOF_OF_WORK_RATE", "0")
	waitReady(t, base)
	ctx := context.Background()

	// The admin area, signed in as the practitioner.
	const adminPass = "correct horse battery staple"
	var out bytes.Buffer
	if err := run(ctx, []string{"admin", "create", "--email", "dr@example.org"}, env("DATABASE_URL", dbURL), testNow,
		strings.NewReader(adminPass+"\n"), &out, io.Discard); err != nil {
		t.Fatalf("admin create: %v", err)
	}
	jar, _ := cookiejar.New(nil)
	admin := &http.Client{Jar: jar}
	signIn := fetch(t, admin, base+"/admin/sign-in")
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(signIn)
	if csrf == nil {
		t.Fatal("no CSRF token on the sign-in form")
	}
	resp, err := admin.PostForm(base+"/admin/sign-in", url.Values{"csrf": {csrf[1]}, "email": {"dr@example.org"}, "password": {adminPass}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	// The practitioner fills the profile with markup in every field.
	profilePage := fetch(t, admin, base+"/admin/practice")
	csrf = regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(profilePage)
	resp, err = admin.PostForm(base+"/admin/practice", url.Values{"csrf": {csrf[1]},
		"practitioner_name": {xssPractitioner}, "credentials": {xssCredential}, "bio": {xssBio},
		"contact_email": {"office@example.org"}, "contact_phone": {"+1 555 0100"}, "regions": {"US-CA"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/admin/practice" || resp.StatusCode != 200 {
		t.Fatalf("saving the profile: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	resp, err = admin.PostForm(base+"/admin/practice/modes", url.Values{"csrf": {csrf[1]},
		"video_enabled": {"on"}, "video_kind": {"per_booking"}, "video_base_url": {"https://meet.example.org"},
		"video_details": {xssModeDetails}, "phone_enabled": {"on"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/admin/practice" || resp.StatusCode != 200 {
		t.Fatalf("saving the modes: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	resp, err = admin.PostForm(base+"/admin/practice/questions", url.Values{"csrf": {csrf[1]},
		"question_label_1": {xssQuestion}, "question_kind_1": {"text"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/admin/practice" || resp.StatusCode != 200 {
		t.Fatalf("saving the questions: %d at %s", resp.StatusCode, resp.Request.URL)
	}

	// A client books with markup in the name and note.
	day := testNow().AddDate(0, 0, 8).Format(time.DateOnly)
	var slots struct {
		Slots []struct{ Start string } `json:"slots"`
	}
	getJSON(t, base+"/api/v1/slots?from="+day+"&to="+testNow().AddDate(0, 0, 12).Format(time.DateOnly), &slots)
	if len(slots.Slots) == 0 {
		t.Fatal("no slots")
	}
	body := fmt.Sprintf(`{"start":%q,"name":%q,"email":"zoe@example.org","note":%q,"mode":"video","region":"US-CA","answers":[%q]}`, slots.Slots[0].Start, xssName, xssNote, xssAnswer)
	resp, err = http.Post(base+"/api/v1/bookings", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	created, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("booking: %d %s", resp.StatusCode, created)
	}
	token := regexp.MustCompile(`/manage/([A-Za-z0-9_-]+)"`).FindStringSubmatch(string(created))[1]
	id := regexp.MustCompile(`"id":(\d+)`).FindStringSubmatch(string(created))[1]

	// Someone joins the waitlist with markup in the name.
	wait := fmt.Sprintf(`{"name":%q,"email":"wren@example.org","timezone":"America/Los_Angeles","days":["wed"],"parts":["morning"],"from":%q,"to":%q,"region":"US-CA"}`,
		xssName, day, day)
	resp, err = http.Post(base+"/api/v1/waitlist", "application/json", strings.NewReader(wait))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 202 {
		t.Fatalf("joining the waitlist: %d", resp.StatusCode)
	}

	// The client's pages and the site's own pages.
	for _, p := range []string{"/", "/about", "/book", "/manage/" + token, "/manage/" + token + "/confirmation", "/privacy"} {
		page := fetch(t, http.DefaultClient, base+p)
		assertEscaped(t, "page "+p, page)
		if !strings.Contains(page, "Harbour &lt;svg onload=alert(3)&gt;") {
			t.Errorf("page %s does not show the practice name, escaped", p)
		}
	}
	for _, p := range []string{"/", "/about", "/book", "/privacy"} {
		if page := fetch(t, http.DefaultClient, base+p); !strings.Contains(page, "Dr. &lt;iframe src=x&gt;") {
			t.Errorf("page %s does not show the practitioner, escaped", p)
		}
	}
	if page := fetch(t, http.DefaultClient, base+"/about"); !strings.Contains(page, "&lt;object data=x&gt;") || !strings.Contains(page, "&lt;a href=javascript:alert(5)&gt;") {
		t.Error("the About page does not show the credentials and bio, escaped")
	}
	if page := fetch(t, http.DefaultClient, base+"/manage/"+token); !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") ||
		!strings.Contains(page, "Use Firefox &lt;embed src=x&gt;") {
		t.Error("the manage page does not show the client's name and the video call's note, escaped")
	}

	for _, p := range []string{"/admin", "/admin/bookings", "/admin/bookings?q=zoe", "/admin/bookings/" + id,
		"/admin/bookings/" + id + "/move", "/admin/bookings/" + id + "/cancel", "/admin/bookings/new?client=" + id,
		"/admin?week=" + day, "/admin/dashboard", "/admin/availability", "/admin/rules", "/admin/practice", "/admin/waitlist"} {
		page := fetch(t, admin, base+p)
		if !strings.Contains(page, "Sign out") {
			t.Fatalf("admin page %s is not signed in", p)
		}
		assertEscaped(t, "admin page "+p, page)
	}
	if page := fetch(t, admin, base+"/admin?week="+day); !strings.Contains(page, "Zoë &#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the week calendar does not show the client's name, escaped")
	}
	if page := fetch(t, admin, base+"/admin/waitlist"); !strings.Contains(page, "Zoë &#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the waitlist page does not show the name, escaped")
	}
	if page := fetch(t, admin, base+"/admin/bookings/"+id); !strings.Contains(page, "&lt;img src=x onerror=alert(2)&gt;") ||
		!strings.Contains(page, "Heard of us &lt;marquee&gt;where&lt;/marquee&gt;?") || !strings.Contains(page, "A friend &lt;form action=x&gt;") {
		t.Error("the admin booking page does not show the note, the question and its answer, escaped")
	}
	if page := fetch(t, http.DefaultClient, base+"/book"); !strings.Contains(page, "Heard of us &lt;marquee&gt;where&lt;/marquee&gt;?") {
		t.Error("the booking form does not ask the question, escaped")
	}

	// The emails: confirmation to the client, notice to the practitioner.
	deadline := time.Now().Add(40 * time.Second)
	for len(mail.Messages()) < 3 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	msgs := mail.Messages()
	if len(msgs) < 3 {
		t.Fatalf("%d emails sent, want the confirmation, the practitioner's notice and the waitlist's request to confirm", len(msgs))
	}
	for i, m := range msgs {
		p, err := m.Parse()
		if err != nil {
			t.Fatal(err)
		}
		if p.HTML == "" {
			t.Errorf("email %d has no HTML part", i)
		}
		assertEscaped(t, fmt.Sprintf("email %d HTML", i), p.HTML)
		if len(p.Calendar) > 0 {
			checkICS(t, fmt.Sprintf("email %d invitation", i), string(p.Calendar))
		}
		if m.To[0] == "zoe@example.org" && !strings.Contains(p.HTML, "Dr. &lt;iframe src=x&gt;") {
			t.Errorf("the client's email %d does not name the practitioner, escaped", i)
		}
	}

	// The feeds: text, escaped as iCalendar requires, and nothing injected.
	var feedURL bytes.Buffer
	if err := run(ctx, []string{"feed", "rotate"}, env("DATABASE_URL", dbURL, "BASE_URL", base), testNow, nil, &feedURL, io.Discard); err != nil {
		t.Fatalf("feed rotate: %v", err)
	}
	checkICS(t, "private feed", fetch(t, http.DefaultClient, strings.TrimSpace(feedURL.String())))
	checkICS(t, "public feed", fetch(t, http.DefaultClient, base+"/calendar/availability.ics"))
	checkICS(t, "download", fetch(t, http.DefaultClient, base+"/manage/"+token+"/consultation.ics"))
}

func fetch(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	return string(b)
}

func assertEscaped(t *testing.T, where, html string) {
	t.Helper()
	for _, raw := range rawMarkup {
		if strings.Contains(html, raw) {
			t.Errorf("%s contains raw markup %q", where, raw)
		}
	}
}

// knownProps are the event properties the service writes; anything else
// would have been injected.
var knownProps = map[string]bool{
	"UID": true, "DTSTAMP": true, "DTSTART": true, "DTEND": true, "SUMMARY": true, "DESCRIPTION": true,
	"URL": true, "ORGANIZER": true, "ATTENDEE": true, "STATUS": true, "SEQUENCE": true, "TRANSP": true,
	"CLASS": true, "LAST-MODIFIED": true, "CREATED": true, "LOCATION": true, "CONFERENCE": true,
}

// checkICS parses an iCalendar object and checks that the markup stayed
// text inside its properties and added no component or property.
func checkICS(t *testing.T, where, body string) {
	t.Helper()
	cal, err := ical.NewDecoder(strings.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("%s does not parse: %v", where, err)
	}
	allowed := map[string]bool{"VEVENT": true, "VTIMEZONE": true, "STANDARD": true, "DAYLIGHT": true}
	for _, c := range cal.Children {
		if !allowed[c.Name] {
			t.Errorf("%s has an unexpected %s component", where, c.Name)
		}
		for name := range c.Props {
			if !knownProps[name] {
				t.Errorf("%s: unexpected property %s in %s", where, name, c.Name)
			}
		}
	}
	if name := cal.Props.Get("X-WR-CALNAME"); name != nil && !strings.Contains(name.Value, xssPractitioner) {
		t.Errorf("%s calendar name %q does not hold the sender name as text", where, name.Value)
	}
}
