// Command consult runs the practice's booking service: its pages, JSON
// API, calendar feeds and emails, on PostgreSQL.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	// The zone database is compiled in, so every output uses the same
	// rules whatever the host (or a scratch container) has installed.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, time.Now, os.Stdin, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, errHelp) {
			return
		}
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "consult:", err)
		}
		os.Exit(1)
	}
}

// errUsage marks an error whose message the flag package already printed.
var errUsage = errors.New("usage")

const usage = `consult: the booking service for a practice's free consultation.

Usage:
  consult [serve] [flags]        migrate the database, then serve (the default)
  consult migrate [up|down|status]
  consult healthcheck            ask a running server's /healthz (for containers)
  consult admin create --email E          create a practitioner account
  consult admin reset-password --email E  set a new password for one
  consult feed rotate            new private bookings feed URL (the old one stops working)
  consult help

Every flag can also be set by the environment variable named after it.
Run "consult serve --help" for the settings and their defaults.
`

// run is the whole program, with its dependencies passed in so tests can
// run it in-process. now is the one clock every instant the service stamps
// or decides by is read from.
func run(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		cmd, args = "help", args[1:]
	} else if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		cfg, err := parseConfig("serve", args, getenv, stderr)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, now, stdout, stderr)
	case "migrate":
		return migrateCmd(ctx, args, getenv, stdout, stderr)
	case "feed":
		return feedCmd(ctx, args, getenv, now, stdout, stderr)
	case "admin":
		return adminCmd(ctx, args, getenv, now, stdin, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, getenv, stdout)
	case "help":
		fmt.Fprint(stdout, usage)
		// The settings list follows, so --help alone documents everything.
		if _, err := parseConfig("serve", []string{"--help"}, getenv, stdout); err != nil && !errors.Is(err, errHelp) {
			return err
		}
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}
