package i18n

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// DateStyle is how much of a date is written.
type DateStyle int

const (
	// Long: "Monday 7 December 2026", "Montag, 7. Dezember 2026".
	Long DateStyle = iota
	// LongNoYear: "Monday 7 December", "Montag, 7. Dezember".
	LongNoYear
	// Short: "Mon 7 Dec", "Mo., 7. Dez.".
	Short
	// MonthYear: "December 2026", "Dezember 2026".
	MonthYear
	// DayMonthShort: "7 Dec", "7. Dez.", for the booking page's week strip.
	DayMonthShort
)

var datePatterns = map[DateStyle]string{Long: "date.long", LongNoYear: "date.long_no_year", Short: "date.short",
	MonthYear: "date.month_year", DayMonthShort: "site.picker.day_month_short"}

var weekdayIDs = [...]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

var monthIDs = [...]string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}

// Date writes t's date (in t's own location) in language l: the words
// and their order come from the core catalogue.
func Date(l Lang, t time.Time, style DateStyle) string {
	key := writtenDate{l: l, style: style, year: t.Year(), month: t.Month(), day: t.Day()}
	if s, ok := written.Load(key); ok {
		return s.(string)
	}
	s := writeDate(l, t, style)
	if writtenCount.Add(1) > maxWrittenDates {
		written.Clear()
		writtenCount.Store(1)
	}
	written.Store(key, s)
	return s
}

// written keeps the dates Date has written. The booking page writes the
// same weeks of dates several ways for every rendering, after every
// booking, and each was a message template run. A date's words depend on
// its language, style and calendar date only; the dates kept are
// dropped together when there are maxWrittenDates, which bounds them
// whatever dates are asked for.
var (
	written      sync.Map // writtenDate → string
	writtenCount atomic.Int64
)

const maxWrittenDates = 4096

type writtenDate struct {
	l         Lang
	style     DateStyle
	year, day int
	month     time.Month
}

// writeDate is Date without the dates kept.
func writeDate(l Lang, t time.Time, style DateStyle) string {
	var wd, month string
	if style == Short || style == DayMonthShort {
		wd, month = WeekdayShort(l, t.Weekday()), MustT(l, "month_short."+monthIDs[t.Month()-1])
	} else {
		wd, month = Weekday(l, t.Weekday()), MustT(l, "month."+monthIDs[t.Month()-1])
	}
	return MustT(l, datePatterns[style], "Weekday", wd, "Day", strconv.Itoa(t.Day()), "Month", month, "Year", strconv.Itoa(t.Year()))
}

// Weekday is the day's name: "Monday", "Montag".
func Weekday(l Lang, d time.Weekday) string { return MustT(l, "weekday."+weekdayIDs[d]) }

// WeekdayShort is the day's short name: "Mon", "Mo.".
func WeekdayShort(l Lang, d time.Weekday) string { return MustT(l, "weekday_short."+weekdayIDs[d]) }
