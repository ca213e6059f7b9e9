package busy_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"consult/calendar/busy"
)

// FuzzParse feeds the decoder what a calendar server could send: it
// never panics, and what it returns is sorted, merged busy time within
// the window, in UTC.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.ics")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nDTSTART;TZID=Nowhere/Land:20270101T100000\nDURATION:-P1D\nRRULE:FREQ=HOURLY;BYDAY=XX\nEND:VEVENT\nEND:VCALENDAR\n"))
	from, to := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := busy.Parse(data, busy.Options{Zone: la, From: from, To: to, Owners: owners, IgnoreDeclined: true, MaxIntervals: 5000})
		if err != nil {
			return
		}
		if len(got) > 5000 {
			t.Fatalf("%d intervals past the bound", len(got))
		}
		for i, iv := range got {
			if !iv.Start.Before(iv.End) || !iv.Start.Before(to) || !from.Before(iv.End) {
				t.Fatalf("interval %v outside the window or empty", iv)
			}
			if iv.Start.Location() != time.UTC || iv.End.Location() != time.UTC {
				t.Fatalf("interval %v not in UTC", iv)
			}
			if i > 0 && !got[i-1].End.Before(iv.Start) {
				t.Fatalf("intervals %v and %v overlap or touch", got[i-1], iv)
			}
		}
	})
}
