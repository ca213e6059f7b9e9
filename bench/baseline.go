package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
)

// runBaseline is the "baseline" subcommand: the yardsticks, served by a
// process of their own like the service, so both share the machine on
// the same terms. GET /const answers a constant string; GET /query runs
// SELECT 1 on the service's database through a pgx pool sized like the
// service's. Plain Echo, no middleware: the floor a handler can reach.
func runBaseline(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: bench baseline DATABASE_URL (LISTEN_ADDR from the environment)")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := pgxpool.ParseConfig(args[0])
	if err != nil {
		return err
	}
	cfg.MaxConns = 20 // as cmd/consult's pool
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/const", func(c echo.Context) error {
		return c.String(http.StatusOK, "Hello from the baseline.\n")
	})
	e.GET("/query", func(c echo.Context) error {
		var n int
		if err := pool.QueryRow(c.Request().Context(), `SELECT 1`).Scan(&n); err != nil {
			return err
		}
		return c.String(http.StatusOK, fmt.Sprintf("%d\n", n))
	})
	ln, err := net.Listen("tcp", os.Getenv("LISTEN_ADDR"))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
