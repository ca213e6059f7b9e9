package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"consult/booking"
)

// maxSlotRangeDays bounds one slots request; the booking horizon is
// shorter than this in any sane configuration.
const maxSlotRangeDays = 92

type slotJSON struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

type slotsResponse struct {
	TimeZone string     `json:"timezone"`
	Slots    []slotJSON `json:"slots"`
}

// slotQuery is a parsed, validated slots query: [From, To) as instants.
type slotQuery struct {
	From, To time.Time
	Loc      *time.Location
}

// parseSlotQuery reads from, to (inclusive dates) and tz; dates are days in
// tz, which defaults to the practice's zone.
func parseSlotQuery(from, to, tz, practiceTZ string) (slotQuery, error) {
	f := booking.FieldErrors{}
	if tz == "" {
		tz = practiceTZ
	}
	loc, err := loadZone(tz)
	if err != nil {
		f.Add("tz", "Use an IANA time zone name such as Europe/Berlin.")
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
	return slotQuery{From: fromD.In(0, loc), To: toD.AddDays(1).In(0, loc), Loc: loc}, nil
}

// loadZone loads an IANA zone, refusing the process-dependent "Local".
func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" || len(name) > 64 {
		return nil, booking.Errorf(booking.EINVALID, "Unknown time zone.")
	}
	return booking.LoadZone(name)
}

func (s *Server) handleSlots(c echo.Context) error {
	ctx := c.Request().Context()
	settings, err := s.svc.Settings(ctx)
	if err != nil {
		return err
	}
	q, err := parseSlotQuery(c.QueryParam("from"), c.QueryParam("to"), c.QueryParam("tz"), settings.TimeZone)
	if err != nil {
		return err
	}
	slots, _, err := s.svc.Slots(ctx, q.From, q.To)
	if err != nil {
		return err
	}
	resp := slotsResponse{TimeZone: q.Loc.String(), Slots: make([]slotJSON, len(slots))}
	for i, sl := range slots {
		resp.Slots[i] = slotJSON{sl.Start.UTC(), sl.End.UTC()}
	}
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSONCharsetUTF8)
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return c.JSON(http.StatusOK, resp)
}
