package site

import (
	"bytes"
	"context"
	"net/http"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/singleflight"

	"consult/api/httpx"
	"consult/booking"
	"consult/web/i18n"
)

// The booking form's copies. /book is the page every client lands on, and
// go test -bench Pages measured it at 2.2 ms, 3 queries and 614 KB
// allocated per view against 16 µs for the home page: each view computed
// the free slots of the whole horizon and executed the templates of a
// week, a day's times and a hundred time zones. The slots now come from
// the slots API's copies (Config.FreeSlots), and the page itself is kept
// rendered and gzipped, with a blank where each view puts the form's own
// idempotency key (httpx.Blank).
//
// A copy is kept per version of the data (httpx.Versions: hours, rules,
// settings, bookings; a change made through this process is in the next
// view, one made elsewhere within a second, as for the slots API) and per
// request: the whole query string, Accept-Language and the page's
// language (which the lang cookie may choose), everything the page may
// read from the request. Whatever else comes to shape the page
// must go in bookKey too. Time moves the page only at known instants,
// and a copy is used only before the first of them (bookUntil). Links
// that name a time (?start=) are rendered each time: they may look up why
// a time is not free.

// maxBookCopies bounds the copies kept for one version (about 20 KB and
// 5 KB gzipped each); when full, they are dropped and rendered again.
const maxBookCopies = 64

// bookCache holds the booking form's copies of one data version. The
// zero value is empty.
type bookCache struct {
	mu      sync.Mutex
	version string
	pages   map[bookKey]*bookCopy
	builds  singleflight.Group
	// rendered is the last page rendered per request, kept across
	// versions: most changes (a booking on a day the page does not show)
	// leave the page's data as it was, and the page is then not rendered
	// and compressed again.
	rendered map[bookKey]renderedBook
}

// renderedBook is a page as rendered from data, its key aside.
type renderedBook struct {
	data  bookPage
	page  *httpx.Blank
	shown *pickerPrint // nil: compare the data
}

// bookKey is what a view of the booking form depends on in its request.
type bookKey struct {
	query, language string
	lang            i18n.Lang
}

// bookKeyOf is the key of the request's view; lang is its page language.
func bookKeyOf(r *http.Request, lang i18n.Lang) bookKey {
	return bookKey{query: r.URL.RawQuery, language: r.Header.Get("Accept-Language"), lang: lang}
}

// bookCopy is the rendered form, for views from built until until.
type bookCopy struct {
	page         *httpx.Blank
	built, until time.Time
}

