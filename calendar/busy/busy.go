// Package busy reads a calendar (an ICS file) into the busy time it
// holds: recurring series expanded with their exceptions, all-day events
// as whole practice-local days, every time zone form the big providers
// write. Only instants come out, never titles or attendees: the
// practitioner's other clients must not enter the service's database.
package busy

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"

	"consult/booking"
)

// Options say how to read a calendar.
type Options struct {
	// Zone is the practice's: floating times are read in it, and all-day
	// events block its whole local days.
	Zone *time.Location
	// From and To bound the busy time kept; recurring series are expanded
	// only within them.
	From, To time.Time
	// Owners are the practitioner's addresses in this calendar; with
	// IgnoreDeclined, an event one of them declined is not busy.
	Owners         []string
	IgnoreDeclined bool
	// Skip, when set, leaves out the events whose UID it reports (the
	// bookings the service wrote into the calendar itself).
	Skip func(uid string) bool
	// MaxIntervals bounds the busy intervals one calendar may yield
	// (DefaultMaxIntervals when zero).
	MaxIntervals int
}

// DefaultMaxIntervals is far more than a year of a busy practice's diary.
const DefaultMaxIntervals = 50_000

// maxIterations bounds the occurrences walked per series, so a rule such
// as FREQ=MINUTELY from decades ago cannot take the sync's time, and
// maxTotalIterations those of a whole file.
const (
	maxIterations      = 200_000
	maxTotalIterations = 2_000_000
)

// Errors Parse fails with; their messages are safe to show.
var (
	ErrNotCalendar = errors.New("the address did not return an iCalendar file")
	ErrTooMany     = errors.New("the calendar holds more events than the server reads")
)

