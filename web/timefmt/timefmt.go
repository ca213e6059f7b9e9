// Package timefmt writes times as the people reading them expect: on the
// 12- or 24-hour clock their language uses, with the zone named as a place
// ("Berlin time (UTC+1)"), never as an IANA id, and with each end of a
// span carrying its own offset when the clocks change in between. The
// pages, the emails and the practitioner's area all write times through
// it, so a consultation reads the same everywhere.
package timefmt

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"

	"consult/web/i18n"
)

// Hours is a clock convention.
type Hours int

const (
	// H24 writes 13:30, as most of the world does.
	H24 Hours = iota
	// H12 writes 1:30 PM.
	H12
)

// String is the form a person chooses and a booking stores: "12" or "24".
func (h Hours) String() string {
	if h == H12 {
		return "12"
	}
	return "24"
}

// Cycle is the clock as a number, 12 or 24, as bookings store it.
func (h Hours) Cycle() int {
	if h == H12 {
		return 12
	}
	return 24
}

// OfCycle is the clock a stored 12 or 24 stands for; ok is false for
// anything else (0: not known).
func OfCycle(cycle int) (h Hours, ok bool) {
	switch cycle {
	case 12:
		return H12, true
	case 24:
		return H24, true
	}
	return H24, false
}

// ParseHours reads "12" or "24" (also "12h", "24h"); ok is false for
// anything else.
func ParseHours(s string) (h Hours, ok bool) {
	switch strings.TrimSuffix(strings.TrimSpace(s), "h") {
	case "12":
		return H12, true
	case "24":
		return H24, true
	}
	return H24, false
}

// twelveHour are the regions where English is written with the 12-hour
// clock; English elsewhere (Britain, Ireland, South Africa…) and almost
// every other language use the 24-hour clock.
var twelveHour = map[string]bool{"US": true, "CA": true, "AU": true, "NZ": true, "IN": true, "PH": true, "PK": true}

// HoursFor picks the clock of the first language in an Accept-Language
// header: 12-hour for English in the regions above and for English with
// no region (some browsers in the US send plain "en"), and for Spanish in
// the US and Hindi; 24-hour otherwise and when the header says nothing
// usable.
func HoursFor(acceptLanguage string) Hours {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return H24
	}
	base, _ := tags[0].Base()
	region, conf := tags[0].Region()
	exact := conf == language.Exact
	switch base.String() {
	case "en":
		if !exact || twelveHour[region.String()] {
			return H12
		}
	case "es":
		if exact && region.String() == "US" {
			return H12
		}
	case "hi":
		return H12
	}
	return H24
}

// Clock writes the time of day of t on the clock h: "13:30" or "1:30 PM".
// The space before AM/PM does not break, so "PM" never wraps onto a line
// of its own.
func Clock(t time.Time, h Hours) string {
	if h == H12 {
		return t.Format("3:04\u00a0PM")
	}
	return t.Format("15:04")
}

// Place is the place an IANA zone is named after: "Europe/Berlin" →
// "Berlin", "America/Argentina/Buenos_Aires" → "Buenos Aires"; UTC stays
// UTC.
func Place(zone string) string {
	if zone == "" || zone == "UTC" || zone == "Etc/UTC" {
		return "UTC"
	}
	city := zone[strings.LastIndexByte(zone, '/')+1:]
	return strings.ReplaceAll(city, "_", " ")
}

// Offset writes t's offset from UTC as people write it: "UTC+1",
// "UTC−8", "UTC+5:30", or "UTC", with a real minus sign so screen readers
// say "minus".
func Offset(t time.Time) string {
	_, off := t.Zone()
	if off == 0 {
		return "UTC"
	}
	sign := "+"
	if off < 0 {
		sign, off = "\u2212", -off
	}
	h, m := off/3600, off%3600/60
	if m == 0 {
		return fmt.Sprintf("UTC%s%d", sign, h)
	}
	return fmt.Sprintf("UTC%s%d:%02d", sign, h, m)
}

// ZoneAt names zone at instant t: "Berlin time (UTC+1)", or "UTC".
func ZoneAt(zone string, t time.Time) string { return ZoneAtIn(i18n.EN, zone, t) }

// ZoneAtIn is ZoneAt in language l: "Ortszeit Berlin (UTC+1)".
func ZoneAtIn(l i18n.Lang, zone string, t time.Time) string {
	if Place(zone) == "UTC" {
		return "UTC"
	}
	return PlaceTime(l, zone) + " (" + Offset(t) + ")"
}

