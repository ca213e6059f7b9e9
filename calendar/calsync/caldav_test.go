package calsync_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"consult/booking"
	"consult/calendar/caldavtest"
	"consult/calendar/calsync"
)

func vcal(body string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n" + body + "END:VCALENDAR\r\n"
}

// A CalDAV account on a real server (Radicale), found from the server's
// address through current-user-principal and calendar-home-set, read with
// a time-range query: every event calendar's busy time, recurrences
// expanded, the service's own events left out.
func TestCalDAVAgainstRadicale(t *testing.T) {
	dav := caldavtest.Start(t)
	work := dav.MakeCalendar("work")
	home := dav.MakeCalendar("home")
	dav.Put(work, "weekly.ics", vcal("BEGIN:VEVENT\r\nUID:weekly@example.org\r\nDTSTAMP:20261101T000000Z\r\n"+
		"DTSTART;TZID=America/Los_Angeles:20261207T090000\r\nDTEND;TZID=America/Los_Angeles:20261207T100000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n"+
		"SUMMARY:Client\r\nEND:VEVENT\r\n"))
	dav.Put(work, "past.ics", vcal("BEGIN:VEVENT\r\nUID:past@example.org\r\nDTSTAMP:20261101T000000Z\r\n"+
		"DTSTART:20250105T100000Z\r\nDTEND:20250105T110000Z\r\nSUMMARY:Long ago\r\nEND:VEVENT\r\n"))
	dav.Put(work, "ours.ics", vcal("BEGIN:VEVENT\r\nUID:"+booking.OwnEventUIDFor(7)+"\r\nDTSTAMP:20261101T000000Z\r\n"+
		"DTSTART:20261208T170000Z\r\nDTEND:20261208T172000Z\r\nSUMMARY:Consultation\r\nEND:VEVENT\r\n"))
	dav.Put(home, "holiday.ics", vcal("BEGIN:VEVENT\r\nUID:holiday@example.org\r\nDTSTAMP:20261101T000000Z\r\n"+
		"DTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261226\r\nSUMMARY:Holiday\r\nEND:VEVENT\r\n"))

	ctx := context.Background()
	e := newEnv(t)
	s := e.syncer(true, calsync.Config{})
	la, _ := time.LoadLocation("America/Los_Angeles")
	for _, tt := range []struct {
		name, url string
		want      []booking.Interval
	}{
		{"server address", dav.URL + "/", []booking.Interval{
			{Start: time.Date(2026, 12, 7, 17, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)},
			{Start: time.Date(2026, 12, 14, 17, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 14, 18, 0, 0, 0, time.UTC)},
			{Start: time.Date(2026, 12, 21, 17, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 21, 18, 0, 0, 0, time.UTC)},
			{Start: time.Date(2026, 12, 24, 0, 0, 0, 0, la).UTC(), End: time.Date(2026, 12, 26, 0, 0, 0, 0, la).UTC()},
		}},
		{"calendar address", dav.URL + home, []booking.Interval{
			{Start: time.Date(2026, 12, 24, 0, 0, 0, 0, la).UTC(), End: time.Date(2026, 12, 26, 0, 0, 0, 0, la).UTC()},
		}},
	} {
		src, err := e.store.AddCalendarSource(ctx, booking.NewCalendarSource{Kind: booking.SourceCalDAV, URL: tt.url,
			Username: dav.Username, Password: dav.Password, IgnoreDeclined: true}, testNow)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Sync(ctx, src.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != booking.SourceOK {
			t.Fatalf("%s: %+v", tt.name, got)
		}
		m, err := e.store.CalendarBusy(ctx, testNow.Add(-time.Hour), testNow.AddDate(1, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		if b := m[src.ID]; len(b) != len(tt.want) {
			t.Errorf("%s: busy %v, want %v", tt.name, b, tt.want)
		} else {
			for i := range b {
				if !b[i].Start.Equal(tt.want[i].Start) || !b[i].End.Equal(tt.want[i].End) {
					t.Errorf("%s: busy[%d] = %v, want %v", tt.name, i, b[i], tt.want[i])
				}
			}
		}
	}

	// Unchanged, the calendar is not read again: its ctag says so. (The
	// busy time is removed by hand to see whether a sync restores it.)
	var homeID int64
	if err := e.store.Pool().QueryRow(ctx, `SELECT max(id) FROM calendar_sources`).Scan(&homeID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Pool().Exec(ctx, `DELETE FROM busy_intervals WHERE source_id = $1`, homeID); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(10 * time.Minute)
	if got, err := s.Sync(ctx, homeID); err != nil || got.Status != booking.SourceOK || got.BusyIntervals != 0 {
		t.Fatalf("unchanged calendar: %+v, %v (read again?)", got, err)
	}
	dav.Put(home, "dentist.ics", vcal("BEGIN:VEVENT\r\nUID:dentist@example.org\r\nDTSTAMP:20261101T000000Z\r\n"+
		"DTSTART:20261209T170000Z\r\nDTEND:20261209T180000Z\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\n"))
	e.clock.Add(10 * time.Minute)
	if got, err := s.Sync(ctx, homeID); err != nil || got.BusyIntervals != 2 {
		t.Fatalf("changed calendar: %+v, %v; want the holiday and the new event", got, err)
	}

	// A wrong password is said as such, and nothing is read.
	bad, err := e.store.AddCalendarSource(ctx, booking.NewCalendarSource{Kind: booking.SourceCalDAV, URL: dav.URL + "/",
		Username: dav.Username, Password: "wrong", IgnoreDeclined: true}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Sync(ctx, bad.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != booking.SourceError || !strings.Contains(got.LastError, "refused the user name or password") {
		t.Errorf("wrong password: %+v", got)
	}
	if strings.Contains(got.LastError, "wrong") || strings.Contains(got.LastError, "127.0.0.1") {
		t.Errorf("the error %q quotes a credential or the address", got.LastError)
	}
}
