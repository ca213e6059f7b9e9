package site

import (
	"net/url"

	"github.com/labstack/echo/v4"

	"consult/web/i18n"
	"consult/web/timefmt"
)

// pageClock is the clock a page writes times on. A visitor's own choice,
// the `clock` parameter, wins and is carried in the page's links and forms
// (remembered without a cookie); otherwise the booking's stored clock, on
// its own pages, or the page's language decides (hoursFor).
type pageClock struct {
	Hours timefmt.Hours
	// Chosen is set when the visitor chose the clock on this visit.
	Chosen bool
}

// clockOf reads the page's clock from the request; stored is a booking's
// clock (12 or 24, 0 when there is none).
func clockOf(c echo.Context, stored int, l i18n.Lang) pageClock {
	if h, ok := timefmt.ParseHours(c.FormValue("clock")); ok {
		return pageClock{Hours: h, Chosen: true}
	}
	if h, ok := timefmt.OfCycle(stored); ok {
		return pageClock{Hours: h}
	}
	return pageClock{Hours: hoursFor(l, c.Request().Header.Get("Accept-Language"))}
}

// addTo sets the clock parameter in q when the visitor chose the clock.
func (k pageClock) addTo(q url.Values) url.Values {
	if k.Chosen {
		q.Set("clock", k.Hours.String())
	}
	return q
}

// clockOption is one of the two clocks a visitor can switch the times to.
type clockOption struct {
	Value   string // "12" or "24"
	Label   string // "1:30 PM" or "13:30", the clock shown by example
	URL     string
	Current bool
}
