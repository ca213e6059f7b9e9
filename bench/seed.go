package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
)

// seedPlan is the practice the bench measures: a busy but ordinary one.
// The settings go straight into the database over the embedded cluster's
// socket rather than through the admin API, which would need an account,
// a token and a request per change for the same result.
type seedPlan struct {
	TimeZone string
	Horizon  int // days
	DailyCap int
	Bookings int // past and upcoming together
	// Weekly hours: weekday (0 = Sunday) → [start, end) minutes.
	Weekly map[time.Weekday][][2]int
}

var defaultSeed = seedPlan{
	TimeZone: "America/Los_Angeles",
	Horizon:  90,
	DailyCap: 8,
	Bookings: 2000,
	Weekly: map[time.Weekday][][2]int{
		time.Monday: {{540, 720}, {780, 1020}}, time.Tuesday: {{540, 720}, {780, 1020}},
		time.Wednesday: {{540, 720}, {780, 1020}}, time.Thursday: {{540, 720}, {780, 1020}},
		time.Friday: {{540, 720}, {780, 1020}}, time.Saturday: {{600, 840}},
	},
}

// seeded says what was stored.
type seeded struct {
	Past, Upcoming, UpcomingConfirmed int
}

// seed stores the plan's settings, weekly hours and bookings. Upcoming
// days get 3 to 6 bookings, below the daily cap, so every open day keeps
// free slots; past days get 4 to 8 with the mix of outcomes a practice
// sees. Bookings sit on the 30-minute grid the slot engine offers (20
// minutes plus 10 minutes' buffer), so none overlap. The past ones are
// inserted directly because the API rightly refuses the past.
func seed(ctx context.Context, dbURL string, plan seedPlan, now time.Time) (seeded, error) {
	var out seeded
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return out, fmt.Errorf("seed: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	loc, err := time.LoadLocation(plan.TimeZone)
	if err != nil {
		return out, err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return out, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `UPDATE practice_settings SET practice_name = 'Harbour Therapy', time_zone = $1,
		horizon_days = $2, daily_cap = $3, slot_minutes = 20, buffer_minutes = 10, min_notice_minutes = 720`,
		plan.TimeZone, plan.Horizon, plan.DailyCap); err != nil {
		return out, fmt.Errorf("seed settings: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM weekly_windows`); err != nil {
		return out, err
	}
	for wd, ws := range plan.Weekly {
		for _, w := range ws {
			if _, err := tx.Exec(ctx, `INSERT INTO weekly_windows (weekday, start_minute, end_minute) VALUES ($1, $2, $3)`,
				int(wd), w[0], w[1]); err != nil {
				return out, fmt.Errorf("seed weekly hours: %w", err)
			}
		}
	}

	rng := mrand.New(mrand.NewPCG(8, 2000))
	var rows [][]any
	add := func(start time.Time, status string, created time.Time) {
		n := len(rows) + 1
		var secret [32]byte
		_, _ = rand.Read(secret[:])
		hash := sha256.Sum256(secret[:])
		var cancelled any
		if status == "cancelled" {
			cancelled = created.Add(time.Duration(rng.IntN(72)+1) * time.Hour)
		}
		rows = append(rows, []any{start.UTC(), start.Add(20 * time.Minute).UTC(), status,
			fmt.Sprintf("Client %04d", n), fmt.Sprintf("client%04d@example.org", n), "", "",
			plan.TimeZone, hash[:], created.UTC(), created.UTC(), cancelled})
	}
	today := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
	for d := 1; d <= plan.Horizon && len(rows) < plan.Bookings; d++ {
		day := today.AddDate(0, 0, d)
		for _, start := range pick(rng, gridStarts(day, plan.Weekly[day.Weekday()]), 3+rng.IntN(4)) {
			status := "confirmed"
			if rng.IntN(10) == 0 {
				status = "cancelled"
			} else {
				out.UpcomingConfirmed++
			}
			add(start, status, now.Add(-time.Duration(rng.IntN(14*24)+1)*time.Hour))
			out.Upcoming++
		}
	}
	for d := 1; len(rows) < plan.Bookings; d++ {
		day := today.AddDate(0, 0, -d)
		for _, start := range pick(rng, gridStarts(day, plan.Weekly[day.Weekday()]), 4+rng.IntN(5)) {
			if len(rows) == plan.Bookings {
				break
			}
			status := "completed"
			switch r := rng.IntN(100); {
			case r < 7:
				status = "cancelled"
			case r < 12:
				status = "no_show"
			case r < 15:
				status = "confirmed"
			}
			add(start, status, start.Add(-time.Duration(rng.IntN(21*24)+13)*time.Hour))
			out.Past++
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"bookings"}, []string{"starts_at", "ends_at", "status",
		"name", "email", "phone", "note", "time_zone", "manage_token_hash", "created_at", "updated_at", "cancelled_at"},
		pgx.CopyFromRows(rows)); err != nil {
		return out, fmt.Errorf("seed bookings: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return out, err
	}
	_, err = conn.Exec(ctx, `ANALYZE`)
	return out, err
}

// gridStarts returns the slot starts of day on the 30-minute grid within
// the windows (minutes after local midnight). Wall-clock times a clock
// change skips are left out.
func gridStarts(day time.Time, windows [][2]int) []time.Time {
	var out []time.Time
	for _, w := range windows {
		for m := w[0]; m+20 <= w[1]; m += 30 {
			t := time.Date(day.Year(), day.Month(), day.Day(), m/60, m%60, 0, 0, day.Location())
			if t.Hour() == m/60 && t.Minute() == m%60 {
				out = append(out, t)
			}
		}
	}
	return out
}

// pick returns n of starts chosen at random, in order.
func pick(rng *mrand.Rand, starts []time.Time, n int) []time.Time {
	if n >= len(starts) {
		return starts
	}
	idx := rng.Perm(len(starts))[:n]
	out := make([]time.Time, 0, n)
	for i := range starts {
		for _, j := range idx {
			if i == j {
				out = append(out, starts[i])
			}
		}
	}
	return out
}
