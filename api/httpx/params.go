package httpx

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"consult/booking"
)

// PathID reads a positive integer path parameter; anything else is
// ENOTFOUND, the answer for any id that names nothing.
func PathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, booking.Errorf(booking.ENOTFOUND, "Not found.")
	}
	return id, nil
}
