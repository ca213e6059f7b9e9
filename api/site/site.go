// Package site serves the public site: the home page and the Markdown
// pages, the booking form, and the private manage pages a client reaches
// by the link in their emails (confirm, download, cancel, reschedule),
// with the sitemap, robots.txt and favicon around them.
package site

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"time"

	"consult/api/httpx"
	"consult/booking"
	"consult/booking/proof"
	"consult/calendar"
	"consult/web"
)

// Config is what the public site is built from; all but Pages and Logger
// are required.
type Config struct {
	Service *booking.Service
	// Renderer renders the page templates; Pages holds the Markdown
	// content, nil for none.
	Renderer *web.Renderer
	Pages    *web.Pages
	// BaseURL is the absolute URL of the service, without a trailing
	// slash: canonical and manage links are built from it.
	BaseURL *url.URL
	Logger  *slog.Logger
	// Changes keeps the copies of the public pages fresh.
	Changes *httpx.Changes
	// FreeSlots, when set, returns the free slots at now of the days
	// from to to (inclusive) in loc, from the copies the slots API keeps;
	// the slice is shared and read only. Versions reads the version of
	// the data those copies are kept by; with it, the booking form is
	// sent from copies too (book_cache.go).
	FreeSlots func(ctx context.Context, from, to booking.Date, loc *time.Location, now time.Time) ([]booking.Slot, error)
	Versions  *httpx.Versions
	// SlotSettings, set with FreeSlots, returns the settings its slots
	// are computed with, for the booking form that shows them.
	SlotSettings func(ctx context.Context, now time.Time) (booking.Settings, error)
	// Practice is the organiser side of the calendar files clients
	// download, the same as in emails and feeds.
	Practice func(booking.Settings) calendar.Practice
	// Proof, when set, asks booking requests for a proof of work while
	// bookings come at an abnormal rate.
	Proof *proof.Guard
	// Photos, when set, serves the practitioner's photo.
	Photos PhotoSource
}

// PhotoSource reads the practitioner's photo; *storage.Store is one.
type PhotoSource interface {
	// Photo returns the photo, its type and version; ENOTFOUND for none.
	Photo(ctx context.Context) (contentType string, image []byte, version string, err error)
}

// Handler serves the public site's pages; build it with New.
type Handler struct {
	svc      *booking.Service
	web      *web.Renderer
	pages    *web.Pages
	base     *url.URL
	logger   *slog.Logger
	changes  *httpx.Changes
	practice func(booking.Settings) calendar.Practice
	cache    pageCache
	proof    *proof.Guard
	photos   PhotoSource
	// freeSlots, slotSettings and versions as in Config; bookCache holds the booking
	// form's copies.
	freeSlots    func(ctx context.Context, from, to booking.Date, loc *time.Location, now time.Time) ([]booking.Slot, error)
	slotSettings func(ctx context.Context, now time.Time) (booking.Settings, error)
	versions     *httpx.Versions
	bookCache    bookCache
	zones        zoneGroupsCache
}

// New returns the public site's handler, or an error naming a missing
// dependency.
func New(cfg Config) (*Handler, error) {
	switch {
	case cfg.Service == nil:
		return nil, errors.New("site: no booking service")
	case cfg.Renderer == nil:
		return nil, errors.New("site: no page renderer")
	case cfg.BaseURL == nil:
		return nil, errors.New("site: no base URL")
	case cfg.Changes == nil:
		return nil, errors.New("site: no change counter")
	case cfg.Practice == nil:
		return nil, errors.New("site: no calendar organiser")
	}
	h := &Handler{
		svc:      cfg.Service,
		web:      cfg.Renderer,
		pages:    cfg.Pages,
		base:     cfg.BaseURL,
		logger:   cfg.Logger,
		changes:  cfg.Changes,
		practice: cfg.Practice,
		proof:    cfg.Proof,
		photos:   cfg.Photos,

		freeSlots:    cfg.FreeSlots,
		slotSettings: cfg.SlotSettings,
		versions:     cfg.Versions,
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	return h, nil
}

// url returns the absolute URL of path on this service.
func (h *Handler) url(path string) string { return h.base.String() + path }
