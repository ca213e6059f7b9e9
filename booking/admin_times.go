package booking

import (
	"fmt"
	"strings"
	"time"
)

// RefusedOutsideRules is the kind of a time the practitioner chose that
// breaks one of the practice's booking rules (notice, hours, horizon,
// daily cap, buffer): theirs to keep or to book anyway (OverrideRules).
const RefusedOutsideRules = "outside-rules"

// OutsideRulesPrefix begins the message at the start field when a time the
// practitioner chose breaks a rule; the rule it breaks follows.
const OutsideRulesPrefix = "This time is outside your usual rules: "

// practitionerTime is the rule check, run inside the store's booking
// transaction, of a time the practitioner books or moves a booking to:
// never in the past and never over another booking (the database's
// exclusion constraint holds in any case); the practice's rules too,
// unless override is set. broke, when not nil, is set to whether a rule
// was broken (and overridden).
func practitionerTime(start, end, now time.Time, override bool, broke *bool) CheckFunc {
	return func(s Schedule, busy []Interval) error {
		if !start.After(now) {
			return refused(RefusedPast, "That time has already passed. Please choose a later time.")
		}
		for _, b := range busy {
			if b.Start.Before(end) && start.Before(b.End) {
				return refused(RefusedTaken, "Another consultation is booked at that time. Please choose another time.")
			}
		}
		rule, err := brokenRule(s, busy, start, end, now)
		if err != nil {
			return err
		}
		if broke != nil {
			*broke = rule != ""
		}
		if rule == "" || override {
			return nil
		}
		msg := OutsideRulesPrefix + rule + "."
		return &Error{Code: EINVALID, Kind: RefusedOutsideRules, Message: msg, Fields: map[string]string{"start": msg}}
	}
}

// brokenRule names the first of the practice's rules that [start, end)
// breaks, as the practitioner would say it, or "" when a client could
// book it too. start is in the future.
func brokenRule(s Schedule, busy []Interval, start, end, now time.Time) (string, error) {
	st := s.Settings
	if end.Sub(start) == st.SlotLength {
		err := CheckSlot(s, busy, start, now)
		if err == nil {
			return "", nil
		}
		if _, ok := err.(*Error); !ok {
			return "", err // faulty settings
		}
	}
	loc, err := st.Location()
	if err != nil {
		return "", err
	}
	today, day := DateOf(now.In(loc)), DateOf(start.In(loc))
	switch {
	case start.Before(now.Add(st.MinNotice)):
		return "it is within your minimum notice of " + strings.TrimSuffix(strings.TrimSuffix(noticeText(st.MinNotice), "'s"), "'"), nil
	case st.NotSameDay && !today.Before(day):
		return "you take no bookings for the same day", nil
	case int64(st.HorizonDays) < dayNumber(day)-dayNumber(today):
		return fmt.Sprintf("it is more than %s ahead, your booking horizon", daysText(st.HorizonDays)), nil
	}
	dayStart, dayEnd := firstInstant(loc, day, 0), firstInstant(loc, day.AddDays(1), 0)
	windows := dayWindows(nil, loc, day, dayStart, dayEnd, s.Weekly, overridesBetween(s.Overrides, day, day))
	if len(windows) == 0 {
		return "you are closed that day", nil
	}
	inside := false
	for _, w := range windows {
		if !start.Before(w.Start) && !end.After(w.End) {
			inside = true
			if start.Sub(w.Start)%st.SlotLength != 0 {
				return "it is not one of your usual start times", nil
			}
		}
	}
	if !inside {
		return "it is outside your hours that day", nil
	}
	if st.DailyCap > 0 {
		n := 0
		for _, b := range busy {
			if !b.Start.Before(dayStart) && b.Start.Before(dayEnd) {
				n++
			}
		}
		if n >= st.DailyCap {
			return fmt.Sprintf("the day already has %s, your daily limit", plural(n, "consultation")), nil
		}
	}
	for _, b := range busy {
		if b.Start.Before(end.Add(st.Buffer)) && start.Before(b.End.Add(st.Buffer)) {
			return fmt.Sprintf("it is within your %s break of another consultation", durationText(st.Buffer)), nil
		}
	}
	for _, b := range s.Blocked {
		if b.Start.Before(end.Add(st.Buffer)) && start.Before(b.End.Add(st.Buffer)) {
			return "your linked calendar shows you busy then", nil
		}
	}
	if s.CalendarsStale {
		return "a linked calendar has not been read for too long", nil
	}
	return "it is not a time clients can book", nil
}

// plural writes n things: "1 consultation", "6 consultations".
func plural(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %ss", n, one)
}

// durationText writes a short duration as people say it: "10-minute".
func durationText(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d-hour", int(d/time.Hour))
	}
	return fmt.Sprintf("%d-minute", int((d+time.Minute-1)/time.Minute))
}
