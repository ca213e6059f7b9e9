package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"consult/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.RunTests(m)) }

// env builds a getenv from pairs.
func env(pairs ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestHelpListsEverySettingWithItsDefault(t *testing.T) {
	for _, args := range [][]string{{"serve", "--help"}, {"--help"}} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, env(), testNow, nil, &out, &errOut)
		if err != nil && err != errHelp {
			t.Fatalf("%v: %v", args, err)
		}
		text := out.String() + errOut.String()
		if args[0] != "serve" {
			if !strings.Contains(text, "consult serve --help") {
				t.Errorf("%v does not point to serve --help:\n%s", args, text)
			}
			continue
		}
		for _, s := range settings() {
			if !strings.Contains(text, s.env) || !strings.Contains(text, "--"+s.name) {
				t.Errorf("help lacks %s / --%s", s.env, s.name)
			}
			if s.def != "" && !strings.Contains(text, s.def) {
				t.Errorf("help lacks the default %q of %s", s.def, s.env)
			}
		}
	}
}

func TestBadSettingStopsStartUpNamingIt(t *testing.T) {
	tests := []struct{ env, value string }{
		{"DATABASE_URL", "mysql://x"},
		{"LISTEN_ADDR", "8080"},
		{"BASE_URL", "localhost:8080"},
		{"SMTP_URL", "http://mail"},
		{"MAIL_FROM", "nobody"},
		{"PRACTICE_TIMEZONE", "Mars/Olympus"},
		{"CONTENT_DIR", "/no/such/folder"},
		{"RETENTION_DAYS", "-3"},
		{"CONFIRM_BY_EMAIL", "maybe"},
		// On without mail, nobody could receive the link.
		{"CONFIRM_BY_EMAIL", "true"},
		{"CONCURRENCY_LIMIT", "-1"},
		{"QUEUE_LIMIT", "many"},
		{"MEMORY_LIMIT", "48MB"},
		{"MEMORY_LIMIT", "1MiB"},
		{"GC_PERCENT", "off"},
		{"GC_PERCENT", "5"},
		{"CALENDAR_ALLOW_PRIVATE", "maybe"},
		{"CALENDAR_SYNC_MINUTES", "0"},
		{"CALENDAR_STALE_HOURS", "-1"},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), []string{"serve"}, env(tt.env, tt.value), testNow, nil, &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), tt.env) {
				t.Fatalf("error %v does not name %s", err, tt.env)
			}
		})
	}
}

func TestConfirmByEmailFollowsOutgoingMail(t *testing.T) {
	for _, tt := range []struct {
		smtp, setting string
		want          bool
	}{
		{"", "", false},
		{"smtp://mail:25", "", true},
		{"smtp://mail:25", "false", false},
		{"smtp://mail:25", "true", true},
	} {
		c := config{SMTPURL: tt.smtp, ConfirmByEmail: tt.setting}
		if got := c.confirmsByEmail(); got != tt.want {
			t.Errorf("SMTP_URL %q, CONFIRM_BY_EMAIL %q: %v, want %v", tt.smtp, tt.setting, got, tt.want)
		}
	}
}

func TestMemoryLimit(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		args []string
		want int64
	}{
		{"default", nil, nil, 25 << 20},
		{"in GiB", []string{"MEMORY_LIMIT", "1GiB"}, nil, 1 << 30},
		{"in bytes", []string{"MEMORY_LIMIT", "20000000"}, nil, 20000000},
		{"off", []string{"MEMORY_LIMIT", "0"}, nil, 0},
		{"GOMEMLIMIT stands alone", []string{"GOMEMLIMIT", "100MiB"}, nil, -1},
		{"MEMORY_LIMIT wins over GOMEMLIMIT", []string{"GOMEMLIMIT", "100MiB", "MEMORY_LIMIT", "64MiB"}, nil, 64 << 20},
		{"so does the flag", []string{"GOMEMLIMIT", "100MiB"}, []string{"--memory-limit", "32MiB"}, 32 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseConfig("serve", tt.args, env(tt.env...), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.MemoryLimit != tt.want {
				t.Errorf("MemoryLimit = %d, want %d", cfg.MemoryLimit, tt.want)
			}
		})
	}
}