// Parse reads an iCalendar file into its busy intervals within
// [o.From, o.To), sorted and merged where they overlap or touch. Events
// marked free (TRANSP:TRANSPARENT), cancelled, or declined by an owner
// are not busy. An event that cannot be read is skipped; a file that is
// not a calendar is ErrNotCalendar.
func Parse(data []byte, o Options) ([]booking.Interval, error) {
	if o.Zone == nil {
		o.Zone = time.UTC
	}
	if o.MaxIntervals <= 0 {
		o.MaxIntervals = DefaultMaxIntervals
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	cals, err := decodeAll(data)
	if err != nil {
		return nil, err
	}
	var out []booking.Interval
	walked := 0
	for _, cal := range cals {
		p := &parser{o: o, zones: newZones(cal, o.Zone), walked: &walked}
		// Google names a calendar by its owner's address.
		if name := cal.Props.Get("X-WR-CALNAME"); name != nil && strings.Contains(name.Value, "@") && !strings.ContainsAny(name.Value, " ,;") {
			p.o.Owners = append(slices.Clone(o.Owners), name.Value)
		}
		if err := p.calendar(cal, &out); err != nil {
			return nil, err
		}
	}
	return merge(out), nil
}

// decodeAll reads every VCALENDAR in data (CalDAV answers hold one per
// event; a file usually one). What follows the last one is ignored.
func decodeAll(data []byte) (_ []*ical.Calendar, err error) {
	// go-ical panics on some malformed lines (a parameter without a
	// value at the end of a line); what a server sends must not stop the
	// process.
	defer func() {
		if recover() != nil {
			err = ErrNotCalendar
		}
	}()
	dec := ical.NewDecoder(bytes.NewReader(data))
	var cals []*ical.Calendar
	for {
		cal, err := dec.Decode()
		if err != nil {
			if len(cals) > 0 {
				return cals, nil
			}
			return nil, ErrNotCalendar
		}
		cals = append(cals, cal)
	}
}

type parser struct {
	o      Options
	zones  *zones
	walked *int // occurrences walked in the whole file
}

// event is what is read of one VEVENT.
type event struct {
	uid        string
	start, end time.Time // end zero: none given
	allDay     bool
	duration   string // DURATION when no DTEND
	recurrence *time.Time
	// thisAndFuture is an override's RANGE=THISANDFUTURE: its change of
	// time and length applies to every later occurrence too.
	thisAndFuture bool
	rrule         string
	rdates        []time.Time
	exdates       []time.Time
	busy          bool
}

func (p *parser) calendar(cal *ical.Calendar, out *[]booking.Interval) error {
	var masters []*event
	overrides := map[string][]*event{}
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent {
			continue
		}
		ev, err := p.event(c)
		if err != nil {
			continue // one unreadable event must not hide the rest
		}
		if p.o.Skip != nil && p.o.Skip(ev.uid) {
			continue
		}
		if ev.recurrence != nil {
			overrides[ev.uid] = append(overrides[ev.uid], ev)
			continue
		}
		masters = append(masters, ev)
	}
	for _, m := range masters {
		moved := map[int64]bool{}
		var futures []*event
		for _, ov := range overrides[m.uid] {
			moved[key(*ov.recurrence, m.allDay)] = true
			if ov.thisAndFuture {
				futures = append(futures, ov)
			}
		}
		slices.SortFunc(futures, func(a, b *event) int { return a.recurrence.Compare(*b.recurrence) })
		if err := p.expand(m, moved, futures, out); err != nil {
			return err
		}
	}
	// Every override stands for itself, moved or not, and cancelled or
	// declined ones add nothing.
	for _, ovs := range overrides {
		for _, ov := range ovs {
			if ov.busy {
				if err := p.add(out, ov.start, ov.end, ov.allDay); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// key identifies an occurrence by its start, for RECURRENCE-ID and EXDATE.
func key(t time.Time, allDay bool) int64 {
	if allDay {
		y, m, d := t.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()
	}
	return t.UnixNano()
}

func (p *parser) event(c *ical.Component) (*event, error) {
	ev := &event{busy: true}
	ev.uid, _ = c.Props.Text(ical.PropUID)
	dtstart := c.Props.Get(ical.PropDateTimeStart)
	if dtstart == nil {
		return nil, errors.New("busy: event without DTSTART")
	}
	var err error
	if ev.start, ev.allDay, err = p.when(dtstart, dtstart.Value); err != nil {
		return nil, err
	}
	if dtend := c.Props.Get(ical.PropDateTimeEnd); dtend != nil {
		if ev.end, _, err = p.when(dtend, dtend.Value); err != nil {
			return nil, err
		}
	} else if d := c.Props.Get(ical.PropDuration); d != nil {
		ev.duration = d.Value
	}
	if rid := c.Props.Get(ical.PropRecurrenceID); rid != nil {
		t, _, err := p.when(rid, rid.Value)
		if err != nil {
			return nil, err
		}
		ev.recurrence = &t
		ev.thisAndFuture = strings.EqualFold(rid.Params.Get("RANGE"), "THISANDFUTURE")
	}
	if rr := c.Props.Get(ical.PropRecurrenceRule); rr != nil {
		ev.rrule = rr.Value
	}
	for _, name := range []string{ical.PropRecurrenceDates, ical.PropExceptionDates} {
		for _, prop := range c.Props.Values(name) {
			for _, v := range strings.Split(prop.Value, ",") {
				if prop.Params.Get(ical.ParamValue) == "PERIOD" || strings.Contains(v, "/") {
					v, _, _ = strings.Cut(v, "/")
				}
				t, _, err := p.when(&prop, v)
				if err != nil {
					continue
				}
				if name == ical.PropRecurrenceDates {
					ev.rdates = append(ev.rdates, t)
				} else {
					ev.exdates = append(ev.exdates, t)
				}
			}
		}
	}
	if ev.end.IsZero() {
		if ev.end, err = endOf(ev.start, ev.duration, ev.allDay); err != nil {
			return nil, err
		}
	}
	transp, _ := c.Props.Text(ical.PropTransparency)
	status, _ := c.Props.Text(ical.PropStatus)
	switch {
	case strings.EqualFold(strings.TrimSpace(transp), "TRANSPARENT"),
		strings.EqualFold(strings.TrimSpace(status), "CANCELLED"),
		p.o.IgnoreDeclined && p.declined(c):
		ev.busy = false
	}
	return ev, nil
}

// declined reports whether an owner is an attendee who declined.
func (p *parser) declined(c *ical.Component) bool {
	for _, a := range c.Props.Values(ical.PropAttendee) {
		if !strings.EqualFold(a.Params.Get(ical.ParamParticipationStatus), "DECLINED") {
			continue
		}
		addr := strings.TrimSpace(a.Value)
		if len(addr) >= 7 && strings.EqualFold(addr[:7], "mailto:") {
			addr = addr[7:]
		}
		for _, o := range p.o.Owners {
			if o != "" && strings.EqualFold(addr, strings.TrimSpace(o)) {
				return true
			}
		}
	}
	return false
}

// when reads a DATE or DATE-TIME value of prop: a date as midnight UTC
// of that date (allDay), a UTC time as such, a TZID time in its zone, a
// floating time in the practice's.
func (p *parser) when(prop *ical.Prop, v string) (time.Time, bool, error) {
	v = strings.TrimSpace(v)
	if strings.EqualFold(prop.Params.Get(ical.ParamValue), "DATE") || len(v) == 8 {
		t, err := time.ParseInLocation("20060102", v, time.UTC)
		return t, true, err
	}
	if strings.HasSuffix(v, "Z") {
		t, err := time.ParseInLocation("20060102T150405Z", v, time.UTC)
		return t, false, err
	}
	loc := p.zones.floating
	if tzid := prop.Params.Get(ical.ParamTimezoneID); tzid != "" {
		loc = p.zones.location(tzid)
	}
	t, err := time.ParseInLocation("20060102T150405", v, loc)
	return t, false, err
}

// endOf returns the end of an event starting at start without DTEND:
// by its DURATION, else (RFC 5545) the next day for a date and the same
// instant for a time.
func endOf(start time.Time, duration string, allDay bool) (time.Time, error) {
	switch {
	case duration != "":
		return addDuration(start, duration)
	case allDay:
		return start.AddDate(0, 0, 1), nil
	}
	return start, nil
}

// addDuration adds an RFC 5545 duration: its weeks and days by the
// calendar, its hours, minutes and seconds exactly.
func addDuration(t time.Time, v string) (time.Time, error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	if !strings.HasPrefix(s, "P") {
		return t, fmt.Errorf("busy: bad duration %q", v)
	}
	s = s[1:]
	var days int
	var exact time.Duration
	inTime := false
	num := ""
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			num += string(r)
			continue
		case r == 'T':
			inTime = true
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			return t, fmt.Errorf("busy: bad duration %q", v)
		}
		num = ""
		switch {
		case r == 'W' && !inTime:
			days += 7 * n
		case r == 'D' && !inTime:
			days += n
		case r == 'H' && inTime:
			exact += time.Duration(n) * time.Hour
		case r == 'M' && inTime:
			exact += time.Duration(n) * time.Minute
		case r == 'S' && inTime:
			exact += time.Duration(n) * time.Second
		default:
			return t, fmt.Errorf("busy: bad duration %q", v)
		}
	}
	if neg {
		return t, nil // a negative length is no busy time
	}
	return t.AddDate(0, 0, days).Add(exact), nil
}

// expand adds the occurrences of master m, less those with a key in
// moved (replaced by overrides) and its EXDATEs; an occurrence after a
// THISANDFUTURE override among futures (sorted) takes that override's
// shift, length and busyness.
func (p *parser) expand(m *event, moved map[int64]bool, futures []*event, out *[]booking.Interval) error {
	if !m.busy && m.rrule == "" && len(m.rdates) == 0 {
		return nil
	}
	excluded := map[int64]bool{}
	for _, t := range m.exdates {
		excluded[key(t, m.allDay)] = true
	}
	length := m.end.Sub(m.start)
	lengthDays := 0
	if m.allDay {
		lengthDays = int(length.Round(24*time.Hour) / (24 * time.Hour))
		if m.duration != "" {
			end, _ := addDuration(m.start, m.duration)
			lengthDays = int(end.Sub(m.start).Round(24*time.Hour) / (24 * time.Hour))
		}
	}
	emit := func(start time.Time) error {
		k := key(start, m.allDay)
		if moved[k] || excluded[k] || !m.busy {
			return nil
		}
		for i := len(futures) - 1; i >= 0; i-- {
			if f := futures[i]; start.After(*f.recurrence) {
				if !f.busy {
					return nil
				}
				shifted := start.Add(f.start.Sub(*f.recurrence))
				return p.add(out, shifted, shifted.Add(f.end.Sub(f.start)), m.allDay)
			}
		}
		end := start.Add(length)
		if m.allDay {
			end = start.AddDate(0, 0, lengthDays)
		} else if m.duration != "" {
			end, _ = addDuration(start, m.duration)
		}
		return p.add(out, start, end, m.allDay)
	}
	starts := []time.Time{m.start}
	if m.rrule != "" {
		opt, err := rrule.StrToROptionInLocation(m.rrule, m.start.Location())
		if err != nil {
			return nil // an unreadable rule: its first occurrence still counts
		}
		opt.Dtstart = m.start
		r, err := rrule.NewRRule(*opt)
		if err != nil {
			return nil
		}
		starts = starts[:0]
		next := r.Iterator()
		// Whole days of slack, so all-day dates in any zone are kept.
		stop := p.o.To.Add(48 * time.Hour)
		for n := 0; n < maxIterations; n++ {
			if *p.walked++; *p.walked > maxTotalIterations {
				return ErrTooMany
			}
			t, ok := next()
			if !ok || !t.Before(stop) {
				break
			}
			if t.Add(length).Add(48 * time.Hour).Before(p.o.From) {
				continue
			}
			starts = append(starts, t)
		}
		if !slices.ContainsFunc(starts, m.start.Equal) && !m.start.Before(p.o.From.Add(-48*time.Hour)) && m.start.Before(stop) {
			// RFC 5545: DTSTART is the first occurrence even when the rule
			// would not produce it.
			starts = append(starts, m.start)
		}
	}
	starts = append(starts, m.rdates...)
	seen := map[int64]bool{}
	for _, s := range starts {
		k := key(s, m.allDay)
		if seen[k] {
			continue
		}
		seen[k] = true
		if err := emit(s); err != nil {
			return err
		}
	}
	return nil
}

// add appends [start, end) as busy time, an all-day span (dates at
// midnight UTC) as the practice-local days it covers, when it falls
// within the window.
func (p *parser) add(out *[]booking.Interval, start, end time.Time, allDay bool) error {
	if allDay {
		if !end.After(start) {
			end = start.AddDate(0, 0, 1)
		}
		start = booking.StartOfDay(booking.DateOf(start), p.o.Zone)
		end = booking.StartOfDay(booking.DateOf(end), p.o.Zone)
	}
	if !start.Before(end) || !start.Before(p.o.To) || !p.o.From.Before(end) {
		return nil
	}
	if len(*out) >= p.o.MaxIntervals {
		return ErrTooMany
	}
	*out = append(*out, booking.Interval{Start: start.UTC(), End: end.UTC()})
	return nil
}

// merge sorts ivs and joins those that overlap or touch.
func merge(ivs []booking.Interval) []booking.Interval {
	slices.SortFunc(ivs, func(a, b booking.Interval) int { return a.Start.Compare(b.Start) })
	out := booking.MergeOverlapping(ivs)
	if out == nil {
		return []booking.Interval{}
	}
	return out
}
