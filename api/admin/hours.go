package admin

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"consult/booking"
	"consult/web/i18n"
)

// Hours are edited as rows of start and end times: per weekday in the
// weekly form (start_N and end_N, N the weekday, Sunday 0), and for one
// date in the override form (window_start, window_end). Adding, removing
// and copying rows are buttons of the form that show it again changed,
// nothing saved, so every step works without a script.

// timeRow is one window as the form shows it.
type timeRow struct {
	Start, End string
}

// weekdayRow is one weekday of the weekly form.
type weekdayRow struct {
	Weekday int
	Field   string // hours_N: where the day's error is shown
	Name    string
	Rows    []timeRow
}

// maxRowsPerDay bounds the rows a form may hold; no practice opens more
// than a handful of windows a day.
const maxRowsPerDay = 12

// formClock reads a time input's value: "09:00", "09:00:00"; "00:00" as
// an end after a start means midnight at the end of the day.
func formClock(v string) (booking.Clock, error) {
	v = strings.TrimSpace(v)
	if len(v) == 8 && strings.HasSuffix(v, ":00") {
		v = v[:5]
	}
	return booking.ParseClock(v)
}

// parseRows reads rows into ranges; empty rows are left out. msg is
// non-empty when a row cannot be read.
func parseRows(rows []timeRow) (rs []booking.TimeRange, msg string) {
	for _, r := range rows {
		s, e := strings.TrimSpace(r.Start), strings.TrimSpace(r.End)
		if s == "" && e == "" {
			continue
		}
		if s == "" || e == "" {
			return nil, "give both a start and an end time"
		}
		start, err1 := formClock(s)
		end, err2 := formClock(e)
		if err1 != nil || err2 != nil {
			return nil, "write times like 09:00"
		}
		if end == 0 && start > 0 {
			end = 24 * 60
		}
		rs = append(rs, booking.TimeRange{Start: start, End: end})
	}
	sorted := slices.Clone(rs)
	slices.SortFunc(sorted, func(a, b booking.TimeRange) int { return int(a.Start - b.Start) })
	for i, r := range sorted {
		if !r.Valid() {
			return nil, "each start must come before its end"
		}
		if i > 0 && r.Start < sorted[i-1].End {
			return nil, "the times must not overlap"
		}
	}
	return rs, ""
}

// formRows reads the rows posted as parallel start and end fields.
func formRows(starts, ends []string) []timeRow {
	n := min(max(len(starts), len(ends)), maxRowsPerDay)
	rows := make([]timeRow, n)
	for i := range rows {
		if i < len(starts) {
			rows[i].Start = starts[i]
		}
		if i < len(ends) {
			rows[i].End = ends[i]
		}
	}
	return rows
}

// rowsOf shows ranges as rows, with one empty row to fill in after them.
func rowsOf(rs []booking.TimeRange) []timeRow {
	rows := make([]timeRow, 0, len(rs)+1)
	for _, r := range rs {
		end := r.End.String()
		if r.End == 24*60 {
			end = "00:00"
		}
		rows = append(rows, timeRow{Start: r.Start.String(), End: end})
	}
	return append(rows, timeRow{})
}

// withEmptyRow ends rows with an empty one, so there is always a row to
// fill in.
func withEmptyRow(rows []timeRow) []timeRow {
	if len(rows) == 0 || rows[len(rows)-1] != (timeRow{}) {
		if len(rows) < maxRowsPerDay {
			rows = append(rows, timeRow{})
		}
	}
	return rows
}

// weekdayName names weekday N of a form field.
func weekdayName(n int) string { return time.Weekday(n).String() }

// editWeek applies an add, remove or copy button to the posted rows and
// says what changed; ok is false for any other action.
func editWeek(l i18n.Lang, days []weekdayRow, action string) (note string, ok bool) {
	verb, arg, _ := strings.Cut(action, "-")
	dayOf := func(s string) *weekdayRow {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil
		}
		for i := range days {
			if days[i].Weekday == n {
				return &days[i]
			}
		}
		return nil
	}
	switch verb {
	case "add":
		d := dayOf(arg)
		if d == nil {
			return "", false
		}
		if len(d.Rows) < maxRowsPerDay {
			d.Rows = append(d.Rows, timeRow{})
		}
		return msg(l, "admin.hours.row_added", "Day", d.Name), true
	case "remove":
		ds, is, _ := strings.Cut(arg, "-")
		d := dayOf(ds)
		i, err := strconv.Atoi(is)
		if d == nil || err != nil || i < 0 || i >= len(d.Rows) {
			return "", false
		}
		d.Rows = slices.Delete(d.Rows, i, i+1)
		d.Rows = withEmptyRow(d.Rows)
		return msg(l, "admin.hours.row_removed", "Day", d.Name), true
	case "copy":
		src := dayOf(arg)
		if src == nil {
			return "", false
		}
		for i := range days {
			if wd := days[i].Weekday; wd >= 1 && wd <= 5 && wd != src.Weekday {
				days[i].Rows = slices.Clone(src.Rows)
			}
		}
		return msg(l, "admin.hours.copied", "Day", src.Name), true
	}
	return "", false
}
