package booking

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ValidateSettings checks rules the practitioner edits, naming each bad
// field: practice_name, timezone, buffer_minutes, min_notice_hours,
// horizon_days, daily_cap. The limits match the database's.
func ValidateSettings(st Settings) error {
	f := FieldErrors{}
	switch n := utf8.RuneCountInString(strings.TrimSpace(st.PracticeName)); {
	case n == 0:
		f.Add("practice_name", "Enter the practice's name.")
	case n > 200 || hasControl(st.PracticeName):
		f.Add("practice_name", "Use at most 200 ordinary characters.")
	}
	if _, err := CheckZone(st.TimeZone); err != nil {
		f.Add("timezone", "Use an IANA time zone name such as Europe/Berlin.")
	}
	if st.Buffer < 0 || st.Buffer > 240*time.Minute || st.Buffer%time.Minute != 0 {
		f.Add("buffer_minutes", "Use whole minutes from 0 to 240.")
	}
	if st.MinNotice < 0 || st.MinNotice > 720*time.Hour || st.MinNotice%time.Minute != 0 {
		f.Add("min_notice_hours", "Use from 0 to 720 hours.")
	}
	if st.HorizonDays < 1 || st.HorizonDays > 730 {
		f.Add("horizon_days", "Use from 1 to 730 days.")
	}
	if st.DailyCap < 0 || st.DailyCap > 100 {
		f.Add("daily_cap", "Use from 0 (no limit) to 100.")
	}
	if st.SlotLength < 5*time.Minute || st.SlotLength > 240*time.Minute || st.SlotLength%time.Minute != 0 {
		f.Add("slot_minutes", "Use whole minutes from 5 to 240.")
	}
	return f.Err()
}

// ParseRanges reads wall-clock ranges written as "09:00-12:00, 13:00-17:00"
// (an en dash works too; "" is no ranges). Overlapping ranges are refused
// so what is stored is what the practitioner meant.
func ParseRanges(s string) ([]TimeRange, error) {
	var out []TimeRange
	s = strings.ReplaceAll(s, "–", "-")
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		from, to, ok := strings.Cut(part, "-")
		if !ok {
			return nil, fmt.Errorf("write each range as 09:00-12:00")
		}
		a, err1 := ParseClock(normalizeClock(from))
		b, err2 := ParseClock(normalizeClock(to))
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("write each range as 09:00-12:00, with times from 00:00 to 24:00")
		}
		r := TimeRange{a, b}
		if !r.Valid() {
			return nil, fmt.Errorf("%s ends before it starts", strings.TrimSpace(part))
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b TimeRange) int { return int(a.Start - b.Start) })
	for i := 1; i < len(out); i++ {
		if out[i].Start < out[i-1].End {
			return nil, fmt.Errorf("%s-%s overlaps %s-%s", out[i-1].Start, out[i-1].End, out[i].Start, out[i].End)
		}
	}
	if len(out) > 12 {
		return nil, fmt.Errorf("use at most 12 ranges a day")
	}
	return out, nil
}

// normalizeClock pads "9:00" to "09:00".
func normalizeClock(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 4 && s[1] == ':' {
		return "0" + s
	}
	return s
}

// FormatRanges writes ranges the way ParseRanges reads them.
func FormatRanges(rs []TimeRange) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Start.String() + "-" + r.End.String()
	}
	return strings.Join(parts, ", ")
}

// ValidateWeekly checks weekly windows: valid ranges, no overlap on a day.
func ValidateWeekly(ws []WeeklyWindow) error {
	byDay := map[time.Weekday][]TimeRange{}
	for _, w := range ws {
		if w.Weekday < time.Sunday || w.Weekday > time.Saturday || !w.Valid() {
			return FieldErrors{"weekly": "Each window needs a weekday and a start before its end, within the day."}.Err()
		}
		byDay[w.Weekday] = append(byDay[w.Weekday], w.TimeRange)
	}
	for wd, rs := range byDay {
		slices.SortFunc(rs, func(a, b TimeRange) int { return int(a.Start - b.Start) })
		for i := 1; i < len(rs); i++ {
			if rs[i].Start < rs[i-1].End {
				return FieldErrors{strings.ToLower(wd.String()): "Windows on one day must not overlap."}.Err()
			}
		}
	}
	if len(ws) > 7*12 {
		return FieldErrors{"weekly": "Use at most 12 windows a day."}.Err()
	}
	return nil
}

