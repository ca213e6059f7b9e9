package booking

import (
	"fmt"
	"strings"
	"time"
)

// Why a time cannot be booked. Each kind is a problem type of the API
// (ending /taken, /too-soon, …) and a sentence on the pages, so a client
// whose tab sat open past the notice is not told someone else booked it.
const (
	RefusedTaken         = "taken"            // held by another booking, or the day is full
	RefusedTooSoon       = "too-soon"         // inside the minimum notice, or today when same-day bookings are off
	RefusedPast          = "past"             // the time has gone
	RefusedClosed        = "closed"           // no hours then: a closed day, time off, or outside the hours
	RefusedBeyondHorizon = "beyond-horizon"   // after the last bookable day
	RefusedNotStartTime  = "not-a-start-time" // within the hours but off the grid of start times
)

// refusal explains why start, which FreeSlots does not list, cannot be
// booked under s. Taken is the answer only when the time would otherwise
// be offered; the rules are checked in the order a client can act on.
func refusal(s Schedule, busy []Interval, start, now time.Time) error {
	st := s.Settings
	loc, err := st.Location()
	if err != nil {
		return err
	}
	today, day := DateOf(now.In(loc)), DateOf(start.In(loc))
	switch {
	case start.Before(now):
		return refused(RefusedPast, "That time has already passed. Please choose a later time.")
	case start.Before(now.Add(st.MinNotice)):
		return refused(RefusedTooSoon, "Bookings need at least "+noticeText(st.MinNotice)+" notice. Please choose a later time.")
	case st.NotSameDay && !today.Before(day):
		return refused(RefusedTooSoon, "Bookings need to be made at least a day ahead. Please choose a time from tomorrow on.")
	case int64(st.HorizonDays) < dayNumber(day)-dayNumber(today):
		return refused(RefusedBeyondHorizon, fmt.Sprintf("Bookings can be made up to %s ahead. Please choose an earlier day.", daysText(st.HorizonDays)))
	}
	if s.CalendarsStale {
		return refused(RefusedTaken, "Bookings are paused for a moment while the practice's calendar is brought up to date. Please try again later.")
	}
	dayStart, dayEnd := firstInstant(loc, day, 0), firstInstant(loc, day.AddDays(1), 0)
	windows := dayWindows(nil, loc, day, dayStart, dayEnd, s.Weekly, overridesBetween(s.Overrides, day, day))
	if len(windows) == 0 {
		return refused(RefusedClosed, "The practice is closed that day. Please choose another day.")
	}
	end := start.Add(st.SlotLength)
	for _, w := range windows {
		if start.Before(w.Start) || end.After(w.End) {
			continue
		}
		if start.Sub(w.Start)%st.SlotLength != 0 {
			return &Error{Code: EINVALID, Kind: RefusedNotStartTime, Message: "That is not one of the start times offered. Please choose a listed time.",
				Fields: map[string]string{"start": "Choose one of the listed start times."}}
		}
		return refused(RefusedTaken, "That time has just been booked by someone else. Please choose another time.")
	}
	for _, w := range windows {
		if start.Before(w.End) && w.Start.Before(end) {
			// Overlaps the hours without fitting them: starts too late.
			return &Error{Code: EINVALID, Kind: RefusedNotStartTime, Message: "That is not one of the start times offered. Please choose a listed time.",
				Fields: map[string]string{"start": "Choose one of the listed start times."}}
		}
	}
	return refused(RefusedClosed, "That time is outside the practice's hours. Please choose a listed time.")
}

// refused is a refusal of kind with message; every kind but taken is the
// client's choice to correct (422, naming the start field).
func refused(kind, message string) *Error {
	if kind == RefusedTaken {
		return &Error{Code: ECONFLICT, Kind: kind, Message: message}
	}
	return &Error{Code: EINVALID, Kind: kind, Message: message, Fields: map[string]string{"start": message}}
}

// noticeText writes a minimum notice as people say it: "48 hours'",
// "1 hour's", "30 minutes'", "1 hour and 30 minutes'".
func noticeText(d time.Duration) string {
	h, m := int(d/time.Hour), int((d%time.Hour+time.Minute-1)/time.Minute)
	unit := func(n int, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	var text string
	switch {
	case h > 0 && m > 0:
		text = unit(h, "hour") + " and " + unit(m, "minute")
	case h > 0:
		text = unit(h, "hour")
	default:
		text = unit(m, "minute")
	}
	if strings.HasSuffix(text, "s") {
		return text + "'"
	}
	return text + "'s"
}

func daysText(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}
