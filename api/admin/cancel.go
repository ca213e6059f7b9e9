package admin

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"consult/booking"
)

// cancelData is the page that confirms a cancellation: the email the
// client will receive, with the practitioner's message in it.
type cancelData struct {
	Row     bookingRow
	Message string
	// Mail is the email as it will be sent; nil when it cannot be shown
	// (no email worker), and then Cancel says so.
	Mail *booking.RenderedMessage
}

// CancelForm shows what the client will receive if the booking is
// cancelled, without a message.
func (h *Handler) CancelForm(c echo.Context) error {
	return h.cancelPage(c, http.StatusOK, "", nil)
}

// CancelPreview shows what the client will receive with the posted
// message, to be sent by the page's cancel button.
func (h *Handler) CancelPreview(c echo.Context) error {
	msg := strings.TrimSpace(c.FormValue("message"))
	if m := booking.CheckCancelMessage(msg); m != "" {
		return h.cancelPage(c, http.StatusUnprocessableEntity, msg, map[string]string{"message": m})
	}
	return h.cancelPage(c, http.StatusOK, msg, nil)
}

// cancelPage renders the confirmation of a cancellation with message.
func (h *Handler) cancelPage(c echo.Context, status int, message string, errs map[string]string) error {
	d, err := h.loadBookingPage(c, true)
	if err != nil {
		return err
	}
	if !d.Upcoming {
		return h.redirect(c, fmt.Sprintf("/admin/bookings/%d", d.B.ID), "Only an upcoming, confirmed booking can be cancelled.")
	}
	cd := cancelData{Row: d.Row, Message: message}
	if h.outbox != nil && errs == nil {
		if cd.Mail, err = h.outbox.PreviewMessage(c.Request().Context(), booking.MailCancelled, d.B.Booking, message); err != nil {
			return err
		}
	}
	return h.render(c, status, "cancel", msg(lang(c), "admin.cancel.title", "Booking", d.Row.Title), cd, errs)
}

// RestoreBooking undoes a cancellation made in the last 24 hours.
func (h *Handler) RestoreBooking(c echo.Context) error {
	d, err := h.loadBookingPage(c, false)
	if err != nil {
		return err
	}
	if _, err := h.admin.RestoreBooking(c.Request().Context(), h.who(c), d.B.ID); err != nil {
		if booking.ErrorCode(err) == booking.ECONFLICT {
			msg := booking.ErrorMessage(err)
			if booking.ErrorKind(err) == booking.RefusedTaken {
				msg = "Another consultation has been booked at that time since, so this one cannot be restored."
			}
			return h.renderBookingErrors(c, map[string]string{"restore": msg})
		}
		return err
	}
	return h.redirect(c, fmt.Sprintf("/admin/bookings/%d", d.B.ID), "Restored. The client will get an updated calendar invitation by email.")
}