// ValidateOverride checks an override: an open day needs at least one
// valid window and its windows must not overlap.
func ValidateOverride(o Override) error {
	if o.Date.Year < 2000 || o.Date.Year > 2200 {
		return FieldErrors{"date": "Choose a date."}.Err()
	}
	if o.Closed {
		return nil
	}
	if len(o.Windows) == 0 {
		return FieldErrors{"windows": "Give the day's hours, or close it."}.Err()
	}
	rs := slices.Clone(o.Windows)
	slices.SortFunc(rs, func(a, b TimeRange) int { return int(a.Start - b.Start) })
	for i, r := range rs {
		if !r.Valid() || (i > 0 && r.Start < rs[i-1].End) {
			return FieldErrors{"windows": "Each window needs a start before its end, and windows must not overlap."}.Err()
		}
	}
	return nil
}

// ValidateTimeOff checks a time-off range.
func ValidateTimeOff(first, last Date) error {
	switch {
	case first.Year < 2000 || first.Year > 2200:
		return FieldErrors{"first": "Choose the first day off."}.Err()
	case last.Before(first):
		return FieldErrors{"last": "The last day off must not be before the first."}.Err()
	case dayNumber(last)-dayNumber(first) > 366:
		return FieldErrors{"last": "Close at most a year at a time."}.Err()
	}
	return nil
}

// OutsideHours returns the bookings of bs whose time does not lie wholly
// within the hours that s gives their date (weekly hours, or the date's
// override; a closed date has none). s.Overrides must cover the bookings'
// dates. Only hours are judged: notice, horizon and cap apply to new
// bookings, not to ones already made.
func OutsideHours(s Schedule, bs []Booking) ([]Booking, error) {
	loc, err := s.Settings.Location()
	if err != nil {
		return nil, err
	}
	overrides := overridesBetween(s.Overrides, Date{1, 1, 1}, Date{9999, 12, 31})
	var out []Booking
	var buf []Interval
	for _, b := range bs {
		d := DateOf(b.Start.In(loc))
		dayStart, dayEnd := firstInstant(loc, d, 0), firstInstant(loc, d, 24*60)
		buf = dayWindows(buf[:0], loc, d, dayStart, dayEnd, s.Weekly, overrides)
		inside := false
		for _, w := range buf {
			if !b.Start.Before(w.Start) && !w.End.Before(b.End) {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, b)
		}
	}
	return out, nil
}

// Throttle limits failed attempts: after Max failures within Window, the
// next attempt waits until the oldest of them is Window old. With Delay
// set, it waits instead a growing time after the latest failure: Delay
// after the Max-th, twice that after the next, and so on up to MaxDelay.
// Growing delays slow a guesser down as much as a lock does without
// locking out the person whose account it is for long.
type Throttle struct {
	Max    int
	Window time.Duration
	// Delay and MaxDelay, when set, grow the wait rather than lock.
	Delay, MaxDelay time.Duration
}

// RetryAfter returns how long to wait before another attempt, given the
// failures within the window (oldest first); 0 means go ahead.
func (t Throttle) RetryAfter(failures []time.Time, now time.Time) time.Duration {
	if t.Max <= 0 || len(failures) < t.Max {
		return 0
	}
	until := failures[len(failures)-t.Max].Add(t.Window)
	if t.Delay > 0 {
		delay := t.MaxDelay
		if over := len(failures) - t.Max; over < 30 && t.Delay<<over < t.MaxDelay {
			delay = t.Delay << over
		}
		until = failures[len(failures)-1].Add(delay)
	}
	if wait := until.Sub(now); wait > 0 {
		return wait
	}
	return 0
}
