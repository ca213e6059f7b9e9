package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"consult/storage/pgcluster"
)

// TestShutdownFinishesRequestsInFlight starts a booking whose body is still
// arriving when the server is told to stop: the booking completes, then
// the server exits cleanly and accepts nothing new.
func TestShutdownFinishesRequestsInFlight(t *testing.T) {
	base, _, cancel, done := startServer(t)
	waitReady(t, base)
	var slots struct {
		Slots []struct{ Start string } `json:"slots"`
	}
	from := testNow().AddDate(0, 0, 7).Format(time.DateOnly)
	getJSON(t, base+"/api/v1/slots?from="+from+"&to="+from, &slots)
	if len(slots.Slots) == 0 {
		getJSON(t, base+"/api/v1/slots?from="+testNow().AddDate(0, 0, 9).Format(time.DateOnly)+"&to="+testNow().AddDate(0, 0, 9).Format(time.DateOnly), &slots)
	}
	if len(slots.Slots) == 0 {
		t.Fatal("no slots")
	}
	body := fmt.Sprintf(`{"start":%q,"name":"Slow Sender","email":"slow@example.org","mode":"video","region":"US-CA"}`, slots.Slots[0].Start)
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", base+"/api/v1/bookings", pr)
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = int64(len(body))
	status := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("in-flight request failed: %v", err)
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	half := len(body) / 2
	if _, err := pw.Write([]byte(body[:half])); err != nil {
		t.Fatal(err)
	}
	// The server is reading the body once it counts the booking in flight
	// beside the scrape asking.
	waitFor(t, "the booking to be in flight", func() bool {
		return strings.Contains(scrape(t, base, ""), "consult_http_requests_in_flight 2")
	})
	cancel() // what SIGTERM does through signal.NotifyContext
	waitFor(t, "new requests to be refused", func() bool {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err != nil
	})
	if _, err := pw.Write([]byte(body[half:])); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if got := <-status; got != 201 {
		t.Errorf("in-flight booking got %d, want 201", got)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not exit")
	}
}

// TestDatabaseOutage stops PostgreSQL under a running server: readiness
// and the API answer 503, pages a friendly error; when the database comes
// back the service resumes by itself.
func TestDatabaseOutage(t *testing.T) {
	root, err := os.MkdirTemp("", "consult-outage-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(root, "pg")
	ctx := context.Background()
	logger := slog.New(slog.DiscardHandler)
	cluster, err := pgcluster.Open(ctx, dataDir, pgcluster.Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			cluster.Close()
		}
	})
	if err := cluster.EnsureDatabase(ctx, "consult"); err != nil {
		t.Fatal(err)
	}
	srvCtx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		done <- run(srvCtx, []string{"serve", "--demo"}, env("DATABASE_URL", cluster.URL("consult"), "LISTEN_ADDR", "127.0.0.1:0"), testNow, nil, pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() { cancel(); <-finished })
	line, _ := readLine(pr)
	base := strings.Fields(line[strings.Index(line, "http://"):])[0]
	go io.Copy(io.Discard, pr)
	waitReady(t, base)
	day := testNow().AddDate(0, 0, 7).Format(time.DateOnly)
	slotsURL := base + "/api/v1/slots?from=" + day + "&to=" + day

	if err := cluster.Close(); err != nil {
		t.Fatal(err)
	}
	stopped = true
	client := &http.Client{Timeout: 15 * time.Second}
	for _, c := range []struct {
		path, accept, wantType string
	}{
		{"/readyz", "", "text/plain"},
		{slotsURL[len(base):], "application/json", "application/problem+json"},
		{"/book", "text/html", "text/html"},
	} {
		req, _ := http.NewRequest("GET", base+c.path, nil)
		if c.accept != "" {
			req.Header.Set("Accept", c.accept)
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s during the outage: %v", c.path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 503 || !strings.HasPrefix(resp.Header.Get("Content-Type"), c.wantType) {
			t.Errorf("GET %s during the outage: %d %s, want 503 %s\n%s", c.path, resp.StatusCode, resp.Header.Get("Content-Type"), c.wantType, b)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("GET %s took %s during the outage", c.path, d)
		}
	}

	cluster, err = pgcluster.Open(ctx, dataDir, pgcluster.Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	stopped = false
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get(slotsURL)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the service did not resume after the database came back (last: %v)", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	waitReady(t, base)
}

// readLine reads one line from r.
func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for {
		if _, err := r.Read(buf); err != nil {
			return b.String(), err
		}
		if buf[0] == '\n' {
			return b.String(), nil
		}
		b.WriteByte(buf[0])
	}
}

// TestUnreachableDatabaseAtStart neither hangs nor fails silently: the
// database here accepts connections and never answers, so only the 5 s
// bound on each attempt lets start-up try again, and the log says what it
// is waiting for.
func TestUnreachableDatabaseAtStart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Second)
	defer cancel()
	logs := &syncBuffer{}
	start := time.Now()
	err = run(ctx, []string{"serve"}, env("DATABASE_URL", "postgres://consult:secret-pw@"+ln.Addr().String()+"/consult",
		"LISTEN_ADDR", "127.0.0.1:0"), testNow, nil, io.Discard, logs)
	if err == nil || !strings.Contains(err.Error(), "not reachable") {
		t.Fatalf("run returned %v, want a database-not-reachable error", err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("start-up took %s to give up", d)
	}
	if n := strings.Count(logs.String(), "waiting for the database"); n < 2 {
		t.Errorf("%d attempts logged in 12 s against a silent server, want each bounded to 5 s:\n%s", n, logs)
	}
	if strings.Contains(logs.String(), "secret-pw") {
		t.Error("the log repeats the database password")
	}
}

func TestHealthcheckCommand(t *testing.T) {
	base, _, _, _ := startServer(t)
	addr := strings.TrimPrefix(base, "http://")
	if err := run(context.Background(), []string{"healthcheck"}, env("LISTEN_ADDR", addr), testNow, nil, io.Discard, io.Discard); err != nil {
		t.Errorf("healthcheck of a running server: %v", err)
	}
	if err := run(context.Background(), []string{"healthcheck"}, env("LISTEN_ADDR", "127.0.0.1:1"), testNow, nil, io.Discard, io.Discard); err == nil {
		t.Error("healthcheck of a closed port succeeded")
	}
}
