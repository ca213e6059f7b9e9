package site

import (
	"slices"
	"testing"
	"time"

	"consult/booking"
	"consult/web/i18n"
	"consult/web/timefmt"
)

func TestSlotLabelsCarryTheOffsetOnADayTheClocksChange(t *testing.T) {
	for _, tc := range []struct {
		name, zone string
		starts     []string
		want       []string // each label's visible time
	}{
		{"Cairo goes back at midnight", "Africa/Cairo",
			[]string{"2026-10-29T16:00:00Z", "2026-10-29T20:00:00Z", "2026-10-29T21:00:00Z"},
			[]string{"7:00\u00a0PM (UTC+3)", "11:00\u00a0PM (UTC+3)", "11:00\u00a0PM (UTC+2)"}},
		{"the day after in Cairo", "Africa/Cairo",
			[]string{"2026-10-30T07:00:00Z"}, []string{"9:00\u00a0AM"}},
		{"Los Angeles goes back", "America/Los_Angeles",
			[]string{"2026-11-01T08:00:00Z", "2026-11-01T09:00:00Z"},
			[]string{"1:00\u00a0AM (UTC−7)", "1:00\u00a0AM (UTC−8)"}},
		{"London goes back to UTC", "Europe/London",
			[]string{"2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"},
			[]string{"1:30\u00a0AM (UTC+1)", "1:30\u00a0AM (UTC)"}},
		{"Lord Howe goes back half an hour", "Australia/Lord_Howe",
			[]string{"2026-04-04T14:45:00Z", "2026-04-04T15:15:00Z"},
			[]string{"1:45\u00a0AM (UTC+11)", "1:45\u00a0AM (UTC+10:30)"}},
		{"Los Angeles goes forward: nothing repeats, but the day is marked", "America/Los_Angeles",
			[]string{"2026-03-08T17:00:00Z"}, []string{"10:00\u00a0AM (UTC−7)"}},
		{"an ordinary day", "Europe/Berlin",
			[]string{"2026-12-02T17:00:00Z", "2026-12-02T17:20:00Z"}, []string{"6:00\u00a0PM", "6:20\u00a0PM"}},
		{"UTC", "UTC",
			[]string{"2026-11-01T08:00:00Z", "2026-11-01T09:00:00Z"}, []string{"8:00\u00a0AM", "9:00\u00a0AM"}},
		{"nearest times over two days, one with a change", "America/Los_Angeles",
			[]string{"2026-10-31T17:00:00Z", "2026-11-01T09:00:00Z"},
			[]string{"10:00\u00a0AM (UTC−7)", "1:00\u00a0AM (UTC−8)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loc, err := time.LoadLocation(tc.zone)
			if err != nil {
				t.Fatal(err)
			}
			var slots []booking.Slot
			for _, s := range tc.starts {
				start, err := time.Parse(time.RFC3339, s)
				if err != nil {
					t.Fatal(err)
				}
				slots = append(slots, booking.Slot{Start: start, End: start.Add(20 * time.Minute)})
			}
			opts := slotOptions(i18n.EN, slots, loc, tc.starts[0], timefmt.H12)
			var got, names []string
			for _, o := range opts {
				got = append(got, o.Time)
				names = append(names, o.Day+", "+o.Time)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("labels %q, want %q", got, tc.want)
			}
			slices.Sort(names)
			if len(slices.Compact(names)) != len(opts) {
				t.Errorf("two times share an accessible name: %q", names)
			}
			if !opts[0].Checked || opts[0].Value != tc.starts[0] {
				t.Errorf("first option %+v is not the chosen one", opts[0])
			}
		})
	}
}

func TestBookingTimeCarriesAnOffsetForEachEndAcrossAChange(t *testing.T) {
	for _, tc := range []struct {
		name, start, zone string
		want              when
	}{
		{"across the change", "2026-11-01T08:40:00Z", "America/Los_Angeles",
			when{Date: "Sunday 1 November 2026", Start: "1:40\u00a0AM (UTC−7)", End: "1:00\u00a0AM (UTC−8)", Zone: "Los Angeles time"}},
		{"in the repeated hour", "2026-11-01T09:20:00Z", "America/Los_Angeles",
			when{Date: "Sunday 1 November 2026", Start: "1:20\u00a0AM", End: "1:40\u00a0AM", Zone: "Los Angeles time (UTC−8)"}},
		{"an ordinary day", "2026-12-02T17:00:00Z", "Asia/Tokyo",
			when{Date: "Thursday 3 December 2026", Start: "2:00\u00a0AM", End: "2:20\u00a0AM", Zone: "Tokyo time (UTC+9)"}},
	} {
		start, err := time.Parse(time.RFC3339, tc.start)
		if err != nil {
			t.Fatal(err)
		}
		if got := whenIn(i18n.EN, start, start.Add(20*time.Minute), tc.zone, timefmt.H12); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// TestSlotsByDayMatchesEachSlotsDate splits slots across the days of a
// zone's spring and autumn changes, and a zone whose day starts at 01:00
// once a year, as reading each slot's date would.
func TestSlotsByDayMatchesEachSlotsDate(t *testing.T) {
	for _, zone := range []string{"America/Los_Angeles", "Europe/Berlin", "America/Havana", "Pacific/Apia", "UTC"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		for _, from := range []time.Time{time.Date(2027, 3, 5, 0, 0, 0, 0, time.UTC), time.Date(2027, 10, 28, 0, 0, 0, 0, time.UTC)} {
			var slots []booking.Slot
			for t0 := from; t0.Before(from.Add(12 * 24 * time.Hour)); t0 = t0.Add(50 * time.Minute) {
				slots = append(slots, booking.Slot{Start: t0, End: t0.Add(20 * time.Minute)})
			}
			first, last := booking.DateOf(from.In(loc)).AddDays(1), booking.DateOf(from.In(loc)).AddDays(10)
			got := slotsByDay(slots, first, last, loc)
			want := make([][]booking.Slot, booking.DayNumber(last)-booking.DayNumber(first)+1)
			for _, sl := range slots {
				if k := booking.DayNumber(booking.DateOf(sl.Start.In(loc))) - booking.DayNumber(first); k >= 0 && k < int64(len(want)) {
					want[k] = append(want[k], sl)
				}
			}
			for k := range want {
				if !slices.Equal(got[k], want[k]) {
					t.Errorf("%s from %s, day %s: %d slots, want %d", zone, from.Format(time.DateOnly), first.AddDays(k), len(got[k]), len(want[k]))
				}
				if cap(got[k]) != len(got[k]) {
					t.Errorf("%s day %s: a run with room to append into its neighbour", zone, first.AddDays(k))
				}
			}
		}
	}
}
