package storage

import (
	"context"
	"strings"
	"testing"
	"time"

	"consult/booking"
)

// adminTables are what the practitioner's operations change, each read
// as text, with the audit log.
var adminTables = []string{
	"practice_settings", "weekly_windows", "date_overrides", "override_windows", "time_off", "bookings",
	"outbox", "feed_secrets", "users", "recovery_codes", "api_tokens", "audit_log",
}

// adminState returns the rows of adminTables as text.
func adminState(t *testing.T, s *Store) string {
	t.Helper()
	var sb strings.Builder
	for _, table := range adminTables {
		var rows string
		if err := s.pool.QueryRow(context.Background(),
			`SELECT coalesce(string_agg(r::text, E'\n' ORDER BY r::text), '') FROM `+table+` r`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		sb.WriteString(table + ":\n" + rows + "\n")
	}
	return sb.String()
}

// TestAdminChangeIsUndoneWhenItsAuditFails: while the audit log refuses
// every entry, each of the practitioner's operations fails, saying the
// audit log refused it, and leaves every table as it was; once the log
// accepts entries again, the same operations change what they should
// and each leaves its entry.
func TestAdminChangeIsUndoneWhenItsAuditFails(t *testing.T) {
	ctx := context.Background()
	s := newOutboxStore(t)
	admin := booking.NewAdmin(s, func() time.Time { return outboxNow })

	// Something for each operation to act on.
	upcoming, _ := bookAt(t, s, outboxNow.Add(72*time.Hour), nil)
	started, _ := bookAt(t, s, outboxNow.Add(-time.Hour), nil)
	_, hash := booking.NewToken()
	if _, err := s.CreateBooking(ctx, booking.NewBooking{
		Start: outboxNow.Add(96 * time.Hour), End: outboxNow.Add(96*time.Hour + 20*time.Minute), Name: "Bo",
		Email: "bo@example.org", TimeZone: "UTC", TokenHash: hash, Now: outboxNow,
	}, allow); err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, "pat@example.org", "hash", outboxNow)
	if err != nil {
		t.Fatal(err)
	}
	recovery := []byte("recovery code hash")
	if _, err := s.EnableTOTP(ctx, u.ID, "SECRET", [][]byte{recovery}, outboxNow); err != nil {
		t.Fatal(err)
	}
	_, tokenHash := booking.NewToken()
	token, err := s.CreateAPIToken(ctx, u.ID, "script", tokenHash, outboxNow)
	if err != nil {
		t.Fatal(err)
	}
	day := booking.DateOf(outboxNow).AddDays(3)
	if err := s.SetOverride(ctx, booking.Override{Date: day, Closed: true}, outboxNow); err != nil {
		t.Fatal(err)
	}
	off, err := s.AddTimeOff(ctx, day.AddDays(7), day.AddDays(8), outboxNow)
	if err != nil {
		t.Fatal(err)
	}
	var mail int64
	if err := s.pool.QueryRow(ctx, `UPDATE outbox SET status = 'failed' WHERE id = (SELECT min(id) FROM outbox) RETURNING id`).Scan(&mail); err != nil {
		t.Fatal(err)
	}
	st := booking.DefaultSettings()
	st.DailyCap = 3

	who := booking.Actor{UserID: u.ID, Via: booking.ViaSession, Address: "192.0.2.1"}
	anonymous := booking.Actor{UserID: u.ID, Via: booking.ViaAnonymous, Address: "192.0.2.1"}
	ops := []struct {
		name string
		do   func() error
	}{
		{"save rules", func() error { return admin.SaveRules(ctx, who, st) }},
		{"rename the practice", func() error { return admin.RenamePractice(ctx, who, "Harbour Practice") }},
		{"save weekly hours", func() error {
			return admin.SaveWeekly(ctx, who, []booking.WeeklyWindow{{Weekday: time.Monday, TimeRange: booking.TimeRange{Start: 9 * 60, End: 12 * 60}}})
		}},
		{"delete an override", func() error { return admin.DeleteOverride(ctx, who, day) }},
		{"set an override", func() error {
			return admin.SetOverride(ctx, who, booking.Override{Date: day.AddDays(1), Windows: []booking.TimeRange{{Start: 10 * 60, End: 11 * 60}}})
		}},
		{"delete time off", func() error { return admin.DeleteTimeOff(ctx, who, off.ID) }},
		{"add time off", func() error { _, err := admin.AddTimeOff(ctx, who, day.AddDays(20), day.AddDays(21)); return err }},
		{"cancel a booking", func() error { _, err := admin.CancelBooking(ctx, who, upcoming.ID, "Sorry."); return err }},
		{"mark a booking", func() error { _, err := admin.SetStatus(ctx, who, started.ID, booking.StatusNoShow); return err }},
		{"save a note", func() error { return admin.SaveNote(ctx, who, started.ID, "Call back.") }},
		{"erase a client", func() error { _, err := admin.EraseClient(ctx, who, "BO@example.org"); return err }},
		{"create a token", func() error { _, _, err := admin.CreateToken(ctx, who, "sync"); return err }},
		{"revoke a token", func() error { return admin.RevokeToken(ctx, who, token.ID) }},
		{"spend a recovery code", func() error {
			ok, err := admin.SpendRecoveryCode(ctx, anonymous, recovery)
			if err == nil && !ok {
				t.Error("the recovery code was not accepted")
			}
			return err
		}},
		{"change the password", func() error { _, err := admin.ChangePassword(ctx, who, "hash2"); return err }},
		{"sign out everywhere", func() error { _, err := admin.EndSessions(ctx, who); return err }},
		{"turn two-step sign-in off", func() error { _, err := admin.DisableTOTP(ctx, who); return err }},
		{"turn two-step sign-in on", func() error {
			_, err := admin.EnableTOTP(ctx, who, "SECRET2", 100, [][]byte{recovery})
			return err
		}},
		{"rotate the feed secret", func() error { _, err := admin.RotateFeedSecret(ctx, who); return err }},
		{"save the feed settings", func() error {
			return admin.SaveFeedSettings(ctx, who, booking.FeedSettings{EventTitle: "Appointment", FullDetails: true})
		}},
		{"send an email again", func() error { return admin.RetryEmail(ctx, who, mail) }},
	}

	for _, q := range []string{
		`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION 'test: the audit log refuses every entry'; END $$`,
		`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()`,
	} {
		if _, err := s.pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	before := adminState(t, s)
	for _, op := range ops {
		err := op.do()
		if err == nil || !strings.Contains(err.Error(), "audit log refused") || !strings.Contains(err.Error(), "refuses every entry") {
			t.Errorf("%s with the audit log refusing: %v, want the audit named as the cause", op.name, err)
		}
		if booking.ErrorCode(err) != booking.EINTERNAL {
			t.Errorf("%s with the audit log refusing: code %q, want %q", op.name, booking.ErrorCode(err), booking.EINTERNAL)
		}
		if after := adminState(t, s); after != before {
			t.Fatalf("%s changed data although its audit failed:\nbefore:\n%s\nafter:\n%s", op.name, before, after)
		}
	}

	if _, err := s.pool.Exec(ctx, `DROP TRIGGER refuse_audit ON audit_log`); err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		prev := adminState(t, s)
		if err := op.do(); err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
		if adminState(t, s) == prev {
			t.Errorf("%s changed nothing", op.name)
		}
	}
	if _, n, err := s.AuditLog(ctx, 1, 0); err != nil || n != len(ops) {
		t.Errorf("%d audit entries (%v), want one per operation (%d)", n, err, len(ops))
	}
}
