package storage_test

import (
	"context"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"consult/booking"
	"consult/migrations"
	"consult/storage"
	"consult/storage/storagetest"
)

func TestMigrationFilesAreNumberedOnceEach(t *testing.T) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	seen := map[string]bool{}
	re := regexp.MustCompile(`^(\d{5})_[a-z0-9_]+\.sql$`)
	for _, n := range names {
		m := re.FindStringSubmatch(n)
		if m == nil {
			t.Errorf("%s: want NNNNN_name.sql", n)
			continue
		}
		if seen[m[1]] {
			t.Errorf("version %s used twice", m[1])
		}
		seen[m[1]] = true
		body, _ := fs.ReadFile(migrations.FS, n)
		if !strings.Contains(string(body), "-- +goose Down") {
			t.Errorf("%s has no down step", n)
		}
	}
}

func TestMigrationsUpDownUp(t *testing.T) {
	ctx := context.Background()
	pool := storagetest.NewDB(t) // already migrated up
	m, err := storage.NewMigrator(pool, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.DownTo(ctx, 0); err != nil {
		t.Fatal(err)
	}
	var tables int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'goose_db_version'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("%d tables left after migrating down to zero", tables)
	}
	if current, _ := m.Current(ctx); current {
		t.Error("Current() = true with every migration rolled back")
	}
	if err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if current, err := m.Current(ctx); err != nil || !current {
		t.Errorf("Current() = %v, %v after up", current, err)
	}
	// The schema works again after the round trip.
	if err := storage.New(pool).InitSettings(ctx, booking.DefaultSettings(), settingsCreated); err != nil {
		t.Fatal(err)
	}
}

func TestDatabaseRefusesOverlappingConfirmedBookings(t *testing.T) {
	ctx := context.Background()
	pool := storagetest.NewDB(t)
	insert := func(start time.Time, status string) error {
		_, tok := booking.NewToken()
		_, err := pool.Exec(ctx, `INSERT INTO bookings (starts_at, ends_at, status, name, email, time_zone, manage_token_hash)
			VALUES ($1, $2, $3, 'N', 'n@example.org', 'UTC', $4)`, start, start.Add(20*time.Minute), status, tok)
		return err
	}
	t0 := time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)
	if err := insert(t0, "confirmed"); err != nil {
		t.Fatal(err)
	}
	if err := insert(t0.Add(10*time.Minute), "confirmed"); err == nil {
		t.Fatal("an overlapping confirmed booking was stored")
	}
	if err := insert(t0.Add(20*time.Minute), "confirmed"); err != nil {
		t.Errorf("an adjacent booking was refused: %v", err)
	}
	if err := insert(t0.Add(5*time.Minute), "cancelled"); err != nil {
		t.Errorf("a cancelled booking overlapping was refused: %v", err)
	}
}

func TestScheduleMergesOverridesAndTimeOff(t *testing.T) {
	ctx := context.Background()
	pool := storagetest.NewDB(t)
	s := storage.New(pool)
	if err := s.InitSettings(ctx, booking.DefaultSettings(), settingsCreated); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO date_overrides (day, closed) VALUES ('2026-12-03', false), ('2026-12-04', true), ('2026-12-08', false)`,
		`INSERT INTO override_windows (day, start_minute, end_minute) VALUES ('2026-12-03', 600, 660), ('2026-12-08', 600, 660), ('2026-12-08', 540, 570)`,
		`INSERT INTO time_off (first_day, last_day) VALUES ('2026-12-03', '2026-12-05'), ('2026-12-05', '2026-12-06')`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	sched, err := s.Schedule(ctx, booking.Date{Year: 2026, Month: 12, Day: 1}, booking.Date{Year: 2026, Month: 12, Day: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range sched.Overrides {
		got = append(got, o.Date.String()+map[bool]string{true: " closed", false: " open"}[o.Closed])
	}
	want := "2026-12-03 closed,2026-12-04 closed,2026-12-05 closed,2026-12-06 closed,2026-12-08 open"
	if strings.Join(got, ",") != want {
		t.Errorf("overrides %v, want %s", got, want)
	}
	last := sched.Overrides[len(sched.Overrides)-1].Windows
	if len(last) != 2 || last[0].Start.String() != "09:00" || last[1].End.String() != "11:00" {
		t.Errorf("2026-12-08 windows %v, want 09:00–09:30 and 10:00–11:00", last)
	}
	if sched.Settings.SlotLength != 20*time.Minute || sched.Settings.TimeZone != "America/Los_Angeles" {
		t.Errorf("settings %+v", sched.Settings)
	}
}

// TestMigrationsApplyOutOfOrder: a database that took a later migration
// before an earlier one landed (features built side by side) is brought up
// to date, the earlier one applied.
func TestMigrationsApplyOutOfOrder(t *testing.T) {
	ctx := context.Background()
	pool := storagetest.NewDB(t)
	m, err := storage.NewMigrator(pool, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.DownTo(ctx, 13); err != nil {
		t.Fatal(err)
	}
	// As a server built between the two would have left it: 00024 (the
	// webhooks) applied, 00014 onward not.
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.ApplyVersion(ctx, 24, true); err != nil {
		t.Fatal(err)
	}
	if err := m.Up(ctx); err != nil {
		t.Fatalf("up with 00014 missing below 00024: %v", err)
	}
	if current, err := m.Current(ctx); err != nil || !current {
		t.Fatalf("Current() = %v, %v", current, err)
	}
	var profile bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.columns
		WHERE table_name = 'practice_settings' AND column_name = 'waitlist_enabled')`).Scan(&profile); err != nil || !profile {
		t.Fatalf("the later migrations were not applied: %v", err)
	}
}
