package busy

import (
	"bufio"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

//go:embed windows_zones.txt
var windowsZonesText string

// windowsZones maps Windows zone names, lower-cased, to IANA zones.
var windowsZones = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(windowsZonesText))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if name, zone, ok := strings.Cut(line, "\t"); ok {
			m[strings.ToLower(name)] = zone
		}
	}
	return m
})

// WindowsZone returns the IANA zone a Windows zone name stands for.
func WindowsZone(name string) (string, bool) {
	z, ok := windowsZones()[strings.ToLower(strings.TrimSpace(name))]
	return z, ok
}

// zones resolves the TZID parameters of one calendar file.
type zones struct {
	floating *time.Location             // the practice's zone
	defs     map[string]*ical.Component // the file's VTIMEZONEs by TZID
	cache    map[string]*time.Location
}

func newZones(cal *ical.Calendar, floating *time.Location) *zones {
	z := &zones{floating: floating, defs: map[string]*ical.Component{}, cache: map[string]*time.Location{}}
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			// The raw value: Outlook writes ids with bare commas, which
			// a TEXT reading would split.
			if p := c.Props.Get(ical.PropTimezoneID); p != nil && p.Value != "" {
				z.defs[unescape(p.Value)] = c
			}
		}
	}
	return z
}

// location returns the zone a TZID names: an IANA id; a Windows name as
// Outlook writes it; an IANA id behind a vendor prefix
// ("/mozilla.org/20070129_1/Europe/Berlin"); else the file's own VTIMEZONE
// of that id. An id none of these explain is read as the practice's zone,
// as a floating time would be.
func (z *zones) location(tzid string) *time.Location {
	if loc, ok := z.cache[tzid]; ok {
		return loc
	}
	loc := z.resolve(strings.Trim(tzid, `"`))
	z.cache[tzid] = loc
	return loc
}

