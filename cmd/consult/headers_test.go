package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestOversizedHeadersAreRefused checks the 431 that openapi.yaml documents
// for every operation: a request whose headers pass the server's bound is
// answered before its handler runs, whatever its path.
func TestOversizedHeadersAreRefused(t *testing.T) {
	base, _, _, _ := startServer(t)
	waitReady(t, base)
	for _, path := range []string{"/api/v1/openapi.yaml", "/calendar/availability.ics", "/api/v1/slots"} {
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Padding", strings.Repeat("a", 2*maxHeaderBytes))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("GET %s with %d KB of headers: %d, want 431", path, 2*maxHeaderBytes>>10, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/openapi.yaml", nil)
	req.Header.Set("X-Padding", strings.Repeat("a", maxHeaderBytes/2))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET with headers under the bound: %d, want 200", resp.StatusCode)
	}
}
