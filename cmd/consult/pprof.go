//go:build pprof

package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"
)

// A binary built with -tags pprof serves the runtime profiles at
// CONSULT_PPROF_ADDR (a loopback host:port) when that is set, so the
// server can be profiled under load (bench/profile.go builds one). It
// lives behind a build tag, and starts from init, so the production
// binary neither contains the profiler nor needs a line of wiring in
// serve; the address must be loopback because the profiles show what
// the server is doing to anyone who can reach them.
func init() {
	addr := os.Getenv("CONSULT_PPROF_ADDR")
	if addr == "" {
		return
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		fmt.Fprintf(os.Stderr, "consult: setting CONSULT_PPROF_ADDR: %q is not a loopback host:port; profiler not started\n", addr)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil {
			fmt.Fprintf(os.Stderr, "consult: profiler at %s: %v\n", addr, err)
		}
	}()
}
