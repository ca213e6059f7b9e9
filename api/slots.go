package api

import (
	"time"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
)

// maxSlotRangeDays bounds one slots request; the booking horizon is
// shorter than this in any sane configuration.
const maxSlotRangeDays = 92

// slotQuery is a parsed, validated slots query: the practice-local or
// client-local days From to To (inclusive), in Loc, nil for the
// practice's zone, which is known only once the settings are read.
type slotQuery struct {
	From, To booking.Date
	Loc      *time.Location
}

// parseSlotQuery reads from, to (inclusive dates) and tz; dates are days in
// tz, which defaults to the practice's zone.
func parseSlotQuery(from, to, tz string) (slotQuery, error) {
	f := booking.FieldErrors{}
	var loc *time.Location
	if tz != "" {
		var err error
		if loc, err = booking.CheckZone(tz); err != nil {
			f.Add("tz", "Use an IANA time zone name such as Europe/Berlin.")
		}
	}
	fromD, err := booking.ParseDate(from)
	if err != nil {
		f.Add("from", "Give the first day as YYYY-MM-DD.")
	}
	toD, err := booking.ParseDate(to)
	if err != nil {
		f.Add("to", "Give the last day as YYYY-MM-DD.")
	}
	if err := f.Err(); err != nil {
		return slotQuery{}, err
	}
	if toD.Before(fromD) {
		f.Add("to", "The last day must not be before the first day.")
	} else if fromD.AddDays(maxSlotRangeDays).Before(toD) {
		f.Add("to", "Ask for at most 92 days at a time.")
	}
	if err := f.Err(); err != nil {
		return slotQuery{}, err
	}
	return slotQuery{From: fromD, To: toD, Loc: loc}, nil
}

// slots answers from the slots computed for the data's current
// version (slots_cache.go), with no query when they are at hand.
func (s *Server) slots(c echo.Context) error {
	q, err := parseSlotQuery(c.QueryParam("from"), c.QueryParam("to"), c.QueryParam("tz"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	now := s.svc.Now()
	var ans *slotsAnswer
	if s.versions == nil {
		// No version to check a copy against: compute every time.
		ans, err = s.computeSlots(ctx, q, now)
	} else {
		ans, err = s.cachedSlots(ctx, q, now)
	}
	if err != nil {
		return err
	}
	plain, gz := ans.body(now)
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return httpx.WriteCopy(c, echo.MIMEApplicationJSONCharsetUTF8, plain, gz)
}
