package api_test

import (
	"context"
	mrand "math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"consult/booking"
	"consult/storage/storagetest"
)

// BenchmarkSlots90DaysCalendars computes the free slots of a 90-day
// horizon as the slots API does on a miss of its copies (its copies
// answer the same whatever the sources), without linked calendars and
// with three holding 5,000 busy times between them over the year ahead:
// a practitioner's full diary. make bench reports the ratio of the two
// (target: at most 1.5×).
func BenchmarkSlots90DaysCalendars(b *testing.B) {
	for _, tc := range []struct {
		name      string
		intervals int
	}{{"sources=0", 0}, {"sources=3", 5000}} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			pool := storagetest.NewDB(b)
			store := seedStore(b, pool, false, func(st *booking.Settings) { st.HorizonDays = 90 })
			if tc.intervals > 0 {
				seedCalendarBusy(b, pool, tc.intervals)
			}
			svc := booking.NewService(store, func() time.Time { return testNow })
			from, to := testNow, testNow.AddDate(0, 0, 91)
			slots, _, err := svc.Slots(ctx, from, to)
			if err != nil || len(slots) == 0 {
				b.Fatalf("slots: %d, %v", len(slots), err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := svc.Slots(ctx, from, to); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(slots)), "slots")
		})
	}
}

// seedCalendarBusy links three calendars and stores n busy intervals
// between them: 30 to 90 minutes each, at random in the practitioner's
// day (07:00–20:00 in Los Angeles) over the year after testNow.
func seedCalendarBusy(b *testing.B, pool *pgxpool.Pool, n int) {
	b.Helper()
	ctx := context.Background()
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		b.Fatal(err)
	}
	rng := mrand.New(mrand.NewPCG(1, 2))
	for src := range 3 {
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO calendar_sources (kind, url_sealed, host, status, last_success, created_at)
			VALUES ('ics', 'sealed', $1, 'ok', $2, $2) RETURNING id`, "calendar"+string(rune('a'+src))+".example.org", testNow).Scan(&id); err != nil {
			b.Fatal(err)
		}
		count := n / 3
		if src == 0 {
			count += n % 3
		}
		starts, ends := make([]time.Time, count), make([]time.Time, count)
		for i := range count {
			day := testNow.In(la).AddDate(0, 0, rng.IntN(365))
			start := time.Date(day.Year(), day.Month(), day.Day(), 7, 0, 0, 0, la).Add(time.Duration(rng.IntN(13*60)) * time.Minute)
			starts[i], ends[i] = start, start.Add(time.Duration(30+rng.IntN(61))*time.Minute)
		}
		if _, err := pool.Exec(ctx, `INSERT INTO busy_intervals (source_id, during)
			SELECT $1, tstzrange(s, e, '[)') FROM unnest($2::timestamptz[], $3::timestamptz[]) AS t(s, e)`, id, starts, ends); err != nil {
			b.Fatal(err)
		}
	}
	// As a sync does, so every copy of the schedule is read again.
	if _, err := pool.Exec(ctx, `UPDATE practice_settings SET availability_changed_at = availability_changed_at + interval '1 second'`); err != nil {
		b.Fatal(err)
	}
}
