// Package caldavtest runs a real CalDAV server, Radicale (the Debian
// package radicale), for tests: on a loopback port, with one account and
// its own storage folder, stopped when the test ends.
package caldavtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Server is a running Radicale.
type Server struct {
	URL                string // http://127.0.0.1:port
	Username, Password string
	t                  testing.TB
}

// Start runs Radicale with one account. Without radicale installed it
// skips the test, except under CI=true, where a skip would hide a broken
// set-up.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("radicale")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("radicale is not installed (apt-get install radicale): %v", err)
		}
		t.Skip("radicale is not installed (apt-get install radicale)")
	}
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	s := &Server{URL: "http://" + addr, Username: "ana", Password: "app-pass-7Q2x", t: t}
	if err := os.WriteFile(filepath.Join(dir, "users"), []byte(s.Username+":"+s.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`[server]
hosts = %s
[auth]
type = htpasswd
htpasswd_filename = %s
htpasswd_encryption = plain
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = %s
[logging]
level = warning
[web]
type = none
`, addr, filepath.Join(dir, "users"), filepath.Join(dir, "collections"))
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config", filepath.Join(dir, "config"))
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	// The Debian script runs with the system's Python and its packages.
	cmd.Env = append(os.Environ(), "PYTHONNOUSERSITE=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	deadline := time.Now().Add(20 * time.Second) // a duration only: waiting for Radicale to listen
	for {
		resp, err := http.Get(s.URL + "/.web/")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case <-done:
			t.Fatalf("radicale exited: %s", logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("radicale did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// do sends a request as the account and fails the test unless it is
// answered with one of want.
func (s *Server) do(method, path, contentType, body string, want ...int) {
	s.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, s.URL+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.SetBasicAuth(s.Username, s.Password)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	for _, w := range want {
		if resp.StatusCode == w {
			return
		}
	}
	s.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, got)
}

// MakeCalendar creates the account's calendar name over CalDAV
// (MKCALENDAR) and returns its path.
func (s *Server) MakeCalendar(name string) string {
	s.t.Helper()
	path := "/" + s.Username + "/" + name + "/"
	s.do("MKCALENDAR", path, "application/xml", `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
<D:displayname>`+name+`</D:displayname>
<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
</D:prop></D:set></C:mkcalendar>`, http.StatusCreated)
	return path
}

// Put stores an iCalendar object in the calendar at path.
func (s *Server) Put(calendar, name, ics string) {
	s.t.Helper()
	s.do(http.MethodPut, calendar+name, "text/calendar; charset=utf-8", ics, http.StatusCreated, http.StatusNoContent, http.StatusOK)
}

// Delete removes an object.
func (s *Server) Delete(calendar, name string) {
	s.t.Helper()
	s.do(http.MethodDelete, calendar+name, "", "", http.StatusOK, http.StatusNoContent)
}

// Get returns the object at path and its status.
func (s *Server) Get(path string) (int, string) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.SetBasicAuth(s.Username, s.Password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}