func (z *zones) resolve(tzid string) *time.Location {
	if tzid == "" || tzid == "Local" {
		return z.floating
	}
	if loc, err := time.LoadLocation(tzid); err == nil {
		return loc
	}
	if name, ok := WindowsZone(tzid); ok {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	for i := strings.Index(tzid, "/"); i >= 0 && i < len(tzid)-1; i = strings.Index(tzid, "/") {
		tzid = tzid[i+1:]
		if strings.Contains(tzid, "/") {
			if loc, err := time.LoadLocation(tzid); err == nil {
				return loc
			}
		}
	}
	if def, ok := z.defs[tzid]; ok {
		if loc, err := vtimezoneLocation(tzid, def); err == nil {
			return loc
		}
	}
	return z.floating
}

// vtimezoneLocation builds a time.Location from a VTIMEZONE's
// observances, expanded up to 2100, through the TZif format Go reads
// zones in.
func vtimezoneLocation(name string, def *ical.Component) (*time.Location, error) {
	type transition struct {
		at     int64
		offset int
		dst    bool
	}
	var ts []transition
	first := 0
	var firstAt int64 = 1 << 62
	limit := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, obs := range def.Children {
		if obs.Name != ical.CompTimezoneStandard && obs.Name != ical.CompTimezoneDaylight {
			continue
		}
		from, err1 := utcOffset(obs.Props.Get(ical.PropTimezoneOffsetFrom))
		to, err2 := utcOffset(obs.Props.Get(ical.PropTimezoneOffsetTo))
		start := obs.Props.Get(ical.PropDateTimeStart)
		if err1 != nil || err2 != nil || start == nil {
			return nil, errors.New("busy: incomplete VTIMEZONE observance")
		}
		// Onsets are wall-clock times of the offset before them: expand
		// them as UTC readings, then shift.
		wall, err := time.ParseInLocation("20060102T150405", start.Value, time.UTC)
		if err != nil {
			return nil, err
		}
		onsets := []time.Time{wall}
		if wall.Year() < 1970 {
			// Outlook starts its rules in 1601; the rule library walks
			// at most 292 years (time.Duration's range) from the start.
			wall = time.Date(1970, wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), 0, time.UTC)
		}
		if rr := obs.Props.Get(ical.PropRecurrenceRule); rr != nil {
			opt, err := rrule.StrToROptionInLocation(rr.Value, time.UTC)
			if err != nil {
				return nil, err
			}
			opt.Dtstart = wall
			if !opt.Until.IsZero() {
				opt.Until = opt.Until.Add(time.Duration(from) * time.Second) // UTC to the wall clock
			}
			r, err := rrule.NewRRule(*opt)
			if err != nil {
				return nil, err
			}
			onsets = onsets[:0]
			next := r.Iterator()
			for n := 0; n < 2000; n++ {
				t, ok := next()
				if !ok || t.After(limit) {
					break
				}
				onsets = append(onsets, t)
			}
		}
		for _, rd := range obs.Props.Values(ical.PropRecurrenceDates) {
			for _, v := range strings.Split(rd.Value, ",") {
				if t, err := time.ParseInLocation("20060102T150405", v, time.UTC); err == nil {
					onsets = append(onsets, t)
				}
			}
		}
		for _, o := range onsets {
			at := o.Add(-time.Duration(from) * time.Second).Unix()
			ts = append(ts, transition{at: at, offset: to, dst: obs.Name == ical.CompTimezoneDaylight})
			if at < firstAt {
				firstAt, first = at, from
			}
		}
	}
	if len(ts) == 0 {
		return nil, errors.New("busy: VTIMEZONE without observances")
	}
	slices.SortFunc(ts, func(a, b transition) int { return int(a.at - b.at) })

	// Type 0 is the offset before the first onset, which Go uses for
	// earlier instants.
	type ttype struct {
		offset int
		dst    bool
	}
	types := []ttype{{offset: first}}
	index := func(t ttype) byte {
		if i := slices.Index(types, t); i >= 0 {
			return byte(i)
		}
		types = append(types, t)
		return byte(len(types) - 1)
	}
	var times []byte
	var idx []byte
	for _, t := range ts {
		times = binary.BigEndian.AppendUint64(times, uint64(t.at))
		idx = append(idx, index(ttype{t.offset, t.dst}))
	}
	if len(types) > 255 {
		return nil, errors.New("busy: VTIMEZONE with too many offsets")
	}
	header := func(b []byte, timecnt, typecnt, charcnt int) []byte {
		b = append(b, "TZif2"...)
		b = append(b, make([]byte, 15)...)
		for _, n := range []int{0, 0, 0, timecnt, typecnt, charcnt} {
			b = binary.BigEndian.AppendUint32(b, uint32(n))
		}
		return b
	}
	const abbr = "VTZ\x00"
	// A version-2 file: an empty 32-bit part, then the 64-bit one.
	b := header(nil, 0, 0, 0)
	b = header(b, len(ts), len(types), len(abbr))
	b = append(b, times...)
	b = append(b, idx...)
	for _, t := range types {
		b = binary.BigEndian.AppendUint32(b, uint32(int32(t.offset)))
		dst := byte(0)
		if t.dst {
			dst = 1
		}
		b = append(b, dst, 0)
	}
	b = append(b, abbr...)
	b = append(b, "\n\n"...)
	return time.LoadLocationFromTZData(name, b)
}

// utcOffset reads a UTC-OFFSET value (+0100, -083000) in seconds.
func utcOffset(p *ical.Prop) (int, error) {
	if p == nil {
		return 0, errors.New("busy: missing offset")
	}
	v := strings.TrimSpace(p.Value)
	if len(v) != 5 && len(v) != 7 || (v[0] != '+' && v[0] != '-') {
		return 0, fmt.Errorf("busy: bad UTC offset %q", v)
	}
	h, err1 := strconv.Atoi(v[1:3])
	m, err2 := strconv.Atoi(v[3:5])
	s := 0
	var err3 error
	if len(v) == 7 {
		s, err3 = strconv.Atoi(v[5:7])
	}
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, fmt.Errorf("busy: bad UTC offset %q", v)
	}
	n := h*3600 + m*60 + s
	if v[0] == '-' {
		n = -n
	}
	return n, nil
}

// unescape undoes TEXT escapes (\, \; \\ \n).
func unescape(v string) string {
	return strings.NewReplacer(`\,`, ",", `\;`, ";", `\\`, `\`, `\n`, "\n", `\N`, "\n").Replace(v)
}
