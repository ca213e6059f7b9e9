package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"consult/booking"
	"consult/storage"
	"consult/storage/storagetest"
)

func TestFeedRotatePrintsANewURLOnce(t *testing.T) {
	ctx := context.Background()
	dbURL := storagetest.NewDBURL(t)
	getenv := env("DATABASE_URL", dbURL, "BASE_URL", "https://practice.example")
	pattern := regexp.MustCompile(`^https://practice\.example/calendar/bookings/([A-Za-z0-9_-]{22})\.ics\n$`)
	rotate := func() string {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := run(ctx, []string{"feed", "rotate"}, getenv, testNow, nil, &out, &errOut); err != nil {
			t.Fatalf("feed rotate: %v\n%s", err, errOut.String())
		}
		m := pattern.FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("feed rotate printed %q, want only the feed URL", out.String())
		}
		if strings.Contains(errOut.String(), m[1]) {
			t.Error("the secret also went to stderr")
		}
		return m[1]
	}
	first, second := rotate(), rotate()
	if first == second {
		t.Fatal("rotating gave the same secret twice")
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	s := storage.New(pool)
	if ok, err := s.FeedSecretMatches(ctx, booking.HashToken(second)); !ok || err != nil {
		t.Errorf("the printed secret does not open the feed: %v, %v", ok, err)
	}
	if ok, _ := s.FeedSecretMatches(ctx, booking.HashToken(first)); ok {
		t.Error("the previous secret still opens the feed")
	}

	for _, args := range [][]string{{"feed"}, {"feed", "show"}} {
		var out, errOut bytes.Buffer
		if err := run(ctx, args, getenv, testNow, nil, &out, &errOut); err == nil || !strings.Contains(errOut.String(), "consult feed rotate") {
			t.Errorf("%v: %v, usage %q; want an error and the usage", args, err, errOut.String())
		}
	}
}
