package storage_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"consult/booking"
	"consult/storage"
	"consult/storage/storagetest"
)

const (
	keepPast      = 90 * 24 * time.Hour
	keepCancelled = 30 * 24 * time.Hour
)

// settingsCreated is when the storage tests' practice was set up: before
// any of the instants the tests then use as their clock.
var settingsCreated = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func TestFeedSecretRotation(t *testing.T) {
	ctx := context.Background()
	s := storage.New(storagetest.NewDB(t))
	if _, err := s.FeedSecretCreatedAt(ctx); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("no secret yet: %v, want ENOTFOUND", err)
	}
	if ok, err := s.FeedSecretMatches(ctx, booking.HashToken("anything")); ok || err != nil {
		t.Fatalf("matches with no secret: %v, %v", ok, err)
	}
	now := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	first, err := s.RotateFeedSecret(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if !booking.ValidTokenShape(first) {
		t.Fatalf("secret %q is not a 128-bit token", first)
	}
	if ok, err := s.FeedSecretMatches(ctx, booking.HashToken(first)); !ok || err != nil {
		t.Fatalf("first secret: %v, %v", ok, err)
	}
	second, err := s.RotateFeedSecret(ctx, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.FeedSecretMatches(ctx, booking.HashToken(first)); ok {
		t.Error("the rotated-out secret still matches")
	}
	if ok, _ := s.FeedSecretMatches(ctx, booking.HashToken(second)); !ok {
		t.Error("the new secret does not match")
	}
	if at, err := s.FeedSecretCreatedAt(ctx); err != nil || !at.Equal(now.Add(time.Hour)) {
		t.Errorf("created at %v, %v; want %v", at, err, now.Add(time.Hour))
	}
	if _, _, err := s.BookingsFeedVersion(ctx, booking.HashToken(first), now, keepPast, keepCancelled); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Errorf("version with the old secret: %v, want ENOTFOUND", err)
	}
	if _, _, err := s.BookingsFeedVersion(ctx, booking.HashToken(second), now, keepPast, keepCancelled); err != nil {
		t.Errorf("version with the new secret: %v", err)
	}
}

func TestFeedSettings(t *testing.T) {
	ctx := context.Background()
	s := storage.New(storagetest.NewDB(t))
	if err := s.SetFeedSettings(ctx, "Call", true, settingsCreated); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("without practice settings: %v, want ENOTFOUND", err)
	}
	if err := s.InitSettings(ctx, booking.DefaultSettings(), settingsCreated); err != nil {
		t.Fatal(err)
	}
	if title, full, err := s.FeedSettings(ctx); title != "" || full || err != nil {
		t.Fatalf("defaults %q %v %v, want empty title, initials only", title, full, err)
	}
	if err := s.SetFeedSettings(ctx, "Appointment with Harbour", true, settingsCreated); err != nil {
		t.Fatal(err)
	}
	if title, full, err := s.FeedSettings(ctx); title != "Appointment with Harbour" || !full || err != nil {
		t.Fatalf("got %q %v %v", title, full, err)
	}
	long := strings.Repeat("é", 201)
	if err := s.SetFeedSettings(ctx, long, false, settingsCreated); booking.ErrorCode(err) != booking.EINVALID {
		t.Errorf("201-character title: %v, want EINVALID", err)
	}
}

