package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"consult/notify/smtptest"
	"consult/storage/storagetest"
)

// TestThreeInstancesOneDatabase runs three servers on one database under
// concurrent booking load: no double booking, each email sent once, and a
// session made on one instance valid on the others.
func TestThreeInstancesOneDatabase(t *testing.T) {
	mail := smtptest.Start(t)
	dbURL := storagetest.NewDBURL(t)
	var bases []string
	for range 3 {
		base, _, _, _ := startServer(t, "DATABASE_URL", dbURL, "SMTP_URL", mail.URL(), "RATE_LIMIT", "0",
			"EMAIL_UPCOMING_LIMIT", "0", "EMAIL_YEARLY_LIMIT", "0", "NETWORK_UPCOMING_LIMIT", "0", "CONFIRM_BY_EMAIL", "false", "PROOF_OF_WORK_RATE", "0", "REMINDER_HOURS", "0")
		waitReady(t, base)
		bases = append(bases, base)
	}

	day := testNow().AddDate(0, 0, 8).Format(time.DateOnly)
	var slots struct {
		Slots []struct{ Start string } `json:"slots"`
	}
	getJSON(t, bases[0]+"/api/v1/slots?from="+day+"&to="+testNow().AddDate(0, 0, 12).Format(time.DateOnly), &slots)
	const wanted = 5
	if len(slots.Slots) < 2*wanted {
		t.Fatalf("only %d slots", len(slots.Slots))
	}

	// 90 clients, spread over the instances, race for 5 slots (every other
	// one, so the buffer between consultations does not interfere).
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 90 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			body := fmt.Sprintf(`{"start":%q,"name":"Client %d","email":"c%d@example.org","mode":"phone","phone":"+1 555 0100","region":"US-OR"}`, slots.Slots[(i%wanted)*2].Start, i, i)
			resp, err := http.Post(bases[i%3]+"/api/v1/bookings", "application/json", strings.NewReader(body))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				statuses[0]++
				return
			}
			resp.Body.Close()
			statuses[resp.StatusCode]++
		}()
	}
	close(start)
	wg.Wait()
	if statuses[201] != wanted || statuses[409] != 90-wanted {
		t.Fatalf("statuses %v; want %d × 201 and %d × 409", statuses, wanted, 90-wanted)
	}

	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var overlaps int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM bookings a JOIN bookings b
		ON a.id < b.id AND a.during && b.during WHERE a.status = 'confirmed' AND b.status = 'confirmed'`).Scan(&overlaps); err != nil {
		t.Fatal(err)
	}
	if overlaps != 0 {
		t.Errorf("%d overlapping confirmed bookings", overlaps)
	}

	// Each booking sends a confirmation and a practitioner's notice, once.
	deadline := time.Now().Add(45 * time.Second)
	var pending, sent int
	for time.Now().Before(deadline) {
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE status IN ('pending', 'sending')),
			count(*) FILTER (WHERE status = 'sent') FROM outbox`).Scan(&pending, &sent); err != nil {
			t.Fatal(err)
		}
		if pending == 0 && sent == 2*wanted {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if sent != 2*wanted || pending != 0 {
		t.Fatalf("%d emails sent, %d pending; want %d sent", sent, pending, 2*wanted)
	}
	if got := len(mail.Messages()); got != sent {
		t.Errorf("the SMTP server received %d messages for %d sent rows: some went out twice", got, sent)
	}
	ids := map[string]bool{}
	for _, m := range mail.Messages() {
		id := regexp.MustCompile(`(?mi)^Message-ID:\s*(\S+)`).FindSubmatch(m.Data)
		if id == nil || ids[string(id[1])] {
			t.Errorf("missing or repeated Message-ID %q", id)
			continue
		}
		ids[string(id[1])] = true
	}

	// A session made on one instance is valid on the others.
	const adminPass = "correct horse battery staple"
	if err := run(context.Background(), []string{"admin", "create", "--email", "dr@example.org"}, env("DATABASE_URL", dbURL), testNow,
		strings.NewReader(adminPass+"\n"), &syncBuffer{}, &syncBuffer{}); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	admin := &http.Client{Jar: jar}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(fetch(t, admin, bases[0]+"/admin/sign-in"))
	resp, err := admin.PostForm(bases[0]+"/admin/sign-in", url.Values{"csrf": {csrf[1]}, "email": {"dr@example.org"}, "password": {adminPass}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, base := range bases {
		if page := fetch(t, admin, base+"/admin/bookings"); !strings.Contains(page, "Sign out") {
			t.Errorf("the session is not valid on %s", base)
		}
	}
}
