package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// The mixed phase: clients reading slots and pages while others book and
// cancel, every write moving the version the service's copies are kept
// by. Of every 20 requests a connection sends, 19 are reads (slots, then
// /book, slots, /, in turn) and one a write: a booking of a free time,
// and the next time the cancellation of that booking, so the practice's
// calendar stays as it was.
const (
	mixWriteEvery = 20
	kindSlots     = "slots"
	kindBookPage  = "GET /book"
	kindHome      = "GET /"
	kindBook      = "booking"
	kindCancel    = "cancellation"
)

// mixKinds are the mixed phase's kinds of request in the report's order.
var mixKinds = []string{kindSlots, kindBookPage, kindHome, kindBook, kindCancel}

// mix is what the mixed phase's connections share.
type mix struct {
	base              string
	slots, book, home request
	free              []time.Time // free times to book, spread over the horizon
	emails            *atomic.Int64
	emailPrefix       string
}

// worker returns the steps of connection w.
func (m *mix) worker(w int) step {
	seq, reads, token := 0, 0, ""
	return func(ctx context.Context, client *http.Client) outcome {
		seq++
		if seq%mixWriteEvery != 0 {
			reads++
			read := []struct {
				kind string
				req  request
			}{{kindSlots, m.slots}, {kindBookPage, m.book}, {kindSlots, m.slots}, {kindHome, m.home}}[reads%4]
			status, _, err := once(ctx, client, read.req)
			return outcome{kind: read.kind, status: status, ok: err == nil && status == read.req.Want, err: err, want: read.req.Want}
		}
		if token != "" {
			t := token
			token = ""
			status, err := m.cancel(ctx, client, t)
			return outcome{kind: kindCancel, status: status, ok: err == nil && status == http.StatusOK, err: err, want: http.StatusOK}
		}
		start := m.free[(w*7+seq/mixWriteEvery)%len(m.free)]
		status, t, err := m.bookOne(ctx, client, start)
		token = t
		// A time another connection has just taken is a clean 409.
		return outcome{kind: kindBook, status: status, ok: err == nil && (status == http.StatusCreated || status == http.StatusConflict),
			err: err, want: http.StatusCreated}
	}
}

// bookOne books start for a new client and returns the manage token.
func (m *mix) bookOne(ctx context.Context, client *http.Client, start time.Time) (int, string, error) {
	n := m.emails.Add(1)
	body, _ := json.Marshal(map[string]string{
		"start": start.UTC().Format(time.RFC3339), "name": fmt.Sprintf("Mixed Client %d", n),
		"email": fmt.Sprintf("%s%d@example.org", m.emailPrefix, n), "timezone": "Europe/Berlin",
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.base+"/api/v1/bookings", bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusCreated {
		return resp.StatusCode, "", err
	}
	var v struct {
		ManageURL string `json:"manage_url"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return resp.StatusCode, "", err
	}
	return resp.StatusCode, v.ManageURL[strings.LastIndex(v.ManageURL, "/")+1:], nil
}

// cancel cancels the booking of token through the API.
func (m *mix) cancel(ctx context.Context, client *http.Client, token string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, m.base+"/api/v1/bookings/"+token, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}
