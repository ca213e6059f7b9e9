package calsync

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"

	"consult/booking"
	"consult/calendar/busy"
	"consult/calendar/fetch"
)

// CalDAV reads a CalDAV calendar with a time-range calendar-query. The
// address may be the calendar's own or the server's: a server address is
// followed through current-user-principal and calendar-home-set to the
// account's calendars, and every one of them that holds events is read.
// Requests go through the fetcher's client (address checks, deadline,
// redirects), each answer capped at its body size.
type CalDAV struct{ Fetcher *fetch.Fetcher }

// Read implements Reader.
func (r CalDAV) Read(ctx context.Context, job *booking.CalendarSync, o busy.Options) (booking.CalendarSyncResult, error) {
	hc := &davHTTP{c: r.Fetcher.Client(), max: r.Fetcher.MaxBody()}
	c, err := caldav.NewClient(webdav.HTTPClientWithBasicAuth(hc, job.Credentials.Username, job.Credentials.Password), job.Credentials.URL)
	if err != nil {
		return booking.CalendarSyncResult{}, fetch.ErrURL
	}
	paths, err := calendarPaths(ctx, c, job.Credentials.URL)
	if err != nil {
		return booking.CalendarSyncResult{}, hc.explain(err)
	}
	// The calendars' ctags (CalendarServer's getctag, which iCloud,
	// Fastmail, Nextcloud and Radicale keep) change with any change to
	// them: while they are as last read, there is nothing to read again.
	tags := ctags(ctx, hc, job.Credentials, paths)
	if tags != "" && tags == job.SyncToken {
		return booking.CalendarSyncResult{NotModified: true, SyncToken: tags}, nil
	}
	var data bytes.Buffer
	for _, p := range paths {
		objs, err := c.QueryCalendar(ctx, p, &caldav.CalendarQuery{
			CompRequest: caldav.CalendarCompRequest{Name: ical.CompCalendar, AllProps: true, AllComps: true},
			CompFilter: caldav.CompFilter{Name: ical.CompCalendar, Comps: []caldav.CompFilter{
				{Name: ical.CompEvent, Start: o.From, End: o.To},
			}},
		})
		if err != nil {
			return booking.CalendarSyncResult{}, hc.explain(err)
		}
		for _, obj := range objs {
			if obj.Data == nil {
				continue
			}
			if err := ical.NewEncoder(&data).Encode(obj.Data); err != nil {
				continue // an object go-ical cannot write back is skipped, as busy.Parse skips unreadable events
			}
			if int64(data.Len()) > r.Fetcher.MaxBody() {
				return booking.CalendarSyncResult{}, fetch.ErrTooLarge
			}
		}
	}
	if data.Len() == 0 {
		return booking.CalendarSyncResult{Busy: []booking.Interval{}, SyncToken: tags}, nil
	}
	ivs, err := busy.Parse(data.Bytes(), o)
	if err != nil {
		return booking.CalendarSyncResult{}, err
	}
	return booking.CalendarSyncResult{Busy: ivs, SyncToken: tags}, nil
}

// calendarPaths returns the calendars to read for the address given:
// itself when it is a calendar, else the event calendars of the
// account's calendar home.
func calendarPaths(ctx context.Context, c *caldav.Client, raw string) ([]string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fetch.ErrURL
	}
	given := strings.TrimSuffix(u.Path, "/") + "/"
	principal, err := c.FindCurrentUserPrincipal(ctx)
	if err != nil {
		return nil, err
	}
	home, err := c.FindCalendarHomeSet(ctx, principal)
	if err != nil {
		return nil, err
	}
	cals, err := c.FindCalendars(ctx, home)
	if err != nil {
		return nil, err
	}
	var all []string
	for _, cal := range cals {
		if len(cal.SupportedComponentSet) > 0 && !containsFold(cal.SupportedComponentSet, ical.CompEvent) {
			continue // a task list
		}
		p := strings.TrimSuffix(cal.Path, "/") + "/"
		if p == given {
			return []string{cal.Path}, nil
		}
		all = append(all, cal.Path)
	}
	if len(all) == 0 {
		return nil, errNoCalendar
	}
	return all, nil
}

// errNoCalendar is an account with no event calendar.
var errNoCalendar = &booking.Error{Code: booking.EINVALID, Message: "The account has no calendar of events to read."}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// davHTTP is the fetcher's client for go-webdav: each answer's body is
// capped, and the last refusal's status kept, to explain go-webdav's
// errors (which quote the server) with one of the fetch package's.
type davHTTP struct {
	c   *http.Client
	max int64

	mu     sync.Mutex
	status int
}

func (d *davHTTP) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.c.Do(req)
	if err != nil {
		return nil, fetch.Safe(err)
	}
	if resp.StatusCode/100 != 2 {
		d.mu.Lock()
		d.status = resp.StatusCode
		d.mu.Unlock()
	}
	resp.Body = &cappedBody{rc: resp.Body, left: d.max}
	return resp, nil
}

// explain turns a failed CalDAV exchange into an error safe to show.
func (d *davHTTP) explain(err error) error {
	var de *booking.Error
	if errors.As(err, &de) {
		return err
	}
	for _, known := range []error{fetch.ErrAddress, fetch.ErrTimeout, fetch.ErrConnect, fetch.ErrTooLarge, fetch.ErrTooManyRedirects, fetch.ErrScheme} {
		if errors.Is(err, known) {
			return known
		}
	}
	d.mu.Lock()
	status := d.status
	d.mu.Unlock()
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return &booking.Error{Code: booking.EINVALID, Message: "The calendar server refused the user name or password."}
	case 0:
		return &booking.Error{Code: booking.EINVALID, Message: "The server did not answer as a CalDAV server."}
	}
	return &fetch.StatusError{Code: status}
}

// cappedBody fails a read past its cap instead of reading on.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, fetch.ErrTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }

const ctagPropfind = `<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop><CS:getctag/></D:prop></D:propfind>`

// ctags returns the calendars' ctags joined, or "" when any is missing
// (the server keeps none, or did not answer): then every sync reads.
func ctags(ctx context.Context, hc *davHTTP, cred booking.CalendarCredentials, paths []string) string {
	base, err := url.Parse(cred.URL)
	if err != nil {
		return ""
	}
	var tags []string
	for _, p := range paths {
		ref, err := url.Parse(p)
		if err != nil {
			return ""
		}
		req, err := http.NewRequestWithContext(ctx, "PROPFIND", base.ResolveReference(ref).String(), strings.NewReader(ctagPropfind))
		if err != nil {
			return ""
		}
		req.Header.Set("Depth", "0")
		req.Header.Set("Content-Type", "application/xml; charset=utf-8")
		req.SetBasicAuth(cred.Username, cred.Password)
		resp, err := hc.Do(req)
		if err != nil {
			return ""
		}
		var ms struct {
			Responses []struct {
				Propstats []struct {
					Ctag   string `xml:"prop>getctag"`
					Status string `xml:"status"`
				} `xml:"propstat"`
			} `xml:"response"`
		}
		err = xml.NewDecoder(resp.Body).Decode(&ms)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusMultiStatus {
			return ""
		}
		tag := ""
		for _, r := range ms.Responses {
			for _, ps := range r.Propstats {
				if strings.Contains(ps.Status, " 200 ") && ps.Ctag != "" {
					tag = ps.Ctag
				}
			}
		}
		if tag == "" {
			return ""
		}
		tags = append(tags, p+"="+tag)
	}
	joined := strings.Join(tags, "\n")
	if len(joined) > 4000 {
		return ""
	}
	return joined
}
