package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
	"consult/web/i18n"
)

// The email page of the admin area: the outbox, so the practitioner sees
// what went out, what failed and what was only kept because no mail server
// is configured, and can send a failed or kept message again.

// emailPerPage is the outbox list's page size.
const emailPerPage = 50

// emailTabs are the status filters, in the order shown: the ones that need
// the practitioner first.
var emailTabs = []emailTabDef{
	{booking.OutboxFailed, "Could not be delivered"},
	{booking.OutboxLogged, "Kept, not sent"},
	{booking.OutboxPending, "Waiting"},
	{booking.OutboxSent, "Sent"},
	{booking.OutboxSkipped, "No longer needed"},
	{"", "All"},
}

// mailStatus says in plain words where a message stands.
func mailStatus(m booking.OutboxMessage) string {
	switch m.Status {
	case booking.OutboxSent:
		return "Sent"
	case booking.OutboxPending:
		if m.Attempts > 0 {
			return "Waiting to retry"
		}
		return "Waiting to be sent"
	case booking.OutboxSending:
		return "Being sent"
	case booking.OutboxFailed:
		return "Could not be delivered"
	case booking.OutboxLogged:
		return "Kept, not sent"
	case booking.OutboxSkipped:
		return "Not sent: the booking changed since"
	}
	return string(m.Status)
}

// emailTabDef is one status filter: its status ("" for all) and label.
type emailTabDef struct {
	Status booking.OutboxStatus
	Label  string
}

// emailKinds names each kind of message for the list.
var emailKinds = map[string]string{
	booking.MailConfirmation:      "Confirmation to client",
	booking.MailRescheduled:       "Moved, to client",
	booking.MailCancelled:         "Cancellation to client",
	booking.MailRestored:          "Restored, to client",
	booking.MailReminder:          "Reminder to client",
	booking.MailPractitionerNew:   "New booking, to you",
	booking.MailPractitionerMoved: "Moved booking, to you",
	booking.MailPractitionerGone:  "Cancelled booking, to you",
	booking.MailSecurity:          "Security notice, to you",
}

// emailTab is one status filter as rendered.
type emailTab struct {
	Label, URL string
	Current    bool
	Count      string // failed only: how many, "" for none
}

// emailRow is one queued message as listed; it holds no personal data.
type emailRow struct {
	ID          int64
	Kind        string
	BookingID   int64
	Status      booking.OutboxStatus
	StatusLabel string
	Attempts    int
	Created     string
	NextAttempt string
	Sent        string
	LastError   string
	CanRetry    bool
}

// emailData is the outbox page.
type emailData struct {
	Status    booking.OutboxStatus
	BookingID int64
	Tabs      []emailTab
	Rows      []emailRow
	// Paged is set past the first page; NextURL leads to older messages.
	Paged   bool
	NewURL  string
	NextURL string
}

// outboxAvailable refuses when the server was built without a mail worker.
func (h *Handler) outboxAvailable() error {
	if h.outbox == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "Email is not set up on this server.")
	}
	return nil
}

// canRetry reports whether the retry button applies to a message in st.
func canRetry(st booking.OutboxStatus) bool {
	return st == booking.OutboxFailed || st == booking.OutboxLogged
}

// emailListURL is the list filtered by status and booking, before id.
func emailListURL(status booking.OutboxStatus, bookingID, before int64) string {
	q := url.Values{}
	if status != "" {
		q.Set("status", string(status))
	}
	if bookingID > 0 {
		q.Set("booking", strconv.FormatInt(bookingID, 10))
	}
	if before > 0 {
		q.Set("before", strconv.FormatInt(before, 10))
	}
	if len(q) == 0 {
		return "/admin/email"
	}
	return "/admin/email?" + q.Encode()
}

// emailStatusParam reads a status filter; ok is false for an unknown one.
func emailStatusParam(v string) (booking.OutboxStatus, bool) {
	st := booking.OutboxStatus(v)
	if st == "" || st == booking.OutboxSending {
		return st, true
	}
	return st, slices.ContainsFunc(emailTabs, func(t emailTabDef) bool { return t.Status == st })
}

// maxFailedCount is how many failed messages are counted at most.
const maxFailedCount = 500

// failedMailCount says how many messages could not be delivered; it
// counts at most maxFailedCount.
func (h *Handler) failedMailCount(ctx context.Context) (int, error) {
	if h.outbox == nil {
		return 0, nil
	}
	ms, err := h.outbox.ListOutbox(ctx, booking.OutboxFilter{Status: booking.OutboxFailed, Limit: maxFailedCount})
	return len(ms), err
}

// failedLabel words failedMailCount: "" for none, "1 email", "3 emails",
// "500+ emails".
func failedLabel(l i18n.Lang, n int) string {
	switch {
	case n == 0:
		return ""
	case n >= maxFailedCount:
		return msg(l, "admin.email.many_failed", "Count", strconv.Itoa(maxFailedCount))
	}
	return i18n.MustN(l, "admin.email.count", n)
}

