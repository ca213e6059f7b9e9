package site

import (
	"bytes"
	"context"
	"sync"
	"time"

	"consult/api/httpx"
	"consult/booking"
	"consult/web/i18n"

	"github.com/labstack/echo/v4"
)

// pageCache keeps the static public pages (home and the Markdown pages)
// rendered and gzipped, and the practice name their header shows. make
// bench measured those pages at a tenth of a constant handler's
// throughput: each view read the whole schedule for the practice name
// (three queries), executed the templates and compressed the result,
// though only the name can change. Now a view is a copy: the name is read
// at most every pageNameTTL, and at once after a change made through this
// process (httpx.Changes.Note) that moved the settings' part of the data
// version; a rename made on another instance shows within that bound. The
// copies are kept for the current name only, a handful of pages.
//
// The zero value is empty.
type pageCache struct {
	mu       sync.Mutex
	pv       practiceView
	key      string // pv's version: the pages are kept for it
	read     httpx.Stamp
	known    bool
	schedule string                   // the schedule's part of the data version pv was read at, if known
	pages    map[string]*renderedPage // by route and language, for key
}

// renderedPage is one page's HTML, and gzipped.
type renderedPage struct {
	html, gz []byte
}

// publicPractice returns the practice's name and profile for the public
// pages, and their version.
func (h *Handler) publicPractice(ctx context.Context) (practiceView, string) {
	c := &h.cache
	c.mu.Lock()
	pv, key, read, known, schedule := c.pv, c.key, c.read, c.known, c.schedule
	c.mu.Unlock()
	if known && h.changes.Fresh(read, pageNameTTL) {
		return pv, key
	}
	// After a write through this process, nearly always a booking, the
	// data's version (read once per write for every copy) tells whether
	// the settings moved at all: make bench's mixed load read them again
	// after every booking, one query each. When the copy has only aged,
	// the version is read afresh, so that a change made elsewhere shows
	// within pageNameTTL as before. It is read before the settings, so a
	// change between the two shows as a change next time.
	written := known && h.changes.WrittenSince(read)
	read = h.changes.Stamp()
	version := h.scheduleVersion(ctx, written)
	if known && version != "" && version == schedule {
		c.mu.Lock()
		if c.key == key && !c.read.After(read) {
			c.read = read
		}
		c.mu.Unlock()
		return pv, key
	}
	st, err := h.svc.Settings(ctx)
	if err != nil {
		// As Service.PracticeName: a neutral name while the database cannot be
		// read, not kept.
		return practiceView{Name: "Consultations"}, ""
	}
	pv, key = viewOf(st), versionOf(st)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.known || !c.read.After(read) {
		if c.key != key {
			c.pages = nil
		}
		c.pv, c.key, c.read, c.known, c.schedule = pv, key, read, true, version
	}
	return pv, key
}

// scheduleVersion returns the schedule's part of the data's version
// (booking.ScheduleOfVersion): the one the slots read after the last
// write when shared is true, else read afresh. Empty when there is none
// to read or it cannot be read, for the caller to read the settings.
func (h *Handler) scheduleVersion(ctx context.Context, shared bool) string {
	if h.versions == nil {
		return ""
	}
	v, _, err := h.versions.Get(ctx, h.svc.Now(), shared)
	if err != nil {
		return ""
	}
	return booking.ScheduleOfVersion(v.Value)
}

// servePage sends the public page at route in the request's language,
// template name rendered with data(practice, language), from the copy of
// that language when there is one.
func (h *Handler) servePage(c echo.Context, route, name string, data func(pv practiceView, l i18n.Lang) any) error {
	l := h.lang(c)
	pv, key := h.publicPractice(c.Request().Context())
	pc := &h.cache
	at := route + "\x00" + string(l)
	pc.mu.Lock()
	p := pc.pages[at]
	if pc.key != key || key == "" {
		p = nil
	}
	pc.mu.Unlock()
	if p == nil {
		var buf bytes.Buffer
		if err := h.web.Render(&buf, name, data(pv, l)); err != nil {
			return err
		}
		p = &renderedPage{html: buf.Bytes(), gz: httpx.Gzipped(buf.Bytes())}
		pc.mu.Lock()
		if pc.key == key && key != "" {
			if pc.pages == nil {
				pc.pages = map[string]*renderedPage{}
			}
			pc.pages[at] = p
		}
		pc.mu.Unlock()
	}
	cc := publicCache
	if len(c.Response().Header().Values("Set-Cookie")) > 0 {
		// The answer that sets the language cookie is the visitor's own.
		cc = "private, max-age=300"
	}
	c.Response().Header().Set(echo.HeaderCacheControl, cc)
	return httpx.WriteCopy(c, echo.MIMETextHTMLCharsetUTF8, p.html, p.gz)
}

// pageNameTTL is how long the practice name in page headers may be used
// without asking the database, for changes made elsewhere.
const pageNameTTL = 2 * time.Second