func TestGCPercent(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		args []string
		want int
	}{
		{"default", nil, nil, 200},
		{"set", []string{"GC_PERCENT", "200"}, nil, 200},
		{"GOGC stands alone", []string{"GOGC", "80"}, nil, -1},
		{"GC_PERCENT wins over GOGC", []string{"GOGC", "80", "GC_PERCENT", "30"}, nil, 30},
		{"so does the flag", []string{"GOGC", "80"}, []string{"--gc-percent", "40"}, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseConfig("serve", tt.args, env(tt.env...), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.GCPercent != tt.want {
				t.Errorf("GCPercent = %d, want %d", cfg.GCPercent, tt.want)
			}
		})
	}
}

func TestSecretsCanComeFromFiles(t *testing.T) {
	path := t.TempDir() + "/db"
	if err := os.WriteFile(path, []byte("mysql://from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"serve"}, env("DATABASE_URL_FILE", path), testNow, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Fatalf("the value from DATABASE_URL_FILE was not read and checked: %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// startServer runs the whole program on a free port against a fresh
// database and returns its base URL and its log.
func startServer(t *testing.T, extra ...string) (string, *syncBuffer, context.CancelFunc, <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	logs := &syncBuffer{}
	// done delivers run's result once, then stays closed for the cleanup.
	done := make(chan error, 1)
	finished := make(chan struct{})
	e := append([]string{"DATABASE_URL", storagetest.NewDBURL(t), "LISTEN_ADDR", "127.0.0.1:0"}, extra...)
	go func() {
		done <- run(ctx, []string{"serve", "--demo"}, env(e...), testNow, nil, pw, logs)
		pw.Close()
		close(finished)
	}()
	t.Cleanup(func() { cancel(); <-finished })
	addr := regexp.MustCompile(`serving at (http://\S+)`)
	sc := bufio.NewScanner(pr)
	found := make(chan string, 1)
	go func() {
		for sc.Scan() {
			if m := addr.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		close(found)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			t.Fatalf("server exited before serving:\n%s", logs)
		}
		return u, logs, cancel, done
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not start:\n%s", logs)
	}
	return "", nil, nil, nil
}

func TestServeEndToEnd(t *testing.T) {
	base, logs, cancel, done := startServer(t, "METRICS_TOKEN", "scrape-secret")
	waitReady(t, base)

	from := testNow().AddDate(0, 0, 7).Format(time.DateOnly)
	to := testNow().AddDate(0, 0, 14).Format(time.DateOnly)
	var slots struct {
		Slots []struct{ Start string } `json:"slots"`
	}
	getJSON(t, base+"/api/v1/slots?from="+from+"&to="+to, &slots)
	if len(slots.Slots) == 0 {
		t.Fatal("no slots with demo hours seeded")
	}
	body := fmt.Sprintf(`{"start":%q,"name":"Edith Endtoend","email":"edith@example.org","phone":"+1 555 0199 77","note":"private words","mode":"video","region":"US-CA"}`, slots.Slots[0].Start)
	resp, err := http.Post(base+"/api/v1/bookings", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("booking: %d", resp.StatusCode)
	}
	if id := resp.Header.Get("X-Request-ID"); id == "" {
		t.Error("no X-Request-ID on the response")
	}

	metrics := scrape(t, base, "")
	if metrics != "" {
		t.Error("/metrics answered without the token")
	}
	metrics = scrape(t, base, "scrape-secret")
	for _, want := range []string{
		"consult_bookings_created_total 1",
		`consult_http_requests_total{method="POST",route="/api/v1/bookings",status="201"} 1`,
		"consult_outbox_pending 3", // confirmation, practitioner notice, reminder
		`consult_db_pool_connections{state="max"} 20`,
		"consult_http_request_duration_seconds_bucket",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(metrics, "edith") || strings.Contains(metrics, "/manage/") || strings.Contains(metrics, "meet.example.org") {
		t.Error("metrics carry personal data or secret paths")
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
	for _, secret := range []string{"Edith", "Endtoend", "edith@example.org", "555 0199", "private words", "meet.example.org/"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log contains personal data %q", secret)
		}
	}
	if !strings.Contains(logs.String(), `"route":"/api/v1/bookings"`) {
		t.Errorf("the log has no request line for the booking:\n%s", logs)
	}
}

// scrape returns /metrics with the bearer token, or "" when refused.
func scrape(t *testing.T, base, token string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 401 {
		return ""
	}
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	return string(body)
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	waitFor(t, "/readyz to answer 200", func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
}

// waitFor polls done until it reports true, failing the test after 30 s
// (of real time: it measures a wait, not the service's clock).
func waitFor(t *testing.T, what string, done func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !done(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30 s for %s", what)
		}
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestContentDirMustHoldEveryPage(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(dir+"/"+name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, slug := range []string{"home", "how-ketamine-works", "clinical-research"} {
		write(slug+".md", "---\ntitle: T\ndescription: D\n---\nText.\n")
	}
	start := func() error {
		return run(context.Background(), []string{"serve"}, env("DATABASE_URL", storagetest.NewDBURL(t),
			"LISTEN_ADDR", "127.0.0.1:0", "CONTENT_DIR", dir), testNow, nil, io.Discard, io.Discard)
	}
	if err := start(); err == nil || !strings.Contains(err.Error(), "privacy.md") {
		t.Fatalf("start without privacy.md: %v", err)
	}
	write("privacy.md", "---\ntitle: Privacy\ndescription: D\n---\nWe keep data for 30 days.\n")
	if err := start(); err == nil || !strings.Contains(err.Error(), "retention_days") {
		t.Fatalf("start with a privacy notice that ignores the setting: %v", err)
	}
}

// TestDatabaseURLTakesEveryPostgreSQLForm checks the forms libpq accepts
// are taken, and that a refusal does not repeat the password.
func TestDatabaseURLTakesEveryPostgreSQLForm(t *testing.T) {
	for _, dsn := range []string{
		"postgres://consult:pw@db.example:5432/consult",
		"postgresql://%2Fvar%2Frun%2Fpostgresql/db",
		"postgres:///db?host=/run/postgresql",
		"host=/run/postgresql dbname=db",
		"host=db.example user=consult password='a b' dbname=consult sslmode=require",
	} {
		cfg := config{DatabaseURL: dsn, ListenAddr: "127.0.0.1:8080", BaseURL: "http://localhost:8080", PracticeTimeZone: "UTC", RetentionDays: 30}
		if err := cfg.validate(); err != nil && strings.Contains(err.Error(), "DATABASE_URL") {
			t.Errorf("DATABASE_URL %q refused: %v", dsn, err)
		}
	}
	cfg := config{DatabaseURL: "mysql://root:hunter2@db/x", ListenAddr: "127.0.0.1:8080", BaseURL: "http://localhost:8080"}
	err := cfg.validate()
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a MySQL URL: %v", err)
	}
}

// TestMetricsOnTheirOwnAddress serves /metrics on METRICS_ADDR only, so
// the public listener need not expose them.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	finished := make(chan struct{})
	getenv := env("DATABASE_URL", storagetest.NewDBURL(t), "LISTEN_ADDR", "127.0.0.1:0", "METRICS_ADDR", "127.0.0.1:0")
	go func() {
		_ = run(ctx, []string{"serve"}, getenv, testNow, nil, pw, io.Discard)
		pw.Close()
		close(finished)
	}()
	t.Cleanup(func() { cancel(); <-finished })
	lines := regexp.MustCompile(`(serving|metrics) at (http://[^\s/]+)`)
	addrs := map[string]string{}
	sc := bufio.NewScanner(pr)
	for len(addrs) < 2 && sc.Scan() {
		if m := lines.FindStringSubmatch(sc.Text()); m != nil {
			addrs[m[1]] = m[2]
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if len(addrs) != 2 {
		t.Fatalf("the server did not say where it serves: %v", addrs)
	}
	waitReady(t, addrs["serving"])
	status := func(url string) int {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status(addrs["serving"] + "/metrics"); got != http.StatusNotFound {
		t.Errorf("/metrics on the public listener: %d, want 404", got)
	}
	if got := status(addrs["metrics"] + "/metrics"); got != http.StatusOK {
		t.Errorf("/metrics on METRICS_ADDR: %d, want 200", got)
	}
	if got := status(addrs["metrics"] + "/api/v1/slots"); got != http.StatusNotFound {
		t.Errorf("the metrics listener serves the API: %d", got)
	}
}
