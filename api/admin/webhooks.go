package admin

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
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
	for _, w := range ws {
		row := webhookRow{ID: w.ID, URL: w.URL, WithClient: w.IncludeClientDetails, Enabled: w.Enabled,
			DisabledReason: w.DisabledReason}
		for _, e := range w.Events {
			row.Events = append(row.Events, booking.WebhookEventLabel(e))
		}
		ds, err := h.store.WebhookDeliveries(ctx, w.ID, 10)
		if err != nil {
			return err
		}
		for _, del := range ds {
			row.Deliveries = append(row.Deliveries, deliveryWords(del, loc))
		}
		d.Webhooks = append(d.Webhooks, row)
	}
	if d.Choices == nil {
		d.Choices = eventChoices(booking.WebhookEvents)
	}
	d.Max = booking.MaxWebhooks
	return h.render(c, status, "webhooks", "Webhooks", d, errs)
}

// eventChoices are the form's checkboxes, those in checked ticked.
func eventChoices(checked []string) []eventChoice {
	var out []eventChoice
	for _, e := range booking.WebhookEvents {
		out = append(out, eventChoice{Value: e, Label: booking.WebhookEventLabel(e), Checked: slices.Contains(checked, e)})
	}
	return out
}

// deliveryWords says how a delivery went, as the practitioner reads it.
func deliveryWords(d booking.WebhookDelivery, loc *time.Location) deliveryRow {
	r := deliveryRow{When: d.CreatedAt.In(loc).Format("Mon 2 Jan 15:04"), Event: booking.WebhookEventLabel(d.EventType)}
	tries := "1 try"
	if d.Attempts != 1 {
		tries = fmt.Sprintf("%d tries", d.Attempts)
	}
	switch d.Status {
	case booking.DeliveryDelivered:
		r.Status = "Delivered"
		r.Detail = fmt.Sprintf("answered %d in %d ms, after %s", d.LastStatus, d.LastTookMS, tries)
	case booking.DeliveryPending:
		r.Status, r.Failed = "Waiting to retry", d.Attempts > 0
		r.Detail = d.LastError
		if d.Attempts == 0 {
			r.Status, r.Detail = "Waiting to be sent", ""
		} else {
			r.Detail = fmt.Sprintf("%s; next try %s", d.LastError, d.NextAttempt.In(loc).Format("Mon 2 Jan 15:04"))
		}
	case booking.DeliveryFailed:
		r.Status, r.Failed = "Could not be delivered", true
		r.Detail = fmt.Sprintf("%s, after %s", d.LastError, tries)
	default:
		r.Status, r.Detail = "Not sent", d.LastError
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
			d := webhooksData{Choices: eventChoices(in.Events), WithClient: in.IncludeClientDetails}
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
		return h.redirect(c, "/admin/webhooks", fmt.Sprintf("The test event was delivered: the endpoint answered %d in %d ms.", o.Status, o.Took.Milliseconds()))
	}
	return h.redirect(c, "/admin/webhooks", "The test event was not delivered: "+o.Error+".")
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
