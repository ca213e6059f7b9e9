package booking

import (
	"strings"
	"testing"
	"time"
)

// TestPractitionerTime checks the rules of a time the practitioner books:
// each broken rule named, the override taking every one but the past and
// another booking, which no override takes.
func TestPractitionerTime(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	st := DefaultSettings()
	st.DailyCap = 2
	s := Schedule{Settings: st}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		s.Weekly = append(s.Weekly, WeeklyWindow{Weekday: wd, TimeRange: TimeRange{Start: 9 * 60, End: 12 * 60}})
	}
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, la) // Tuesday
	at := func(day, h, m int) time.Time { return time.Date(2026, 12, day, h, m, 0, 0, la) }
	busy := []Interval{{at(3, 9, 0), at(3, 9, 20)}, {at(4, 9, 0), at(4, 9, 20)}, {at(4, 10, 0), at(4, 10, 20)}}
	tests := []struct {
		start    time.Time
		kind     string // "" when allowed
		rule     string
		override string // kind with the override
	}{
		{at(2, 9, 0), "", "", ""},
		{at(1, 7, 0), RefusedPast, "", RefusedPast},
		{at(3, 9, 10), RefusedTaken, "", RefusedTaken},
		{at(1, 15, 0), RefusedOutsideRules, "minimum notice of 12 hours", ""},
		{at(5, 10, 0), RefusedOutsideRules, "closed that day", ""},
		{at(2, 12, 0), RefusedOutsideRules, "outside your hours", ""},
		{at(2, 9, 5), RefusedOutsideRules, "not one of your usual start times", ""},
		{at(4, 11, 0), RefusedOutsideRules, "the day already has 2 consultations, your daily limit", ""},
		{at(3, 9, 20), RefusedOutsideRules, "within your 10-minute break", ""},
		{time.Date(2027, 2, 1, 9, 0, 0, 0, la), RefusedOutsideRules, "more than 60 days ahead", ""},
	}
	for _, tc := range tests {
		for _, override := range []bool{false, true} {
			want := tc.kind
			if override {
				want = tc.override
			}
			var broke bool
			err := practitionerTime(tc.start, tc.start.Add(st.SlotLength), now, override, &broke)(s, busy)
			var got string
			if e, ok := err.(*Error); ok {
				got = e.Kind
			} else if err != nil {
				t.Fatalf("%s: %v", tc.start, err)
			}
			if got != want {
				t.Errorf("%s override %v: kind %q (%v), want %q", tc.start, override, got, err, want)
			}
			if tc.rule != "" && !override {
				msg := err.(*Error).Fields["start"]
				if !strings.HasPrefix(msg, OutsideRulesPrefix) || !strings.Contains(msg, tc.rule) {
					t.Errorf("%s: %q, want the rule %q", tc.start, msg, tc.rule)
				}
			}
			if tc.rule != "" && override && !broke {
				t.Errorf("%s: the override does not note the broken rule", tc.start)
			}
		}
	}
}

// A practitioner booking over their linked calendar's busy time, or
// while one is stale, breaks a rule they must choose to override.
func TestPractitionerTimeOverLinkedCalendars(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	s := Schedule{Settings: DefaultSettings()}
	s.Weekly = []WeeklyWindow{{Weekday: time.Wednesday, TimeRange: TimeRange{Start: 9 * 60, End: 12 * 60}}}
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, la)
	start := time.Date(2026, 12, 2, 10, 0, 0, 0, la)
	s.Blocked = []Interval{{start.Add(5 * time.Minute), start.Add(15 * time.Minute)}}
	for _, tc := range []struct {
		stale bool
		rule  string
	}{{false, "your linked calendar shows you busy then"}, {true, "your linked calendar shows you busy then"}} {
		s.CalendarsStale = tc.stale
		err := practitionerTime(start, start.Add(20*time.Minute), now, false, nil)(s, nil)
		e, ok := err.(*Error)
		if !ok || e.Kind != RefusedOutsideRules || !strings.Contains(e.Message, tc.rule) {
			t.Errorf("stale %v: %v, want the rule %q", tc.stale, err, tc.rule)
		}
		if err := practitionerTime(start, start.Add(20*time.Minute), now, true, nil)(s, nil); err != nil {
			t.Errorf("stale %v, overridden: %v", tc.stale, err)
		}
	}
	s.Blocked, s.CalendarsStale = nil, true
	err = practitionerTime(start, start.Add(20*time.Minute), now, false, nil)(s, nil)
	if e, ok := err.(*Error); !ok || !strings.Contains(e.Message, "has not been read for too long") {
		t.Errorf("stale calendar: %v", err)
	}
}