// TestAvailabilityVersionSeesEveryChange changes each table the open-slots
// feed depends on, the way the admin area will, and expects a new version
// and a later change time every time, with nothing else moving it.
func TestAvailabilityVersionSeesEveryChange(t *testing.T) {
	ctx := context.Background()
	pool := storagetest.NewDB(t)
	s := storage.New(pool)
	if err := s.InitSettings(ctx, booking.DefaultSettings(), settingsCreated); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	version, changed, err := s.AvailabilityFeedVersion(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	// Every change makes a new version; all but writes that leave
	// updated_at alone also move the change time on.
	step := func(what string, change func(), dated bool) {
		t.Helper()
		change()
		v, c, err := s.AvailabilityFeedVersion(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if v == version || (dated && !c.After(changed)) {
			t.Errorf("%s: version %s → %s, changed %v → %v; want a new version, later", what, version, v, changed, c)
		}
		version, changed = v, c
	}
	exec := func(sql string, args ...any) func() {
		return func() {
			if _, err := pool.Exec(ctx, sql, args...); err != nil {
				t.Fatal(err)
			}
		}
	}
	step("weekly hours added", exec(`INSERT INTO weekly_windows (weekday, start_minute, end_minute) VALUES (1, 540, 720)`), true)
	step("weekly hours changed", exec(`UPDATE weekly_windows SET end_minute = 700`), true)
	step("special date", exec(`INSERT INTO date_overrides (day, closed) VALUES ('2026-12-03', false)`), true)
	step("special hours", exec(`INSERT INTO override_windows (day, start_minute, end_minute) VALUES ('2026-12-03', 600, 660)`), true)
	step("time off", exec(`INSERT INTO time_off (first_day, last_day) VALUES ('2026-12-10', '2026-12-12')`), true)
	step("time off removed", exec(`DELETE FROM time_off`), true)
	step("weekly hours removed", exec(`DELETE FROM weekly_windows`), true)
	step("rules", exec(`UPDATE practice_settings SET min_notice_minutes = 60`), true)
	step("feed settings", func() {
		// Stamped before the booking below was written.
		if err := s.SetFeedSettings(ctx, "", true, now.Add(-2*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}, true)
	step("booking", exec(`INSERT INTO bookings (starts_at, ends_at, name, email, time_zone, manage_token_hash, updated_at)
		VALUES ('2026-12-02 17:00Z', '2026-12-02 17:20Z', 'A', 'a@example.org', 'UTC', 'h1', '2026-12-01 15:00Z')`), true)
	// An edit that leaves updated_at alone still writes a new row version.
	step("edit without updated_at", exec(`UPDATE bookings SET phone = '555 0100'`), false)
	step("cancellation", exec(`UPDATE bookings SET status = 'cancelled', cancelled_at = $1, updated_at = $1`, now), true)

	// A booking long past cannot change what is open now, but the version
	// is a one-row read of a stamp every booking write moves: it moves
	// too (a spurious refetch), and its change time stays.
	step("booking long past", exec(`INSERT INTO bookings (starts_at, ends_at, name, email, time_zone, manage_token_hash, updated_at)
		VALUES ('2026-11-20 17:00Z', '2026-11-20 17:20Z', 'B', 'b@example.org', 'UTC', 'h2', '2026-11-20 17:20Z')`), false)
	if !changed.Equal(now) {
		t.Errorf("changed %v after a write dated earlier, want %v", changed, now)
	}
	if v, _, _ := s.AvailabilityFeedVersion(ctx, now); v != version {
		t.Error("reading changed the version")
	}
}

func TestBookingsFeedWindow(t *testing.T) {
	ctx := context.Background()
	pool := storagetest.NewDB(t)
	s := storage.New(pool)
	if err := s.InitSettings(ctx, booking.DefaultSettings(), settingsCreated); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	secret, err := s.RotateFeedSecret(ctx, settingsCreated)
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	insert := func(name string, start time.Time, cancelled *time.Time) {
		t.Helper()
		status := "confirmed"
		if cancelled != nil {
			status = "cancelled"
		}
		_, err := pool.Exec(ctx, `INSERT INTO bookings (starts_at, ends_at, status, name, email, time_zone,
			manage_token_hash, created_at, updated_at, cancelled_at)
			VALUES ($1, $2, $3, $4, 'c@example.org', 'UTC', $5, $6, $6, $7)`,
			start, start.Add(20*time.Minute), status, name, booking.HashToken(name), now.Add(-100*day), cancelled)
		if err != nil {
			t.Fatal(err)
		}
	}
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	insert("started 91 days ago", now.Add(-91*day), nil)
	insert("started 89 days ago", now.Add(-89*day), nil)
	insert("upcoming", now.Add(2*day), nil)
	insert("cancelled 29 days ago", now.Add(3*day), at(-29*day))
	insert("cancelled 31 days ago", now.Add(4*day), at(-31*day))

	got, err := s.FeedBookings(ctx, now, keepPast, keepCancelled)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range got {
		names = append(names, b.Name)
	}
	want := []string{"started 89 days ago", "upcoming", "cancelled 29 days ago"}
	if !slices.Equal(names, want) {
		t.Errorf("feed bookings %q, want %q", names, want)
	}

	version, changed := bookingsVersion(t, s, secret, now)
	// The last to leave was the cancellation 31 days ago, one day ago.
	if want := now.Add(-day); !changed.Equal(want) {
		t.Errorf("changed %v, want %v (when the last booking left the window)", changed, want)
	}
	// A day later the booking that started 89 days ago leaves too.
	later := now.Add(1*day + time.Minute)
	if v, c := bookingsVersion(t, s, secret, later); v == version || !c.Equal(now.Add(day)) {
		t.Errorf("a day later: version same %v, changed %v; want new, %v", v == version, c, now.Add(day))
	}
	if _, err := pool.Exec(ctx, `UPDATE bookings SET phone = '1' WHERE name = 'upcoming'`); err != nil {
		t.Fatal(err)
	}
	if v, _ := bookingsVersion(t, s, secret, now); v == version {
		t.Error("an edit left the version unchanged")
	}
	version, _ = bookingsVersion(t, s, secret, now)
	if _, err := pool.Exec(ctx, `UPDATE bookings SET phone = '1' WHERE name = 'started 91 days ago'`); err != nil {
		t.Fatal(err)
	}
	if v, _ := bookingsVersion(t, s, secret, now); v != version {
		t.Error("an edit outside the window changed the version")
	}
}

func bookingsVersion(t *testing.T, s *storage.Store, secret string, now time.Time) (string, time.Time) {
	t.Helper()
	v, c, err := s.BookingsFeedVersion(context.Background(), booking.HashToken(secret), now, keepPast, keepCancelled)
	if err != nil {
		t.Fatal(err)
	}
	return v, c
}
