package calsync_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"consult/booking"
	"consult/calendar"
	"consult/calendar/caldavtest"
	"consult/calendar/calsync"
	"consult/calendar/fetch"
)

func (e *env) writer() *calsync.Writer {
	practice := func(context.Context) (calendar.Practice, bool, error) {
		return calendar.Practice{Name: "Harbour Therapy", Email: "hello@example.org", BaseURL: "https://consult.example.org"}, false, nil
	}
	return calsync.NewWriter(e.store, fetch.New(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second}), practice, e.clock.Now, slog.New(slog.DiscardHandler))
}

// Bookings are written into a CalDAV calendar that takes them (a real
// Radicale), moved with the booking, removed on cancel, through the
// queue, exactly once however many workers run; what is written shows
// initials only, and is not read back as busy time.
func TestBookingsWrittenIntoCalDAV(t *testing.T) {
	dav := caldavtest.Start(t)
	work := dav.MakeCalendar("work")
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.store.SeedDemoHours(ctx, testNow); err != nil {
		t.Fatal(err)
	}
	src, err := e.store.AddCalendarSource(ctx, booking.NewCalendarSource{Kind: booking.SourceCalDAV, URL: dav.URL + work,
		Username: dav.Username, Password: dav.Password, IgnoreDeclined: true, WriteBookings: true}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	svc := booking.NewService(e.store, e.clock.Now)
	start := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	b, token, err := svc.Book(ctx, booking.Request{Start: start, Name: "Ada Lovelace", Email: "ada@example.org", Phone: "+1 555 0100", Note: "anxious"}, "")
	if err != nil {
		t.Fatal(err)
	}
	object := work + strings.NewReplacer("@", "-", ".", "-").Replace(booking.OwnEventUIDFor(b.ID)) + ".ics"

	// Two workers at once: the write is made once.
	w1, w2 := e.writer(), e.writer()
	var wg sync.WaitGroup
	var mu sync.Mutex
	tried := 0
	for _, w := range []*calsync.Writer{w1, w2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := w.WriteDue(ctx)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			tried += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	if tried != 1 {
		t.Fatalf("%d writes tried for one booking", tried)
	}
	status, ics := dav.Get(object)
	if status != 200 || !strings.Contains(ics, "SUMMARY:Consultation: A. L.") || !strings.Contains(ics, "DTSTART:20261203T180000Z") {
		t.Fatalf("written event: %d\n%s", status, ics)
	}
	for _, private := range []string{"Ada", "Lovelace", "ada@example.org", "555", "anxious"} {
		if strings.Contains(ics, private) {
			t.Errorf("the written event holds %q:\n%s", private, ics)
		}
	}
	// Reading the calendar back does not take the booking for busy time.
	s := e.syncer(true, calsync.Config{})
	got, err := s.Sync(ctx, src.ID)
	if err != nil || got.Status != booking.SourceOK || got.BusyIntervals != 0 {
		t.Fatalf("sync of the written calendar: %+v, %v", got, err)
	}

	// Moved, then cancelled: the event follows.
	moved := start.Add(24 * time.Hour)
	if _, err := svc.Reschedule(ctx, token, moved); err != nil {
		t.Fatal(err)
	}
	if n, err := w1.WriteDue(ctx); err != nil || n != 1 {
		t.Fatalf("write after the move: %d, %v", n, err)
	}
	if _, ics := dav.Get(object); !strings.Contains(ics, "DTSTART:20261204T180000Z") {
		t.Fatalf("event after the move:\n%s", ics)
	}
	if _, err := svc.Cancel(ctx, token); err != nil {
		t.Fatal(err)
	}
	if n, err := w1.WriteDue(ctx); err != nil || n != 1 {
		t.Fatalf("write after the cancel: %d, %v", n, err)
	}
	if status, _ := dav.Get(object); status != 404 {
		t.Fatalf("event after the cancel: %d", status)
	}
	if n, _ := w1.WriteDue(ctx); n != 0 {
		t.Errorf("%d writes left", n)
	}
}

// A calendar that refuses a write is tried again later, with the booking
// as it then stands.
func TestCalendarWriteRetriesAfterAnOutage(t *testing.T) {
	dav := caldavtest.Start(t)
	work := dav.MakeCalendar("work")
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.store.SeedDemoHours(ctx, testNow); err != nil {
		t.Fatal(err)
	}
	// The account's password is wrong: the server refuses the write.
	if _, err := e.store.AddCalendarSource(ctx, booking.NewCalendarSource{Kind: booking.SourceCalDAV, URL: dav.URL + work,
		Username: dav.Username, Password: "not-it", IgnoreDeclined: true, WriteBookings: true}, testNow); err != nil {
		t.Fatal(err)
	}
	svc := booking.NewService(e.store, e.clock.Now)
	if _, _, err := svc.Book(ctx, booking.Request{Start: time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC), Name: "Ada Lovelace", Email: "ada@example.org"}, ""); err != nil {
		t.Fatal(err)
	}
	w := e.writer()
	if n, err := w.WriteDue(ctx); err != nil || n != 1 {
		t.Fatalf("first try: %d, %v", n, err)
	}
	if n, _ := w.WriteDue(ctx); n != 0 {
		t.Fatal("a failed write was tried again at once")
	}
	var status, lastError string
	var attempts int
	row := e.store.Pool().QueryRow(ctx, `SELECT status, attempts, last_error FROM calendar_writes`)
	if err := row.Scan(&status, &attempts, &lastError); err != nil {
		t.Fatal(err)
	}
	if status != "pending" || attempts != 1 || !strings.Contains(lastError, "refused the user name or password") {
		t.Errorf("after a failure: %s, %d attempts, %q", status, attempts, lastError)
	}
	e.clock.Add(2 * time.Minute)
	if n, _ := w.WriteDue(ctx); n != 1 {
		t.Error("the write was not tried again after its wait")
	}
}

// Unlinking a calendar that takes the bookings removes those written
// into it.
func TestRemoveWrittenOnUnlink(t *testing.T) {
	dav := caldavtest.Start(t)
	work := dav.MakeCalendar("work")
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.store.SeedDemoHours(ctx, testNow); err != nil {
		t.Fatal(err)
	}
	src, err := e.store.AddCalendarSource(ctx, booking.NewCalendarSource{Kind: booking.SourceCalDAV, URL: dav.URL + work,
		Username: dav.Username, Password: dav.Password, IgnoreDeclined: true, WriteBookings: true}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	svc := booking.NewService(e.store, e.clock.Now)
	var objects []string
	for _, h := range []int{18, 19} {
		b, _, err := svc.Book(ctx, booking.Request{Start: time.Date(2026, 12, 3, h, 0, 0, 0, time.UTC), Name: "Ada Lovelace",
			Email: "ada" + string(rune('a'+h)) + "@example.org"}, "")
		if err != nil {
			t.Fatal(err)
		}
		objects = append(objects, work+strings.NewReplacer("@", "-", ".", "-").Replace(booking.OwnEventUIDFor(b.ID))+".ics")
	}
	w := e.writer()
	if n, err := w.WriteDue(ctx); err != nil || n != 2 {
		t.Fatalf("writes: %d, %v", n, err)
	}
	for _, o := range objects {
		if status, _ := dav.Get(o); status != 200 {
			t.Fatalf("%s not written: %d", o, status)
		}
	}
	n, err := calsync.Calendars{Writer: w}.RemoveWritten(ctx, src.ID)
	if err != nil || n != 2 {
		t.Fatalf("RemoveWritten = %d, %v", n, err)
	}
	for _, o := range objects {
		if status, _ := dav.Get(o); status != 404 {
			t.Errorf("%s left after unlinking: %d", o, status)
		}
	}
	// Without a writer nothing is tried.
	if n, err := (calsync.Calendars{}).RemoveWritten(ctx, src.ID); n != 0 || err != nil {
		t.Errorf("without a writer: %d, %v", n, err)
	}
}
