package booking

import (
	"fmt"
	"time"
)

// Clock is a wall-clock time of day in minutes after midnight, in the
// practice's zone. 1440 (24:00) is allowed as the end of a window.
type Clock int

// ParseClock parses "HH:MM" (00:00 to 24:00).
func ParseClock(s string) (Clock, error) {
	if len(s) != 5 || s[2] != ':' || !isDigits(s[:2]) || !isDigits(s[3:]) {
		return 0, fmt.Errorf("time %q is not HH:MM", s)
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	c := Clock(h*60 + m)
	if h < 0 || m < 0 || m > 59 || c > 24*60 {
		return 0, fmt.Errorf("time %q is out of range", s)
	}
	return c, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String formats c as "HH:MM".
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// TimeRange is a wall-clock range [Start, End) within one day.
type TimeRange struct {
	Start Clock
	End   Clock
}

// Valid reports whether the range is non-empty and within one day.
func (r TimeRange) Valid() bool { return r.Start >= 0 && r.Start < r.End && r.End <= 24*60 }

// WeeklyWindow is a recurring window of availability on one weekday.
type WeeklyWindow struct {
	Weekday time.Weekday
	TimeRange
}

// Date is a civil date without a zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// String formats d as "YYYY-MM-DD".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// In returns the first instant at which the clock in loc reads wall-clock
// time c on d, or a later time: a time skipped by a DST change means the
// moment of the jump, a repeated time its first occurrence. The slot engine
// uses the same rule, so day boundaries and windows always agree.
func (d Date) In(c Clock, loc *time.Location) time.Time {
	return firstInstant(loc, d, c)
}

// AddDays returns d plus n days.
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// Override replaces the weekly hours on one date: closed, or other hours.
type Override struct {
	Date    Date
	Closed  bool
	Windows []TimeRange // used when Closed is false
}

// Settings are the practice's booking rules.
type Settings struct {
	PracticeName string
	TimeZone     string        // IANA name; weekly hours are wall-clock times here
	SlotLength   time.Duration // 20 minutes for the free consultation
	Buffer       time.Duration // kept free before and after every booking
	MinNotice    time.Duration // earliest bookable start is now + MinNotice
	NotSameDay   bool          // when set, nothing can be booked for today (practice zone)
	HorizonDays  int           // the last bookable date is today + HorizonDays (practice zone)
	DailyCap     int           // most bookings per practice-local day; 0 means no cap
	// EventTitle is the neutral title of the calendar events clients get;
	// "" means "Consultation with <PracticeName>". It is set with the feed
	// settings, not with the rules, and it must never name a treatment.
	EventTitle string
	// Profile is who the practice is, edited apart from the rules.
	Profile Profile
}

// Location loads the practice's zone.
func (s Settings) Location() (*time.Location, error) {
	loc, err := LoadZone(s.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("practice time zone %q: %w", s.TimeZone, err)
	}
	return loc, nil
}

// DefaultSettings are the rules a new practice starts with.
func DefaultSettings() Settings {
	return Settings{
		PracticeName: "Consult",
		TimeZone:     "America/Los_Angeles",
		SlotLength:   20 * time.Minute,
		Buffer:       10 * time.Minute,
		MinNotice:    12 * time.Hour,
		HorizonDays:  60,
		DailyCap:     6,
	}
}

// Schedule is everything the slot engine needs to know about availability.
type Schedule struct {
	Settings  Settings
	Weekly    []WeeklyWindow
	Overrides []Override
	// Blocked is busy time read from the practitioner's own calendars:
	// it blocks slots, with the buffer, as bookings do, but does not count
	// towards the daily cap of consultations. Sorted by start, and merged
	// where they overlap (MergeOverlapping).
	Blocked []Interval
	// CalendarsStale is set while a linked calendar has gone unread for
	// too long: its busy time may be out of date, so nothing is bookable.
	CalendarsStale bool
}

// Interval is a half-open span of time [Start, End).
type Interval struct {
	Start time.Time
	End   time.Time
}

// MergeOverlapping merges, in place, the intervals of ivs (sorted by
// start, none ending before it starts) that overlap or touch, and
// returns the merged run. The slot engine and the admin's refusal text
// ask of blocked time only whether it meets a slot, which merging does
// not change, and a practitioner's calendars repeat and overlap one
// another.
func MergeOverlapping(ivs []Interval) []Interval {
	out := ivs[:0]
	for _, iv := range ivs {
		if n := len(out); n > 0 && !iv.Start.After(out[n-1].End) {
			if iv.End.After(out[n-1].End) {
				out[n-1].End = iv.End
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// Overlaps reports whether i and j share any instant.
func (i Interval) Overlaps(j Interval) bool { return i.Start.Before(j.End) && j.Start.Before(i.End) }

// Slot is a bookable span; it is an Interval.
type Slot = Interval
