// Package calendar builds the iCalendar (RFC 5545) objects the service
// hands out: the public availability feed, the practitioner's private
// bookings feed and the invitations mailed to clients.
//
// It wraps github.com/emersion/go-ical and closes the gaps that library
// leaves: it folds long lines, strips control characters and double quotes
// from parameter values, writes every instant in UTC (go-ical would write
// TZID=Local for local times) and keeps VALUE=DURATION on
// REFRESH-INTERVAL. Callers never need to import go-ical themselves.
package calendar

import (
	"bytes"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"consult/booking"
)

// prodID names this software in every object, as RFC 5545 §3.7.3 requires.
const prodID = "-//consult//consultation booking//EN"

// refresh is how often calendar apps should poll the feeds: slots come and
// go as clients book, so a day (a common default) would be far too stale.
const refresh = "PT15M"

// Practice describes the organiser side of every calendar object.
type Practice struct {
	Name       string // practice name, e.g. "Harbour Therapy"
	Email      string // organiser address (MAIL_FROM); "Name <addr>" is accepted
	BaseURL    string // absolute, e.g. https://example.org; for links and the UID domain
	EventTitle string // neutral invitation title; default "Consultation with <Name>"
	TimeZone   string // practice IANA zone; sent as X-WR-TIMEZONE on feeds when set
	// Modes say where each booking's consultation happens (LOCATION,
	// CONFERENCE); never written to the public feed.
	Modes booking.Modes
}

// Method is an iTIP method (RFC 5546): what the receiving calendar app
// should do with an object.
type Method string

// The methods this package writes. MethodRequest and MethodCancel are for
// email invitations; MethodPublish is for feeds and .ics downloads, where
// there is nobody to reply to.
const (
	MethodPublish Method = "PUBLISH"
	MethodRequest Method = "REQUEST"
	MethodCancel  Method = "CANCEL"
)

// ContentType returns the MIME type for an object written with m, e.g.
// "text/calendar; charset=utf-8; method=REQUEST". Mail clients only offer to
// add an invitation when the method parameter matches the object's METHOD.
func (m Method) ContentType() string {
	return ical.MIMEType + "; charset=utf-8; method=" + string(m)
}

// practice is a Practice checked once and prepared for writing.
type practice struct {
	Practice
	base      *url.URL
	host      string // UID domain
	organizer ical.Prop
}

func (p Practice) prepare() (*practice, error) {
	if strings.TrimSpace(p.Name) == "" {
		return nil, fmt.Errorf("calendar: practice name is empty")
	}
	base, err := url.Parse(strings.TrimRight(p.BaseURL, "/"))
	if err != nil || !base.IsAbs() || base.Hostname() == "" {
		return nil, fmt.Errorf("calendar: base URL %q is not an absolute URL", p.BaseURL)
	}
	if p.TimeZone != "" {
		if _, err := booking.CheckZone(p.TimeZone); err != nil {
			return nil, fmt.Errorf("calendar: practice time zone %q is not an IANA zone", p.TimeZone)
		}
	}
	org, err := mailtoProp(ical.PropOrganizer, p.Name, p.Email)
	if err != nil {
		return nil, fmt.Errorf("calendar: practice email %q: %w", p.Email, err)
	}
	if p.EventTitle == "" {
		p.EventTitle = "Consultation with " + p.Name
	}
	return &practice{Practice: p, base: base, host: strings.ToLower(base.Hostname()), organizer: *org}, nil
}

// link returns the practice's absolute URL for path (which starts with "/")
// and an optional query.
func (p *practice) link(path string, query url.Values) string {
	u := *p.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawQuery = query.Encode()
	u.Fragment = ""
	return u.String()
}

// bookingUID is the same for every object about one booking, so that a
// rescheduling REQUEST or a CANCEL replaces the event the client already has.
func (p *practice) bookingUID(id int64) string {
	return "booking-" + strconv.FormatInt(id, 10) + "@" + p.host
}

