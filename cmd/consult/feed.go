package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"consult/booking"
	"consult/storage"
)

// feedCmd runs "consult feed rotate": it makes a new secret for the
// practitioner's private bookings feed and prints the feed's URL once, for
// pasting into a calendar app. The old URL stops working at once. The URL
// goes to stdout alone, so it can be piped; nothing is logged, since the
// URL is the credential.
func feedCmd(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) error {
	action := ""
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		action, args = args[0], args[1:]
	}
	if action != "rotate" {
		fmt.Fprint(stderr, "Usage: consult feed rotate [flags]\n\n"+
			"  rotate   make a new private bookings feed URL and print it; the old one stops working\n")
		if action == "" {
			return errUsage
		}
		return fmt.Errorf("feed: unknown action %q (use rotate)", action)
	}
	cfg, err := parseConfig("feed", args, getenv, stderr)
	if err != nil {
		return err
	}
	db, err := openForCommand(ctx, cfg, stderr, true)
	if err != nil {
		return err
	}
	defer db.Close()
	feeds := booking.NewFeeds(storage.New(db.Pool), cfg.BaseURL, now)
	url, err := feeds.RotateSecret(ctx)
	if err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	fmt.Fprintln(stdout, url)
	fmt.Fprintln(stderr, "consult: this is the new private bookings feed URL; it is shown only now. "+
		"Any earlier URL has stopped working.")
	return nil
}
