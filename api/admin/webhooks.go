package admin

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
	"consult/web/i18n"
)

// eventChoice is one event as a checkbox of the form.
type eventChoice struct {
	Value, Label string
	Checked      bool
}

// webhookRow is an endpoint as listed, with its latest deliveries.
type webhookRow struct {
	ID             int64
	URL            string
	Events         []string
	WithClient     bool
	Enabled        bool
	DisabledReason string
	Deliveries     []deliveryRow
}

// deliveryRow is one entry of an endpoint's delivery log, in plain words.
type deliveryRow struct {
	When, Event, Status, Detail string
	Failed                      bool
}

// webhooksData is the webhooks page; NewSecret is shown once, right after
// the endpoint is made.
type webhooksData struct {
	Webhooks   []webhookRow
	Choices    []eventChoice
	URL        string
	WithClient bool
	NewSecret  string
	Max        int
}

func (h *Handler) renderWebhooks(c echo.Context, status int, d webhooksData, errs map[string]string) error {
	ctx := c.Request().Context()
	loc, _, err := h.zone(c)
	if err != nil {
		return err
	}
	ws, err := h.store.Webhooks(ctx)
	if err != nil {
		return err
	}
	l := lang(c)
	for _, w := range ws {
		row := webhookRow{ID: w.ID, URL: w.URL, WithClient: w.IncludeClientDetails, Enabled: w.Enabled,
			DisabledReason: w.DisabledReason}
		for _, e := range w.Events {
			row.Events = append(row.Events, tr(l, booking.WebhookEventLabel(e)))
		}
		ds, err := h.store.WebhookDeliveries(ctx, w.ID, 10)
		if err != nil {
			return err
		}
		for _, del := range ds {
			row.Deliveries = append(row.Deliveries, deliveryWords(l, del, loc))
		}
		d.Webhooks = append(d.Webhooks, row)
	}
	if d.Choices == nil {
		d.Choices = eventChoices(l, booking.WebhookEvents)
	}
	d.Max = booking.MaxWebhooks
	return h.render(c, status, "webhooks", "Webhooks", d, errs)
}

// eventChoices are the form's checkboxes, those in checked ticked.
func eventChoices(l i18n.Lang, checked []string) []eventChoice {
	var out []eventChoice
	for _, e := range booking.WebhookEvents {
		out = append(out, eventChoice{Value: e, Label: tr(l, booking.WebhookEventLabel(e)), Checked: slices.Contains(checked, e)})
	}
	return out
}

// deliveryWords says how a delivery went, as the practitioner reads it.
func deliveryWords(l i18n.Lang, d booking.WebhookDelivery, loc *time.Location) deliveryRow {
	r := deliveryRow{When: dateIn(l, d.CreatedAt.In(loc), "Mon 2 Jan 15:04"), Event: tr(l, booking.WebhookEventLabel(d.EventType))}
	tries := i18n.MustN(l, "admin.webhooks.tries", d.Attempts)
	switch d.Status {
	case booking.DeliveryDelivered:
		r.Status = msg(l, "admin.webhooks.delivered")
		r.Detail = msg(l, "admin.webhooks.answered", "Status", d.LastStatus, "MS", d.LastTookMS, "Tries", tries)
	case booking.DeliveryPending:
		r.Status, r.Failed = msg(l, "admin.webhooks.retrying"), d.Attempts > 0
		r.Detail = d.LastError
		if d.Attempts == 0 {
			r.Status, r.Detail = msg(l, "admin.webhooks.waiting"), ""
		} else {
			r.Detail = msg(l, "admin.webhooks.next_try", "Error", d.LastError, "When", dateIn(l, d.NextAttempt.In(loc), "Mon 2 Jan 15:04"))
		}
	case booking.DeliveryFailed:
		r.Status, r.Failed = msg(l, "admin.webhooks.failed"), true
		r.Detail = msg(l, "admin.webhooks.after", "Error", d.LastError, "Tries", tries)
	default:
		r.Status, r.Detail = msg(l, "admin.webhooks.not_sent"), d.LastError
	}
	return r
}

// Webhooks lists the endpoints with their latest deliveries and the form
// to add one.
func (h *Handler) Webhooks(c echo.Context) error {
	return h.renderWebhooks(c, http.StatusOK, webhooksData{}, nil)
}

// CreateWebhook adds an endpoint and shows its secret once.
func (h *Handler) CreateWebhook(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	in := booking.WebhookEndpoint{URL: strings.TrimSpace(form.Get("url")), Events: form["events"],
		IncludeClientDetails: form.Get("include_client_details") == "on"}
	_, secret, err := h.admin.CreateWebhook(c.Request().Context(), h.who(c), in)
	if err != nil {
		if fe := fieldErrors(err); fe != nil {
			d := webhooksData{Choices: eventChoices(lang(c), in.Events), WithClient: in.IncludeClientDetails}
			if len(in.URL) <= booking.MaxWebhookURLLen {
				d.URL = in.URL
			}
			return h.renderWebhooks(c, http.StatusUnprocessableEntity, d, fe)
		}
		if booking.ErrorCode(err) == booking.ECONFLICT {
			return h.renderWebhooks(c, http.StatusConflict, webhooksData{}, map[string]string{"form": booking.ErrorMessage(err)})
		}
		return err
	}
	return h.renderWebhooks(c, http.StatusOK, webhooksData{NewSecret: secret}, nil)
}

// TestWebhook sends a test event now and says how it went.
func (h *Handler) TestWebhook(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	_, o, err := h.admin.SendWebhookTest(c.Request().Context(), h.who(c), id, h.webhooks)
	if err != nil {
		return err
	}
	if o.Delivered {
		return h.redirect(c, "/admin/webhooks", msg(lang(c), "admin.webhooks.test_delivered", "Status", o.Status, "MS", o.Took.Milliseconds()))
	}
	return h.redirect(c, "/admin/webhooks", msg(lang(c), "admin.webhooks.test_failed", "Error", o.Error))
}

// EnableWebhook switches an endpoint on again.
func (h *Handler) EnableWebhook(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.admin.EnableWebhook(c.Request().Context(), h.who(c), id); err != nil {
		return err
	}
	return h.redirect(c, "/admin/webhooks", "The endpoint is on again; what was waiting is sent now.")
}

// DeleteWebhook removes an endpoint and its delivery log.
func (h *Handler) DeleteWebhook(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.admin.DeleteWebhook(c.Request().Context(), h.who(c), id); err != nil {
		return err
	}
	return h.redirect(c, "/admin/webhooks", "The endpoint is removed.")
}
