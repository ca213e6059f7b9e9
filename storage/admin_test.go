package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"consult/booking"
	"consult/storage"
	"consult/storage/storagetest"
)

func TestAuditLogIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	pool := storagetest.NewDB(t)
	s := storage.New(pool)
	now := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	for _, action := range []string{"signin", "booking.view"} {
		if err := s.Audit(ctx, booking.AuditEntry{At: now, UserID: 1, Via: booking.ViaSession, Action: action,
			Target: "booking:1", Address: "127.0.0.1"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, sql := range []string{
		`UPDATE audit_log SET action = 'nothing'`,
		`DELETE FROM audit_log`,
		`TRUNCATE audit_log`,
	} {
		if _, err := pool.Exec(ctx, sql); err == nil {
			t.Errorf("%s succeeded on the audit log", sql)
		}
	}
	es, total, err := s.AuditLog(ctx, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || es[0].Action != "booking.view" || es[1].Action != "signin" || es[0].Address != "127.0.0.1" {
		t.Fatalf("log = %d %+v", total, es)
	}
	if err := s.Audit(ctx, booking.AuditEntry{At: now, Via: "telepathy", Action: "x"}); err == nil {
		t.Error("an unknown way of acting was logged")
	}
}

func TestUsersSessionsEndAndCodesWorkOnce(t *testing.T) {
	ctx := context.Background()
	s := storage.New(storagetest.NewDB(t))
	now := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	u, err := s.CreateUser(ctx, "Pat@Example.org", "hash1", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, "pat@example.ORG", "hash2", now); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("same email in another case: %v", err)
	}
	if got, err := s.UserByEmail(ctx, "PAT@example.org"); err != nil || got.ID != u.ID {
		t.Fatalf("by email: %+v %v", got, err)
	}
	if _, err := s.UserByEmail(ctx, "nobody@example.org"); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("unknown email: %v", err)
	}
	epoch := u.SessionEpoch
	for _, change := range []func() (*booking.User, error){
		func() (*booking.User, error) { return s.SetPassword(ctx, u.ID, "hash3", now) },
		func() (*booking.User, error) {
			return s.EnableTOTP(ctx, u.ID, "SECRET", [][]byte{[]byte("a"), []byte("b")}, now)
		},
		func() (*booking.User, error) { return s.EndSessions(ctx, u.ID, now) },
	} {
		got, err := change()
		if err != nil {
			t.Fatal(err)
		}
		if got.SessionEpoch <= epoch {
			t.Fatalf("epoch %d did not grow past %d", got.SessionEpoch, epoch)
		}
		epoch = got.SessionEpoch
	}
	if ok, _ := s.UseTOTPStep(ctx, u.ID, 100); !ok {
		t.Fatal("a fresh step was refused")
	}
	for _, step := range []int64{100, 99} {
		if ok, _ := s.UseTOTPStep(ctx, u.ID, step); ok {
			t.Fatalf("step %d accepted after step 100", step)
		}
	}
	if ok, _ := s.UseRecoveryCode(ctx, u.ID, []byte("a"), now); !ok {
		t.Fatal("recovery code refused")
	}
	if ok, _ := s.UseRecoveryCode(ctx, u.ID, []byte("a"), now); ok {
		t.Fatal("recovery code accepted twice")
	}
	if n, _ := s.RecoveryCodesLeft(ctx, u.ID); n != 1 {
		t.Fatalf("%d codes left, want 1", n)
	}
	off, err := s.DisableTOTP(ctx, u.ID, now)
	if err != nil || off.TwoFactor() {
		t.Fatalf("disable: %+v %v", off, err)
	}
	if n, _ := s.RecoveryCodesLeft(ctx, u.ID); n != 0 {
		t.Fatalf("%d codes left after turning two-step off", n)
	}
}

func TestLoginFailuresAreCountedPerKey(t *testing.T) {
	ctx := context.Background()
	s := storage.New(storagetest.NewDB(t))
	now := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	a, b := []byte("account"), []byte("address")
	for i := range 3 {
		if err := s.RecordLoginFailure(ctx, [][]byte{a, b}, now.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if fs, _ := s.LoginFailures(ctx, a, now.Add(30*time.Second)); len(fs) != 2 || !fs[0].Before(fs[1]) {
		t.Fatalf("failures since 30 s in = %v", fs)
	}
	if err := s.ClearLoginFailures(ctx, a); err != nil {
		t.Fatal(err)
	}
	if fs, _ := s.LoginFailures(ctx, a, now.Add(-time.Hour)); len(fs) != 0 {
		t.Fatalf("cleared key still has %d failures", len(fs))
	}
	if fs, _ := s.LoginFailures(ctx, b, now.Add(-time.Hour)); len(fs) != 3 {
		t.Fatalf("the other key lost its failures: %d", len(fs))
	}
}

// TestBeginLoginAdmitsNoMoreThanTheLimit starts many attempts at once:
// each admitted one counts as a failure before its password is checked, so
// no more than the limit get through, and the rest are told how long to wait.
func TestBeginLoginAdmitsNoMoreThanTheLimit(t *testing.T) {
	ctx := context.Background()
	s := storage.New(storagetest.NewDB(t))
	now := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	account := booking.LoginLimit{Key: []byte("account"), Throttle: booking.Throttle{Max: 5, Window: 15 * time.Minute}}
	address := booking.LoginLimit{Key: []byte("address"), Throttle: booking.Throttle{Max: 20, Window: 15 * time.Minute}}
	var mu sync.Mutex
	admitted, waits := 0, 0
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			ids, wait, err := s.BeginLogin(ctx, []booking.LoginLimit{account, address}, now)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Error(err)
			case wait == 15*time.Minute && ids == nil:
				waits++
			case wait == 0 && len(ids) == 2:
				admitted++
			default:
				t.Errorf("ids %v, wait %v", ids, wait)
			}
		})
	}
	wg.Wait()
	if admitted != 5 || waits != 15 {
		t.Fatalf("%d admitted, %d told to wait; want 5 and 15", admitted, waits)
	}
	if fs, _ := s.LoginFailures(ctx, address.Key, now.Add(-time.Hour)); len(fs) != 5 {
		t.Fatalf("%d failures under the address, want 5", len(fs))
	}

	// A successful attempt takes back its own failures, and only those.
	other := booking.LoginLimit{Key: []byte("other account"), Throttle: account.Throttle}
	ids, wait, err := s.BeginLogin(ctx, []booking.LoginLimit{other, address}, now.Add(time.Minute))
	if err != nil || wait != 0 || len(ids) != 2 {
		t.Fatalf("another account: %v %v %v", ids, wait, err)
	}
	if err := s.ForgetLoginFailures(ctx, ids); err != nil {
		t.Fatal(err)
	}
	if fs, _ := s.LoginFailures(ctx, address.Key, now.Add(-time.Hour)); len(fs) != 5 {
		t.Fatalf("%d failures under the address after a success, want 5", len(fs))
	}
	if fs, _ := s.LoginFailures(ctx, other.Key, now.Add(-time.Hour)); len(fs) != 0 {
		t.Fatalf("%d failures under the account that signed in", len(fs))
	}
}
