package site

import (
	"context"
	"net/url"
	"sort"
	"strconv"
	"time"

	"consult/booking"
	"consult/web/i18n"
	"consult/web/timefmt"
)

// maxPickerDays bounds how far ahead the pages look for free slots, whatever
// the practice's horizon says.
const maxPickerDays = 366

// availability is the free slots of the bookable window, grouped by day in
// the visitor's zone.
type availability struct {
	loc         *time.Location
	first, last booking.Date   // the bookable window, in the visitor's zone
	slots       []booking.Slot // shared with other requests: read only
	// byDay holds each day's run of slots, from first on: a slice, not a
	// map, as the form is built again after every booking, and the map
	// of the window's ninety days, grown entry by entry, was the most
	// allocated thing of make bench's mixed load.
	byDay [][]booking.Slot
	// now and settings are what the slots were read at and with.
	now      time.Time
	settings booking.Settings
}

// loadAvailability reads the free slots of the bookable window, in loc.
func (h *Handler) loadAvailability(ctx context.Context, loc *time.Location, st booking.Settings) (*availability, error) {
	now := h.svc.Now()
	first, last, open, err := bookableDays(st, now, loc)
	if err != nil {
		return nil, err
	}
	a := &availability{loc: loc, first: first, last: last, now: now, settings: st, slots: []booking.Slot{}}
	if !open {
		return a, nil
	}
	var slots []booking.Slot
	if h.freeSlots != nil {
		// The slots API's copies, kept per version of the data.
		slots, err = h.freeSlots(ctx, a.first, a.last, loc, now)
	} else {
		slots, _, err = h.svc.Slots(ctx, a.first.In(0, loc), a.last.AddDays(1).In(0, loc))
	}
	if err != nil {
		return nil, err
	}
	a.slots = slots
	a.byDay = slotsByDay(slots, first, last, loc)
	return a, nil
}

// slotsByDay splits slots (sorted by start) into the days from first to
// last in loc, each day's a run of slots kept as a part of them (capped,
// so an append cannot write into the shared array): copying them one by
// one was the most allocated thing of make bench's mixed load, where the
// slots are read again after every booking. A run ends at the next day's
// first instant: reading each slot's date in loc was a tenth of the
// form's building, which every booking in the horizon makes again.
func slotsByDay(slots []booking.Slot, first, last booking.Date, loc *time.Location) [][]booking.Slot {
	byDay := make([][]booking.Slot, booking.DayNumber(last)-booking.DayNumber(first)+1)
	for i := 0; i < len(slots); {
		d := booking.DateOf(slots[i].Start.In(loc))
		next := booking.StartOfDay(d.AddDays(1), loc)
		j := i + 1
		for j < len(slots) && slots[j].Start.Before(next) {
			j++
		}
		if k := booking.DayNumber(d) - booking.DayNumber(first); k >= 0 && k < int64(len(byDay)) {
			byDay[k] = slots[i:j:j]
		}
		i = j
	}
	return byDay
}

// on returns the slots of day d: none outside the window.
func (a *availability) on(d booking.Date) []booking.Slot {
	k := booking.DayNumber(d) - booking.DayNumber(a.first)
	if k < 0 || k >= int64(len(a.byDay)) {
		return nil
	}
	return a.byDay[k]
}

// formSettings returns the settings a booking form is built with: with
// the slots API's copies, those its slots were computed with, kept with
// them per version, and not read again for every form.
func (h *Handler) formSettings(ctx context.Context) (booking.Settings, error) {
	if h.slotSettings != nil {
		return h.slotSettings(ctx, h.svc.Now())
	}
	return h.svc.Settings(ctx)
}