// Emails lists the queued and sent emails, by status.
func (h *Handler) Emails(c echo.Context) error {
	if err := h.outboxAvailable(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	loc, _, err := h.zone(c)
	if err != nil {
		return err
	}
	status, ok := emailStatusParam(c.QueryParam("status"))
	if !ok {
		return booking.Errorf(booking.EINVALID, "There is no such list of messages. Choose one of the tabs on the email page.")
	}
	// Paging and booking filters come from links this page made; anything
	// else is read as "none" rather than refused.
	bookingID, _ := strconv.ParseInt(c.QueryParam("booking"), 10, 64)
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	bookingID, before = max(bookingID, 0), max(before, 0)
	ms, err := h.outbox.ListOutbox(ctx, booking.OutboxFilter{Status: status, BookingID: bookingID, BeforeID: before, Limit: emailPerPage + 1})
	if err != nil {
		return err
	}
	failed, err := h.failedMailCount(ctx)
	if err != nil {
		return err
	}
	d := emailData{Status: status, BookingID: bookingID, Paged: before > 0, NewURL: emailListURL(status, bookingID, 0)}
	for _, t := range emailTabs {
		tab := emailTab{Label: tr(lang(c), t.Label), URL: emailListURL(t.Status, bookingID, 0), Current: t.Status == status}
		if t.Status == booking.OutboxFailed {
			if failed >= maxFailedCount {
				tab.Count = strconv.Itoa(maxFailedCount) + "+"
			} else if failed > 0 {
				tab.Count = strconv.Itoa(failed)
			}
		}
		d.Tabs = append(d.Tabs, tab)
	}
	if len(ms) > emailPerPage {
		ms = ms[:emailPerPage]
		d.NextURL = emailListURL(status, bookingID, ms[len(ms)-1].ID)
	}
	l := lang(c)
	stamp := func(t time.Time) string { return dateIn(l, t.In(loc), "2 Jan 2006 15:04 MST") }
	for _, m := range ms {
		r := emailRow{ID: m.ID, Kind: tr(l, emailKinds[m.Kind]), BookingID: m.BookingID, Status: m.Status, StatusLabel: tr(l, mailStatus(m)),
			Attempts: m.Attempts, Created: stamp(m.CreatedAt), LastError: m.LastError, CanRetry: canRetry(m.Status)}
		if r.Kind == "" {
			r.Kind = m.Kind
		}
		if m.Status == booking.OutboxPending {
			r.NextAttempt = stamp(m.SendAfter)
		}
		if m.SentAt != nil {
			r.Sent = stamp(*m.SentAt)
		}
		d.Rows = append(d.Rows, r)
	}
	return h.render(c, http.StatusOK, "email", "Email", d, nil)
}

// RetryEmail puts a failed or kept message back in the queue.
func (h *Handler) RetryEmail(c echo.Context) error {
	if err := h.outboxAvailable(); err != nil {
		return err
	}
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	back := fmt.Sprintf("/admin/email/%d", id)
	if c.FormValue("from") == "list" {
		st, _ := emailStatusParam(c.FormValue("status"))
		back = emailListURL(st, 0, 0)
	}
	err = h.admin.RetryEmail(c.Request().Context(), h.who(c), id)
	var de *booking.Error
	switch {
	case booking.ErrorCode(err) == booking.ECONFLICT && errors.As(err, &de):
		// Someone (or the worker) got there first: say so, change nothing.
		return h.redirect(c, back, de.Message)
	case err != nil:
		return err
	}
	return h.redirect(c, back, msg(lang(c), "admin.email.queued", "ID", id))
}

// emailMessageData is one message as it would be sent now.
type emailMessageData struct {
	M           *booking.RenderedMessage
	Kind        string
	StatusLabel string
	Date        string
	CanRetry    bool
}

// Email shows a message with the client's data in it, so
// the view is audited before anything is sent.
func (h *Handler) Email(c echo.Context) error {
	if err := h.outboxAvailable(); err != nil {
		return err
	}
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	loc, _, err := h.zone(c)
	if err != nil {
		return err
	}
	m, err := h.outbox.RenderMessage(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if err := h.record(c, "email.view", fmt.Sprintf("outbox:%d", id)); err != nil {
		return err
	}
	l := lang(c)
	d := emailMessageData{M: m, Kind: tr(l, emailKinds[m.Kind]), StatusLabel: tr(l, mailStatus(booking.OutboxMessage{Status: m.Status})),
		Date: dateIn(l, m.Date.In(loc), "Mon 2 Jan 2006 15:04 MST"), CanRetry: canRetry(m.Status)}
	if d.Kind == "" {
		d.Kind = m.Kind
	}
	// Titled by what it is and when it was written; the recipient stays
	// out of the title, which browsers keep in their history.
	return h.render(c, http.StatusOK, "email-message", d.Kind+", "+dateIn(l, m.Date.In(loc), "Mon 2 Jan 15:04"), d, nil)
}
