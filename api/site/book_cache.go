package site

import (
	"bytes"
	"context"
	"net/http"
	"reflect"
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
	data bookPage
	page *httpx.Blank
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
	mark := newFormKey()
	data, a, err := h.bookFormData(c, mark)
	if err != nil {
		return nil, err
	}
	key := bookKeyOf(c.Request(), data.Lang)
	bc := &h.bookCache
	bc.mu.Lock()
	last, ok := bc.rendered[key]
	bc.mu.Unlock()
	// The template reads nothing but its data: the same data, the key in
	// the blank aside, is the same page.
	last.data.Form.Key = mark
	if ok && reflect.DeepEqual(last.data, data) {
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
	bc.mu.Lock()
	if bc.rendered == nil || len(bc.rendered) >= maxBookCopies {
		bc.rendered = map[bookKey]renderedBook{}
	}
	bc.rendered[key] = renderedBook{data: data, page: page}
	bc.mu.Unlock()
	return &bookCopy{page: page, built: a.now, until: bookUntil(a)}, nil
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