// bookableDays returns the first and last days, in loc, on which the slot
// engine can offer a time under st at now. Its rule is in the practice's
// zone: the first date is today, or tomorrow when same-day bookings are
// off, and no earlier than the minimum notice reaches; the last is today
// plus HorizonDays. Those dates' instants are then read in the visitor's
// zone, where the practice's last day may end after midnight. open is
// false when the rules leave no day at all; first and last are then
// today in loc.
func bookableDays(st booking.Settings, now time.Time, loc *time.Location) (first, last booking.Date, open bool, err error) {
	ploc, err := st.Location()
	if err != nil {
		return first, last, false, err
	}
	today := booking.DateOf(now.In(ploc))
	firstDate := today
	if st.NotSameDay {
		firstDate = today.AddDays(1)
	}
	earliest := now.Add(max(st.MinNotice, 0))
	if dayStart := booking.StartOfDay(firstDate, ploc); earliest.Before(dayStart) {
		earliest = dayStart
	}
	end := booking.StartOfDay(today.AddDays(min(max(st.HorizonDays, 0), maxPickerDays)+1), ploc)
	if !earliest.Before(end) {
		today := booking.DateOf(now.In(loc))
		return today, today, false, nil
	}
	return booking.DateOf(earliest.In(loc)), booking.DateOf(end.Add(-time.Nanosecond).In(loc)), true, nil
}

// firstOpenDay returns the first day in [from, to] with a free slot.
func (a *availability) firstOpenDay(from, to booking.Date) (booking.Date, bool) {
	for d := from; !to.Before(d); d = d.AddDays(1) {
		if len(a.on(d)) > 0 {
			return d, true
		}
	}
	return booking.Date{}, false
}

// openingDay is the day the form opens on when none is asked for: the
// first with free times, else the window's first.
func (a *availability) openingDay() booking.Date {
	if d, ok := a.firstOpenDay(a.first, a.last); ok {
		return d
	}
	return a.first
}

// mondayOf returns the Monday of d's week.
func mondayOf(d booking.Date) booking.Date {
	return d.AddDays(-((int(d.Weekday()) + 6) % 7))
}

// has reports whether start is a free slot.
func (a *availability) has(start time.Time) bool {
	i := sort.Search(len(a.slots), func(i int) bool { return !a.slots[i].Start.Before(start) })
	return i < len(a.slots) && a.slots[i].Start.Equal(start)
}