// slotUID is derived from the start instant alone, so a slot keeps its UID
// across refreshes and calendar apps update it in place.
func (p *practice) slotUID(start time.Time) string {
	return "slot-" + strconv.FormatInt(start.Unix(), 10) + "@" + p.host
}

// newCalendar returns a VCALENDAR with the properties every object carries.
func newCalendar(m Method) *ical.Calendar {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, prodID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	cal.Props.SetText(ical.PropMethod, string(m))
	return cal
}

// setFeedHeader names a feed and asks subscribers to refresh it often.
// RFC 7986 NAME and REFRESH-INTERVAL are the standard; X-WR-CALNAME and
// X-PUBLISHED-TTL are what Apple, Google and Outlook actually read.
func setFeedHeader(cal *ical.Calendar, p *practice, name string) {
	setText(cal.Props, ical.PropName, name)
	setXText(cal.Props, "X-WR-CALNAME", name)
	// go-ical's SetValueType drops VALUE=DURATION because it is the default
	// type, but RFC 7986 §5.7 requires the parameter, so set it by hand.
	ri := ical.NewProp(ical.PropRefreshInterval)
	ri.Params.Set(ical.ParamValue, string(ical.ValueDuration))
	ri.Value = refresh
	cal.Props.Set(ri)
	ttl := ical.NewProp("X-PUBLISHED-TTL")
	ttl.Value = refresh
	cal.Props.Set(ttl)
	if p.TimeZone != "" {
		setXText(cal.Props, "X-WR-TIMEZONE", p.TimeZone)
	}
}

// setUTC sets a DATE-TIME property in UTC. go-ical writes TZID=<name> for any
// other location, which is "Local" for time.Local and unknown to everyone
// else; UTC is exact across DST changes and needs no VTIMEZONE.
func setUTC(props ical.Props, name string, t time.Time) {
	props.SetDateTime(name, t.UTC().Truncate(time.Second))
}

// setText sets a TEXT property after cleaning s; go-ical escapes
// backslashes, commas, semicolons and newlines.
func setText(props ical.Props, name, s string) {
	props.SetText(name, cleanText(s))
}

// setXText sets an X- property holding text. go-ical's SetText adds
// VALUE=TEXT to names it does not know; that is legal but not what the apps
// that invented X-WR-CALNAME write or expect, so it is removed.
func setXText(props ical.Props, name, s string) {
	prop := ical.NewProp(name)
	prop.SetText(cleanText(s))
	prop.Params.Del(ical.ParamValue)
	props.Set(prop)
}

// setURI sets a URI property; URIs from url.URL never hold control characters.
func setURI(props ical.Props, name, s string) {
	if s == "" {
		return
	}
	prop := ical.NewProp(name)
	prop.Value = s
	props.Set(prop)
}

// mailtoProp returns a property such as ORGANIZER;CN=Name:mailto:addr. The
// address is parsed so that "Name <addr>" works and nothing but a bare
// address ends up in the URI.
func mailtoProp(name, cn, email string) (*ical.Prop, error) {
	addr, err := mail.ParseAddress(email)
	if err != nil {
		// The address stays out of the error: it may be a client's.
		return nil, fmt.Errorf("not an email address")
	}
	if cn == "" {
		cn = addr.Name
	}
	prop := ical.NewProp(name)
	if cn = cleanParam(cn); cn != "" {
		prop.Params.Set(ical.ParamCommonName, cn)
	}
	prop.Value = "mailto:" + addr.Address
	return prop, nil
}

// encode writes cal and folds its lines, which go-ical does not do.
func encode(cal *ical.Calendar) ([]byte, error) {
	var buf bytes.Buffer
	fw := newFoldWriter(&buf)
	if err := ical.NewEncoder(fw).Encode(cal); err != nil {
		return nil, fmt.Errorf("calendar: encode: %w", err)
	}
	if err := fw.Flush(); err != nil {
		return nil, fmt.Errorf("calendar: encode: %w", err)
	}
	return buf.Bytes(), nil
}
