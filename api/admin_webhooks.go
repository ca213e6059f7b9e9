package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
)

// webhookJSON is an endpoint as the admin API shows it: never its secret.
type webhookJSON struct {
	ID                   int64      `json:"id"`
	URL                  string     `json:"url"`
	Events               []string   `json:"events"`
	IncludeClientDetails bool       `json:"include_client_details"`
	Enabled              bool       `json:"enabled"`
	DisabledReason       string     `json:"disabled_reason,omitempty"`
	FailingSince         *time.Time `json:"failing_since,omitempty"`
	CreatedAt            time.Time  `json:"created_at"`
}

func webhookRecord(w *booking.WebhookEndpoint) webhookJSON {
	return webhookJSON{ID: w.ID, URL: w.URL, Events: w.Events, IncludeClientDetails: w.IncludeClientDetails,
		Enabled: w.Enabled, DisabledReason: w.DisabledReason, FailingSince: w.FailingSince, CreatedAt: w.CreatedAt}
}

// deliveryJSON is one entry of an endpoint's delivery log.
type deliveryJSON struct {
	ID          int64      `json:"id"`
	EventID     string     `json:"event_id"`
	Event       string     `json:"event"`
	Status      string     `json:"status"`
	Attempts    int        `json:"attempts"`
	NextAttempt *time.Time `json:"next_attempt,omitempty"`
	HTTPStatus  int        `json:"http_status,omitempty"`
	Error       string     `json:"error,omitempty"`
	DurationMS  int        `json:"duration_ms"`
	CreatedAt   time.Time  `json:"created_at"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
}

func deliveryRecord(d booking.WebhookDelivery) deliveryJSON {
	out := deliveryJSON{ID: d.ID, EventID: d.EventID, Event: d.EventType, Status: d.Status, Attempts: d.Attempts,
		HTTPStatus: d.LastStatus, Error: d.LastError, DurationMS: d.LastTookMS, CreatedAt: d.CreatedAt, FinishedAt: d.FinishedAt}
	if d.Status == booking.DeliveryPending {
		next := d.NextAttempt
		out.NextAttempt = &next
	}
	return out
}

func (s *Server) listWebhooks(c echo.Context) error {
	ws, err := s.admin.Webhooks(c.Request().Context())
	if err != nil {
		return err
	}
	out := struct {
		Webhooks []webhookJSON `json:"webhooks"`
	}{Webhooks: []webhookJSON{}}
	for i := range ws {
		out.Webhooks = append(out.Webhooks, webhookRecord(&ws[i]))
	}
	return httpx.WriteJSON(c, http.StatusOK, out)
}

func (s *Server) createWebhook(c echo.Context) error {
	var in struct {
		URL                  string   `json:"url"`
		Events               []string `json:"events"`
		IncludeClientDetails bool     `json:"include_client_details"`
	}
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	w, secret, err := s.adminOps.CreateWebhook(c.Request().Context(), who(c),
		booking.WebhookEndpoint{URL: in.URL, Events: in.Events, IncludeClientDetails: in.IncludeClientDetails})
	if err != nil {
		return err
	}
	out := struct {
		webhookJSON
		Secret string `json:"secret"`
	}{webhookRecord(w), secret}
	return httpx.WriteJSON(c, http.StatusCreated, out)
}

func (s *Server) deleteWebhook(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.adminOps.DeleteWebhook(c.Request().Context(), who(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) enableWebhook(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.adminOps.EnableWebhook(c.Request().Context(), who(c), id); err != nil {
		return err
	}
	w, err := s.admin.Webhook(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(c, http.StatusOK, webhookRecord(w))
}

func (s *Server) testWebhook(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	send, o, err := s.adminOps.SendWebhookTest(c.Request().Context(), who(c), id, s.webhooks)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(c, http.StatusOK, struct {
		DeliveryID int64  `json:"delivery_id"`
		EventID    string `json:"event_id"`
		Delivered  bool   `json:"delivered"`
		HTTPStatus int    `json:"http_status,omitempty"`
		Error      string `json:"error,omitempty"`
		DurationMS int64  `json:"duration_ms"`
	}{send.ID, send.EventID, o.Delivered, o.Status, o.Error, o.Took.Milliseconds()})
}

func (s *Server) webhookDeliveries(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.admin.Webhook(c.Request().Context(), id); err != nil {
		return err
	}
	ds, err := s.admin.WebhookDeliveries(c.Request().Context(), id, 100)
	if err != nil {
		return err
	}
	out := struct {
		Deliveries []deliveryJSON `json:"deliveries"`
	}{Deliveries: []deliveryJSON{}}
	for _, d := range ds {
		out.Deliveries = append(out.Deliveries, deliveryRecord(d))
	}
	return httpx.WriteJSON(c, http.StatusOK, out)
}