// PlaceTime names a zone's time by its place in language l: "Berlin
// time", "Ortszeit Berlin", "heure de Berlin", "hora de Berlín".
func PlaceTime(l i18n.Lang, zone string) string {
	f := placeTimeOf(l)
	return f[0] + Place(zone) + f[1]
}

// placeTimes holds, per language, the words before and after the place
// in "zone.place_time": the zone list on a booking page names hundreds
// of zones, too many to run a message template for each. A language's
// are read on its first use, as its catalogue is.
var placeTimes sync.Map // i18n.Lang → [2]string

func placeTimeOf(l i18n.Lang) [2]string {
	if _, ok := i18n.Parse(string(l)); !ok {
		l = i18n.Default
	}
	if f, ok := placeTimes.Load(l); ok {
		return f.([2]string)
	}
	before, after, _ := strings.Cut(i18n.MustT(l, "zone.place_time", "Place", "\x00"), "\x00")
	f := [2]string{before, after}
	placeTimes.Store(l, f)
	return f
}

// Span is a consultation's time in one zone, in parts a page or an email
// lays out as it likes.
type Span struct {
	// Date is the day it starts, in the layout asked for; EndDate is the
	// day it ends when that is another one (over midnight), else "".
	Date, EndDate string
	// Start and End are times of day; when the clocks change between them
	// each carries its own offset ("1:40 AM (UTC−7)"), since one offset
	// for both would misstate the end by the hour the clocks moved.
	Start, End string
	// Zone names the zone: "Berlin time (UTC+1)", or "Berlin time" when
	// Start and End carry their offsets.
	Zone string
	// place and offset are Zone's parts, for String; lang is the
	// language it is written in.
	place, offset string
	lang          i18n.Lang
}

// SpanOf writes [start, end) in zone (an IANA name; an unknown one reads
// as UTC) on clock h, the dates in dateLayout (a time layout such as
// "Monday 2 January 2006").
func SpanOf(start, end time.Time, zone string, h Hours, dateLayout string) Span {
	return spanOf(start, end, zone, h, i18n.EN, func(t time.Time) string { return t.Format(dateLayout) })
}

// SpanIn is SpanOf written in language l, its dates in style:
// "Montag, 7. Dezember 2026", "Ortszeit Berlin (UTC+1)".
func SpanIn(start, end time.Time, zone string, h Hours, l i18n.Lang, style i18n.DateStyle) Span {
	return spanOf(start, end, zone, h, l, func(t time.Time) string { return i18n.Date(l, t, style) })
}

func spanOf(start, end time.Time, zone string, h Hours, l i18n.Lang, date func(time.Time) string) Span {
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" || zone == "" {
		loc, zone = time.UTC, "UTC"
	}
	s, e := start.In(loc), end.In(loc)
	sp := Span{Date: date(s), Start: Clock(s, h), End: Clock(e, h), Zone: ZoneAtIn(l, zone, s),
		place: Place(zone), offset: Offset(s), lang: l}
	if s.YearDay() != e.YearDay() || s.Year() != e.Year() {
		sp.EndDate = date(e)
	}
	_, so := s.Zone()
	_, eo := e.Zone()
	if so != eo {
		sp.Start += " (" + Offset(s) + ")"
		sp.End += " (" + Offset(e) + ")"
		sp.Zone, sp.offset = PlaceTime(l, zone), ""
	}
	return sp
}

// String writes the span on one line, for emails and lists:
//
//	Friday 4 December 2026, 18:00–18:20 (Berlin time, UTC+1)
//	Sunday 1 November 2026, 01:50 (UTC−7) – 01:10 (UTC−8), Los Angeles time
//	Tuesday 1 December 2026, 23:50 – Wednesday 2 December 2026, 00:10 (Los Angeles time, UTC−8)
func (sp Span) String() string {
	when := sp.Date + ", " + sp.Start + "–" + sp.End
	if sp.EndDate != "" {
		when = sp.Date + ", " + sp.Start + " – " + sp.EndDate + ", " + sp.End
	}
	switch {
	case sp.place == "UTC":
		return when + " (UTC)"
	case sp.offset == "":
		if sp.EndDate == "" {
			when = sp.Date + ", " + sp.Start + " – " + sp.End
		}
		return when + ", " + sp.Zone
	default:
		return when + " (" + PlaceTime(sp.lang, sp.place) + ", " + sp.offset + ")"
	}
}
