package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"consult/api"
	"consult/booking"
	"consult/storage"
	"consult/storage/storagetest"
)

// slotReadCounter is the store, counting the reads the slot engine
// computes from.
type slotReadCounter struct {
	*storage.Store
	reads atomic.Int64
}

func (c *slotReadCounter) ScheduleAndBusy(ctx context.Context, from, to booking.Date, busyFrom, busyTo time.Time) (booking.Schedule, []booking.Interval, error) {
	c.reads.Add(1)
	return c.Store.ScheduleAndBusy(ctx, from, to, busyFrom, busyTo)
}

func (c *slotReadCounter) ScheduleBusyAndVersion(ctx context.Context, from, to booking.Date, busyFrom, busyTo time.Time) (booking.Schedule, []booking.Interval, string, error) {
	c.reads.Add(1)
	return c.Store.ScheduleBusyAndVersion(ctx, from, to, busyFrom, busyTo)
}

// TestSlotsAreComputedOncePerVersion asks the slots API and the booking
// form, in other zones and over other days, for the slots of one data
// version, and expects one read of the schedule and bookings for them
// all; and a booking and its cancellation made here, each a new version,
// to show in the very next answer of either without any read at all:
// the slots are patched from what they were computed from.
func TestSlotsAreComputedOncePerVersion(t *testing.T) {
	store := &slotReadCounter{Store: seedStore(t, storagetest.NewDB(t), false)}
	svc := booking.NewService(store, func() time.Time { return testNow })
	renderer, pages := siteWeb(t)
	srv, err := api.New(api.Config{BaseURL: "http://consult.test"}, api.Deps{Service: svc, Web: renderer, Pages: pages, Feeds: store})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	site := &testSite{t: t, url: ts.URL, svc: svc, client: ts.Client()}
	apiSlots := func(from, to, tz string) []string {
		t.Helper()
		p := site.get("/api/v1/slots?from=" + from + "&to=" + to + "&tz=" + tz)
		if p.Status != http.StatusOK {
			t.Fatalf("slots: %d %s", p.Status, p.Body)
		}
		var l slotList
		if err := json.Unmarshal([]byte(p.Body), &l); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range l.Slots {
			out = append(out, s.Start.UTC().Format(time.RFC3339))
		}
		return out
	}
	// readAll reads the slots every way and expects reads reads of the
	// schedule and bookings.
	readAll := func(when string, reads int64) (fromAPI, onPage []string) {
		t.Helper()
		store.reads.Store(0)
		fromAPI = apiSlots("2026-12-01", "2026-12-14", "")
		apiSlots("2026-12-02", "2026-12-02", "Asia/Tokyo")
		apiSlots("2026-11-30", "2027-01-31", "America/New_York")
		onPage = site.slotsOn("2026-12-02", "Europe/Berlin")
		if n := store.reads.Load(); n != reads {
			t.Errorf("%s: the slots were read %d times, want %d", when, n, reads)
		}
		return fromAPI, onPage
	}

	before, onPage := readAll("at first", 1)
	if len(onPage) == 0 || !slices.Contains(before, onPage[0]) {
		t.Fatalf("the booking form offers %v, the slots API %v", onPage, before)
	}
	onPage0 := onPage[0]
	r := site.do(jsonRequest(t, "POST", ts.URL+"/api/v1/bookings",
		`{"start": "`+onPage0+`", "name": "Ada Lovelace", "email": "ada@example.org"}`))
	if r.Status != http.StatusCreated {
		t.Fatalf("book %s: %d %s", onPage0, r.Status, r.Body)
	}
	var b bookingBody
	if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
		t.Fatal(err)
	}
	booked, onPage := readAll("after a booking", 0)
	if slices.Contains(booked, onPage0) || slices.Contains(onPage, onPage0) {
		t.Fatalf("%s, just booked, is still offered", onPage0)
	}
	if r := site.do(jsonRequest(t, "DELETE", ts.URL+"/api/v1/bookings/"+b.token(), "")); r.Status != http.StatusOK {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	if after, onPage := readAll("after its cancellation", 0); !slices.Equal(after, before) || !slices.Contains(onPage, onPage0) {
		t.Fatalf("after the cancellation the slots API offers %v, the booking form %v; before the booking %v", after, onPage, before)
	}
}

// jsonRequest is a request to the JSON API with body, if any.
func jsonRequest(t *testing.T, method, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	return req
}