// nearest returns up to n free slots closest to t, other than one at t
// itself, in time order: what to offer when the slot a client chose was
// taken (perhaps after these slots were read).
func (a *availability) nearest(t time.Time, n int) []booking.Slot {
	out := make([]booking.Slot, 0, len(a.slots))
	for _, sl := range a.slots {
		if !sl.Start.Equal(t) {
			out = append(out, sl)
		}
	}
	dist := func(s booking.Slot) time.Duration { return s.Start.Sub(t).Abs() }
	sort.SliceStable(out, func(i, j int) bool { return dist(out[i]) < dist(out[j]) })
	out = out[:min(n, len(out))]
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// picker is the day-and-time chooser shared by /book and the reschedule
// form: a GET form for the day and zone, a week of days with their number
// of free times, and the chosen day's times as radio buttons.
type picker struct {
	// Lang is the page's language; Keep, in a frame, carries it in the
	// picker's links and forms, which have no cookie to rely on.
	Lang      i18n.Lang
	Keep      bool
	Action    string // where the day form and week links go
	TZ        string
	TZLabel   string
	Zones     []zoneGroup
	TZError   string
	Date      string
	Min, Max  string
	DateError string
	DayLabel  string
	Week      []pickerDay
	PrevWeek  string
	NextWeek  string
	Slots     []slotOption
	// Alternatives is set when Slots are the nearest free times to one
	// that was just taken, rather than one day's times.
	Alternatives bool
	SlotError    string
	// Notice is a note about the times that is not an error, such as a
	// linked time that is no longer free.
	Notice string
	// NoneFree is set when no day in the bookable window has a free time.
	NoneFree bool
	// Detect lets the script switch to the browser's zone: set when the
	// visitor has not chosen a zone yet.
	Detect bool
	// Clock is the clock the times are written on; Clocks offer both.
	Clock  pageClock
	Clocks []clockOption
	// Script is what site.js writes in the page's language, as JSON.
	Script string
}

// pickerDay is one day of the week strip.
type pickerDay struct {
	Date     string
	Weekday  string // "Tue"
	Short    string // "2 Dec"
	Label    string // "Tuesday 2 December"
	Count    int
	Current  bool
	Bookable bool
	URL      string
}

// slotOption is one radio button. Day is read out before Time by screen
// readers but hidden visually, as the day heads the list.
type slotOption struct {
	ID      string
	Value   string
	Day     string
	Time    string
	Checked bool
}

// FirstID is the id an error summary links to for the time field.
func (p picker) FirstID() string {
	if len(p.Slots) > 0 {
		return p.Slots[0].ID
	}
	return "date"
}

// newPicker builds the chooser for the day named by dateParam ("" or bad:
// the first day with free times), with selected (an RFC 3339 start)
// checked; zones are the zone select's options, for a.loc.
func newPicker(l i18n.Lang, keep bool, a *availability, action, dateParam, selected string, clock pageClock, zones []zoneGroup) picker {
	tz := a.loc.String()
	p := picker{Lang: l, Keep: keep, Action: action, TZ: tz, Zones: zones,
		Min: a.first.String(), Max: a.last.String(), Clock: clock}
	if l != i18n.EN {
		// site.js is written in English; other languages pass it theirs.
		p.Script = scriptText(l)
	}
	day := a.openingDay()
	if dateParam != "" {
		switch d, err := booking.ParseDate(dateParam); {
		case err != nil:
			p.DateError = i18n.MustT(l, "site.picker.date_unreadable", "Example", a.first.String())
		case d.Before(a.first) || a.last.Before(d):
			p.DateError = i18n.MustT(l, "site.picker.date_outside", "First", dateLabel(l, a.first, a.loc), "Last", dateLabel(l, a.last, a.loc))
		default:
			day = d
		}
	}
	p.Date, p.DayLabel = day.String(), dateLabel(l, day, a.loc)
	// The zone is named with its offset on the day shown, the offset its
	// times are in (site.js names it the same way).
	p.TZLabel = timefmt.ZoneAtIn(l, tz, day.In(12*60, a.loc).In(a.loc))
	p.Slots = slotOptions(l, a.on(day), a.loc, selected, clock.Hours)
	p.NoneFree = len(a.slots) == 0

	monday := mondayOf(day)
	for i := range 7 {
		d := monday.AddDays(i)
		t := d.In(12*60, a.loc)
		n := len(a.on(d))
		p.Week = append(p.Week, pickerDay{Date: d.String(), Weekday: i18n.WeekdayShort(l, t.Weekday()), Short: dayMonthShort(l, t),
			Label: i18n.Date(l, t, i18n.LongNoYear), Count: n, Current: d == day, Bookable: n > 0, URL: p.dayURL(d)})
	}
	if prev := monday.AddDays(-1); !prev.Before(a.first) {
		p.PrevWeek = p.dayURL(weekTarget(a, monday.AddDays(-7)))
	}
	if next := monday.AddDays(7); !a.last.Before(next) {
		p.NextWeek = p.dayURL(weekTarget(a, next))
	}
	example := time.Date(2000, 1, 1, 13, 30, 0, 0, time.UTC)
	for _, h := range []timefmt.Hours{timefmt.H12, timefmt.H24} {
		q := p.keepLang(url.Values{"date": {p.Date}, "tz": {tz}, "clock": {h.String()}})
		p.Clocks = append(p.Clocks, clockOption{Value: h.String(), Label: timefmt.Clock(example, h),
			URL: action + "?" + q.Encode() + "#times", Current: h == clock.Hours})
	}
	return p
}

// dayAround returns the day to open for d: d when it has free times, else
// the first day of its week that has, else d itself; ok is false when d
// is outside the bookable window.
func (a *availability) dayAround(d booking.Date) (booking.Date, bool) {
	if d.Before(a.first) || a.last.Before(d) {
		return booking.Date{}, false
	}
	if len(a.on(d)) > 0 {
		return d, true
	}
	if open := weekTarget(a, mondayOf(d)); len(a.on(open)) > 0 {
		return open, true
	}
	return d, true
}

// weekTarget is the day a week link opens: the week's first day with free
// times, within the bookable window.
func weekTarget(a *availability, monday booking.Date) booking.Date {
	from, to := monday, monday.AddDays(6)
	if from.Before(a.first) {
		from = a.first
	}
	if a.last.Before(to) {
		to = a.last
	}
	if d, ok := a.firstOpenDay(from, to); ok {
		return d
	}
	return from
}

// withAlternatives replaces the day's times with the free times nearest to
// the taken start, after a conflict.
func (p *picker) withAlternatives(a *availability, taken time.Time) {
	p.Alternatives = true
	p.Slots = slotOptions(p.Lang, a.nearest(taken, 5), a.loc, "", p.Clock.Hours)
}

// slotOptions labels slots in loc. On a day the clocks change, every time
// carries its UTC offset: when they go back, two slots would otherwise read
// the same ("11:00 PM" twice), to the eye and to a screen reader alike.
// web/static/site.js labels the times it loads by the same rule.
func slotOptions(l i18n.Lang, slots []booking.Slot, loc *time.Location, selected string, hours timefmt.Hours) []slotOption {
	out := make([]slotOption, len(slots))
	seen := make(map[string]bool, len(slots))
	withOffset := false
	// The slots are in time order, mostly of one day: its label is
	// written once, not once per time.
	var labelled booking.Date
	var label string
	for i, sl := range slots {
		t := sl.Start.In(loc)
		if d := booking.DateOf(t); label == "" || d != labelled {
			labelled, label = d, i18n.Date(l, t, i18n.LongNoYear)
		}
		v := sl.Start.UTC().Format(time.RFC3339)
		out[i] = slotOption{ID: "slot-" + strconv.Itoa(i), Value: v, Day: label, Time: timefmt.Clock(t, hours), Checked: v == selected}
		name := out[i].Day + ", " + out[i].Time
		withOffset = withOffset || seen[name] || zoneChangesOn(t)
		seen[name] = true
	}
	if withOffset {
		for i, sl := range slots {
			out[i].Time += " (" + timefmt.Offset(sl.Start.In(loc)) + ")"
		}
	}
	return out
}

// zoneChangesOn reports whether t's zone has another UTC offset at the end
// of t's day than at its start.
func zoneChangesOn(t time.Time) bool {
	y, m, d := t.Date()
	_, startOff := time.Date(y, m, d, 0, 0, 0, 0, t.Location()).Zone()
	_, endOff := time.Date(y, m, d+1, 0, 0, 0, 0, t.Location()).Zone()
	return startOff != endOff
}

// againURL is the address that shows the picker's page again on its
// day and zone, with nothing chosen.
func (p picker) againURL() string {
	return p.Action + "?" + p.keepLang(p.Clock.addTo(url.Values{"date": {p.Date}, "tz": {p.TZ}})).Encode()
}

// keepLang sets lang in q on a framed page, which has no cookie.
func (p picker) keepLang(q url.Values) url.Values {
	if p.Keep {
		q.Set("lang", string(p.Lang))
	}
	return q
}

// dayURL is the address of day d in the picker's zone and, when the
// visitor chose one, clock.
func (p picker) dayURL(d booking.Date) string {
	return p.Action + "?" + p.keepLang(p.Clock.addTo(url.Values{"date": {d.String()}, "tz": {p.TZ}})).Encode() + "#times"
}

// dateLabel reads "Tuesday 2 December" for a date, in language l.
func dateLabel(l i18n.Lang, d booking.Date, loc *time.Location) string {
	return i18n.Date(l, d.In(12*60, loc), i18n.LongNoYear)
}

// dayMonthShort reads "2 Dec", "2. Dez.", for the week strip.
func dayMonthShort(l i18n.Lang, t time.Time) string {
	return i18n.Date(l, t, i18n.DayMonthShort)
}
