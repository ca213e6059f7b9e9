package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"consult/storage"
)

// migrateCmd runs "consult migrate [up|down|status]". On the embedded
// default it joins a running server's cluster, or starts one for itself.
func migrateCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	action := "up"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		action, args = args[0], args[1:]
	}
	if action != "up" && action != "down" && action != "status" {
		return fmt.Errorf("migrate: unknown action %q (use up, down or status)", action)
	}
	cfg, err := parseConfig("migrate", args, getenv, stderr)
	if err != nil {
		return err
	}
	db, err := openForCommand(ctx, cfg, stderr, false)
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := storage.NewMigrator(db.Pool, slog.New(slog.NewTextHandler(stdout, nil)))
	if err != nil {
		return err
	}
	defer m.Close()
	switch action {
	case "up":
		return m.Up(ctx)
	case "down":
		return m.Down(ctx)
	default: // "status"; the action was checked before opening anything
		return m.Status(ctx, stdout)
	}
}
