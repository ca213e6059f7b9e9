package api_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"consult/api"
	"consult/booking"
)

// setModes stores the practice's modes through the admin operations.
func setModes(t *testing.T, a *adminTest, m booking.Modes) {
	t.Helper()
	st, err := a.store.Schedule(context.Background(), booking.DateOf(testNow), booking.DateOf(testNow))
	if err != nil {
		t.Fatal(err)
	}
	p := st.Settings.Profile
	p.Modes = m
	if _, err := booking.NewAdmin(a.store, a.clock.Now).SaveProfile(context.Background(), booking.Actor{Via: booking.ViaCLI}, p, false); err != nil {
		t.Fatal(err)
	}
}

// TestBookingModesThroughTheAPI: with several modes the client must name
// one the practice offers (and a phone number for a call), or nothing is
// stored; a video call gets a room of its own under the base URL; with
// one mode it is the booking's without asking; rescheduling changes it.
func TestBookingModesThroughTheAPI(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	setModes(t, a, booking.Modes{
		Video: booking.VideoMode{Enabled: true, BaseURL: "https://meet.example.org"},
		Phone: booking.PhoneMode{Enabled: true},
	})
	slots := a.slots(wednesday)
	req := func(i int, extra map[string]string) map[string]string {
		r := map[string]string{"start": slots[i].Format(time.RFC3339), "name": "Mode Client", "email": "client@example.org"}
		for k, v := range extra {
			r[k] = v
		}
		return r
	}
	for name, tc := range map[string]struct {
		body  map[string]string
		field string
	}{
		"no mode":           {req(0, nil), "mode"},
		"a mode not on":     {req(0, map[string]string{"mode": "in_person"}), "mode"},
		"an unknown mode":   {req(0, map[string]string{"mode": "carrier pigeon"}), "mode"},
		"a call, no number": {req(0, map[string]string{"mode": "phone"}), "phone"},
	} {
		p := a.do("POST", "/api/v1/bookings", tc.body, nil).problem(t)
		if p.Status != 422 || p.Errors[tc.field] == "" {
			t.Errorf("%s: %+v, want 422 naming %s", name, p, tc.field)
		}
	}
	if n := a.bookingCount(""); n != 0 {
		t.Fatalf("%d bookings stored by refused requests", n)
	}

	room := regexp.MustCompile(`^https://meet\.example\.org/[A-Za-z0-9_-]{22}$`)
	var links []string
	for _, i := range []int{0, 3} {
		r := a.do("POST", "/api/v1/bookings", req(i, map[string]string{"mode": "video"}), nil)
		if r.Status != 201 || !strings.Contains(string(r.Body), `"mode":"video"`) {
			t.Fatalf("video booking: %d %s", r.Status, r.Body)
		}
		var b bookingBody
		r.decode(t, &b)
		var d struct {
			Mode      string `json:"mode"`
			VideoLink string `json:"video_link"`
		}
		a.do("GET", "/api/v1/bookings/"+b.token(), nil, nil).decode(t, &d)
		if d.Mode != "video" || !room.MatchString(d.VideoLink) {
			t.Errorf("video booking reads %+v", d)
		}
		links = append(links, d.VideoLink)
	}
	if links[0] == links[1] {
		t.Error("two bookings share a room")
	}

	// Rescheduling changes the mode: a call needs the booking's number.
	r := a.do("POST", "/api/v1/bookings", req(6, map[string]string{"mode": "phone", "phone": "+1 555 0101"}), nil)
	var call bookingBody
	r.decode(t, &call)
	if r := a.do("POST", "/api/v1/bookings/"+call.token()+"/reschedule", map[string]string{"mode": "video"}, nil); r.Status != 200 || !strings.Contains(string(r.Body), `"mode":"video"`) {
		t.Errorf("phone to video: %d %s", r.Status, r.Body)
	}
	var video bookingBody
	a.do("POST", "/api/v1/bookings", req(9, map[string]string{"mode": "video"}), nil).decode(t, &video)
	if p := a.do("POST", "/api/v1/bookings/"+video.token()+"/reschedule", map[string]string{"mode": "phone"}, nil).problem(t); p.Errors["mode"] == "" {
		t.Errorf("a call without a number: %+v", p)
	}
	moved := a.do("POST", "/api/v1/bookings/"+call.token()+"/reschedule", map[string]string{"mode": "phone", "start": slots[12].Format(time.RFC3339)}, nil)
	if moved.Status != 200 || !strings.Contains(string(moved.Body), `"mode":"phone"`) || !strings.Contains(string(moved.Body), slots[12].UTC().Format("2006-01-02T15:04:05Z")) {
		t.Errorf("new time and mode: %d %s", moved.Status, moved.Body)
	}
	var gone string
	if err := a.pool.QueryRow(context.Background(), `SELECT video_link FROM bookings WHERE id = $1`, call.ID).Scan(&gone); err != nil || gone != "" {
		t.Errorf("a call keeps its former room %q (%v)", gone, err)
	}

	// One mode: it is the booking's without asking.
	setModes(t, a, booking.Modes{Phone: booking.PhoneMode{Enabled: true}})
	r = a.do("POST", "/api/v1/bookings", req(15, map[string]string{"phone": "+1 555 0102", "email": "other@example.org"}), nil)
	if r.Status != 201 || !strings.Contains(string(r.Body), `"mode":"phone"`) {
		t.Errorf("the only mode: %d %s", r.Status, r.Body)
	}

	// The public profile lists the modes, without a room or an address.
	setModes(t, a, booking.Modes{Video: booking.VideoMode{Enabled: true, Room: "https://zoom.example.com/j/123"},
		InPerson: booking.InPersonMode{Enabled: true, Address: "12 Harbour Street"}})
	body := string(a.do("GET", "/api/v1/practice", nil, nil).Body)
	if !strings.Contains(body, `{"mode":"video","label":"Video call"},{"mode":"in_person","label":"In person"}`) ||
		strings.Contains(body, "zoom.example.com") || strings.Contains(body, "Harbour Street") {
		t.Errorf("public profile: %s", body)
	}
}