func (p *bookCopy) covers(now time.Time) bool { return !now.Before(p.built) && now.Before(p.until) }

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// bookFormCopy sends the booking form from its copy, rendering it when
// there is none for this version, request and moment.
func (h *Handler) bookFormCopy(c echo.Context) error {
	ctx := c.Request().Context()
	now := h.svc.Now()
	v, _, err := h.versions.Get(ctx, now, true)
	if err != nil {
		return err
	}
	key := bookKeyOf(c.Request(), h.lang(c))
	bc := &h.bookCache
	bc.mu.Lock()
	p := bc.pages[key]
	if bc.version != v.Value {
		p = nil
	}
	bc.mu.Unlock()
	if p == nil || !p.covers(now) {
		got, err, _ := bc.builds.Do(v.Value+"\x00"+key.query+"\x00"+key.language+"\x00"+string(key.lang), func() (any, error) {
			p, err := h.renderBookCopy(c, now)
			if err != nil || p == nil {
				return p, err
			}
			bc.mu.Lock()
			defer bc.mu.Unlock()
			if bc.version != v.Value || len(bc.pages) >= maxBookCopies {
				bc.version, bc.pages = v.Value, map[bookKey]*bookCopy{}
			}
			bc.pages[key] = p
			return p, nil
		})
		if err != nil {
			return err
		}
		// A view that joined the rendering may have read the clock a moment
		// before it began: it takes the page as of that moment later, as
		// if it had arrived that much later.
		if p, _ = got.(*bookCopy); p == nil || !p.covers(laterOf(now, p.built)) {
			// Rendered for another moment, or with no place for the key.
			data, _, err := h.bookFormData(c, newFormKey())
			if err != nil {
				return err
			}
			return h.render(c, http.StatusOK, "book", data)
		}
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return p.page.Write(c, echo.MIMETextHTMLCharsetUTF8, newFormKey())
}

// renderBookCopy renders the form at now with a key that marks the blank.
// It returns nil when the key cannot be found once in the page.
func (h *Handler) renderBookCopy(c echo.Context, now time.Time) (*bookCopy, error) {
	// Detached from the first viewer's request, which the others share.
	c.SetRequest(c.Request().WithContext(context.WithoutCancel(c.Request().Context())))
	in, err := h.bookInputsOf(c)
	if err != nil {
		return nil, err
	}
	a := in.a
	key := bookKeyOf(c.Request(), in.lang)
	shown := pickerPrintOf(in, c.QueryParam("date"))
	bc := &h.bookCache
	bc.mu.Lock()
	last, ok := bc.rendered[key]
	bc.mu.Unlock()
	if ok && shown.same(last.shown) {
		return &bookCopy{page: last.page, built: a.now, until: bookUntil(a)}, nil
	}
	mark := newFormKey()
	data := h.bookFormDataOf(c, in, mark)
	// The template reads nothing but its data: the same data, the key in
	// the blank aside, is the same page.
	last.data.Form.Key = mark
	if ok && reflect.DeepEqual(last.data, data) {
		bc.keepRendered(key, renderedBook{data: data, page: last.page, shown: shown})
		return &bookCopy{page: last.page, built: a.now, until: bookUntil(a)}, nil
	}
	var buf bytes.Buffer
	if err := h.web.Render(&buf, "book", data); err != nil {
		return nil, err
	}
	page, ok := httpx.NewBlank(buf.Bytes(), mark)
	if !ok {
		return nil, nil
	}
	bc.keepRendered(key, renderedBook{data: data, page: page, shown: shown})
	return &bookCopy{page: page, built: a.now, until: bookUntil(a)}, nil
}

// keepRendered records r as the last page rendered for key.
func (bc *bookCache) keepRendered(key bookKey, r renderedBook) {
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if bc.rendered == nil || len(bc.rendered) >= maxBookCopies {
		bc.rendered = map[bookKey]renderedBook{}
	}
	bc.rendered[key] = r
}

// pickerPrint is all the booking form shows of its inputs when no day is
// asked for: the settings, the zone and its select, which days of the
// window have free times (the day shown is the first of them, the week
// links go to the first of theirs), and the times of the week shown.
// Most bookings fall on a day that keeps some free times, outside that
// week: the form's data is then the same, and building it to find out,
// 100 µs after every booking, was a twentieth of the server's CPU under
// make bench's mixed load.
type pickerPrint struct {
	st          booking.Settings
	zone        string
	badTZ, none bool
	first, last booking.Date
	open        []bool         // per day of the window, from first
	week        []booking.Slot // the week's times, copied: the slots are a version's
	perDay      [7]int
	zones       []zoneGroup // a copy of the zone cache's, compared by identity
}

// pickerPrintOf returns in's print, nil when the request asks for a day
// (its page is then compared whole).
func pickerPrintOf(in bookInputs, dateParam string) *pickerPrint {
	if dateParam != "" {
		return nil
	}
	a := in.a
	p := &pickerPrint{st: in.st, zone: a.loc.String(), badTZ: in.badTZ, none: len(a.slots) == 0,
		first: a.first, last: a.last, open: make([]bool, len(a.byDay)), zones: in.zones}
	for k, run := range a.byDay {
		p.open[k] = len(run) > 0
	}
	monday := mondayOf(a.openingDay())
	for i := range 7 {
		run := a.on(monday.AddDays(i))
		p.week = append(p.week, run...)
		p.perDay[i] = len(run)
	}
	return p
}

// same reports whether p and q show the same; false when either is nil.
func (p *pickerPrint) same(q *pickerPrint) bool {
	if p == nil || q == nil {
		return false
	}
	sameZones := len(p.zones) == len(q.zones) && (len(p.zones) == 0 || &p.zones[0] == &q.zones[0])
	return p.zone == q.zone && p.badTZ == q.badTZ && p.none == q.none && p.first == q.first && p.last == q.last &&
		sameZones && p.perDay == q.perDay && slices.Equal(p.open, q.open) &&
		slices.EqualFunc(p.week, q.week, func(x, y booking.Slot) bool { return x.Start.Equal(y.Start) && x.End.Equal(y.End) }) &&
		reflect.DeepEqual(p.st, q.st)
}

// bookUntil returns the first instant after a.now at which the booking
// form built from a may read otherwise: the practice's next midnight
// (the bookable window moves), the first free time coming within the
// minimum notice, the notice reaching the next midnight in the visitor's
// zone or the first bookable day's start (the first day moves), and the
// next change of UTC offset in any zone the page names.
func bookUntil(a *availability) time.Time {
	now, st := a.now, a.settings
	notice := max(st.MinNotice, 0)
	until := now.Add(24 * time.Hour)
	earliest := func(t time.Time) {
		if t.After(now) && t.Before(until) {
			until = t
		}
	}
	if ploc, err := st.Location(); err == nil {
		today := booking.DateOf(now.In(ploc))
		earliest(booking.StartOfDay(today.AddDays(1), ploc))
		earliest(booking.StartOfDay(today.AddDays(1), ploc).Add(-notice))
		earliest(zoneEnd(now, ploc))
	}
	if len(a.slots) > 0 {
		// Still free at the very instant the notice reaches it.
		earliest(a.slots[0].Start.Add(-notice + time.Nanosecond))
	}
	reach := now.Add(notice)
	earliest(booking.StartOfDay(booking.DateOf(reach.In(a.loc)).AddDays(1), a.loc).Add(-notice))
	earliest(zoneEnd(now, a.loc))
	earliest(nextListedZoneChange(now))
	return until
}

// zoneEnd returns when the UTC offset in force in loc at now ends (the
// zero time when it never does).
func zoneEnd(now time.Time, loc *time.Location) time.Time {
	_, end := now.In(loc).ZoneBounds()
	return end
}
