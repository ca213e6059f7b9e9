package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Contention is the outcome of many clients racing for a few slots.
type Contention struct {
	Clients, Slots  int
	Created         int // 201
	CleanConflicts  int // 409 with a problem+json body saying 409
	OtherConflicts  int // 409 without one
	ServerErrors    int // 5xx
	OtherStatuses   int
	TransportErrors int
	FirstErr        string
	Stored          int           // confirmed bookings at the raced starts, counted in the database
	Wall            time.Duration // from the start signal to the last answer
	Latencies       []time.Duration
}

// freeSlots returns the first free slot of each of the first n days that
// have one, from the service's own API: slots on different days, so
// booking one never takes another away through the buffer or daily cap.
func freeSlots(ctx context.Context, base, tz string, now time.Time, n int) ([]time.Time, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, err
	}
	all, err := allFreeSlots(ctx, base, tz, now)
	if err != nil {
		return nil, err
	}
	var out []time.Time
	seen := map[string]bool{}
	for _, s := range all {
		day := s.In(loc).Format(time.DateOnly)
		if !seen[day] {
			seen[day] = true
			out = append(out, s)
		}
		if len(out) == n {
			return out, nil
		}
	}
	return nil, fmt.Errorf("only %d days with free slots, want %d", len(out), n)
}

// allFreeSlots returns the starts of every free slot from tomorrow on for
// 90 days, from the service's own API.
func allFreeSlots(ctx context.Context, base, tz string, now time.Time) ([]time.Time, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, err
	}
	from := now.In(loc).AddDate(0, 0, 1)
	q := url.Values{"from": {from.Format(time.DateOnly)}, "to": {from.AddDate(0, 0, 89).Format(time.DateOnly)}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/slots?"+q.Encode(), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Slots []struct{ Start time.Time }
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /api/v1/slots: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	if len(body.Slots) == 0 {
		return nil, errors.New("no free slots")
	}
	out := make([]time.Time, len(body.Slots))
	for i, s := range body.Slots {
		out[i] = s.Start
	}
	return out, nil
}

// contend has clients connect first, then all at once book one of the
// slots each (client i the slot i mod len(slots)), each with its own
// email address. It then counts what the database stored.
func contend(ctx context.Context, base, dbURL string, slots []time.Time, clients int) (Contention, error) {
	res := Contention{Clients: clients, Slots: len(slots)}
	type answer struct {
		status int
		clean  bool
		lat    time.Duration
		err    error
	}
	answers := make([]answer, clients)
	httpClients := make([]*http.Client, clients)
	// Every client holds its own open connection before the start, so the
	// requests really arrive together.
	var wg sync.WaitGroup
	connErrs := make([]error, clients)
	for i := range clients {
		tr := newTransport(1)
		httpClients[i] = &http.Client{Transport: tr, Timeout: 30 * time.Second}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, connErrs[i] = once(ctx, httpClients[i], request{Method: http.MethodGet, URL: base + "/healthz"})
		}()
	}
	wg.Wait()
	defer func() {
		for _, c := range httpClients {
			c.Transport.(*http.Transport).CloseIdleConnections()
		}
	}()
	for _, err := range connErrs {
		if err != nil {
			return res, fmt.Errorf("contention: connect: %w", err)
		}
	}

	startSignal := make(chan struct{})
	for i := range clients {
		body, _ := json.Marshal(map[string]string{
			"start": slots[i%len(slots)].UTC().Format(time.RFC3339),
			"name":  fmt.Sprintf("Bench Client %04d", i), "email": fmt.Sprintf("bench%04d@example.org", i),
			"timezone": "Europe/Berlin",
		})
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startSignal
			t0 := time.Now()
			status, clean, err := book(ctx, httpClients[i], base, body)
			answers[i] = answer{status, clean, time.Since(t0), err}
		}()
	}
	t0 := time.Now()
	close(startSignal)
	wg.Wait()
	res.Wall = time.Since(t0)

	for _, a := range answers {
		res.Latencies = append(res.Latencies, a.lat)
		switch {
		case a.err != nil:
			res.TransportErrors++
			if res.FirstErr == "" {
				res.FirstErr = a.err.Error()
			}
		case a.status == http.StatusCreated:
			res.Created++
		case a.status == http.StatusConflict && a.clean:
			res.CleanConflicts++
		case a.status == http.StatusConflict:
			res.OtherConflicts++
		case a.status >= 500:
			res.ServerErrors++
		default:
			res.OtherStatuses++
			if res.FirstErr == "" {
				res.FirstErr = fmt.Sprintf("status %d", a.status)
			}
		}
	}
	slices.Sort(res.Latencies)

	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return res, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	err = conn.QueryRow(ctx, `SELECT count(*) FROM bookings WHERE status = 'confirmed' AND starts_at = ANY($1)`,
		slots).Scan(&res.Stored)
	return res, err
}

// book posts one booking and reports the status and whether a 409 came
// as a proper problem document.
func book(ctx context.Context, client *http.Client, base string, body []byte) (int, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/bookings", bytes.NewReader(body))
	if err != nil {
		return 0, false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, false, err
	}
	if resp.StatusCode != http.StatusConflict {
		return resp.StatusCode, false, nil
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	var p struct {
		Type   string `json:"type"`
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	clean := mt == "application/problem+json" && json.Unmarshal(b, &p) == nil && p.Status == http.StatusConflict && p.Detail != ""
	return resp.StatusCode, clean, nil
}
