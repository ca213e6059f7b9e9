package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"consult/api"
	"consult/booking"
	"consult/booking/password"
	"consult/notify"
	"consult/storage"
	"consult/storage/storagetest"
)

// Credentials of the practitioner account every admin test starts with.
const (
	adminEmail    = "practitioner@example.org"
	adminPassword = "calm river lantern 42"
)

// adminTest is a server with the admin area on a fresh database, with demo
// hours and one practitioner account.
type adminTest struct {
	*testAPI
	srv   *api.Server
	store *storage.Store
	clock *testClock
	user  *booking.User
}

func newAdminTest(t *testing.T, cfg api.Config, configure ...func(*api.Deps, *storage.Store)) *adminTest {
	t.Helper()
	ctx := context.Background()
	pool := storagetest.NewDB(t)
	store := seedStore(t, pool, false)
	clock := &testClock{t: testNow}
	svc := booking.NewService(store, clock.Now)
	renderer, pages := siteWeb(t)
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://consult.test"
	}
	// As in production, the admin area has the feeds and the outbox; this
	// worker has no mail server, so it only keeps messages ("logged").
	outbox, err := notify.New(notify.Config{From: "bookings@consult.test", BaseURL: cfg.BaseURL}, notify.Deps{Store: store, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	deps := api.Deps{Service: svc, Web: renderer, Pages: pages, Admin: store,
		Sessions: storage.NewSessions(pool, clock.Now), Feeds: store, Outbox: outbox}
	for _, c := range configure {
		c(&deps, store)
	}
	srv, err := api.New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	hash, err := password.Hash(adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	u, err := store.CreateUser(ctx, adminEmail, hash, testNow)
	if err != nil {
		t.Fatal(err)
	}
	a := &adminTest{
		testAPI: &testAPI{t: t, url: ts.URL, pool: pool, router: openAPIRouter(t), client: ts.Client()},
		srv:     srv, store: store, clock: clock, user: u,
	}
	return a
}

// adminBrowser is a cookie-keeping client that does not follow redirects, so
// tests see each one.
type adminBrowser struct {
	t      *testing.T
	base   string
	client *http.Client
	csrf   string
}

func (a *adminTest) newBrowser() *adminBrowser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		a.t.Fatal(err)
	}
	return &adminBrowser{t: a.t, base: a.url, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// adminResp is a received HTML response.
type adminResp struct {
	Status int
	Header http.Header
	Body   string
}

var adminCSRFRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *adminBrowser) send(req *http.Request) adminResp {
	b.t.Helper()
	req.Header.Set("Accept", "text/html")
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	p := adminResp{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
	if m := adminCSRFRE.FindStringSubmatch(p.Body); m != nil {
		b.csrf = m[1]
	}
	return p
}

// get fetches path, remembering the page's CSRF token.
func (b *adminBrowser) get(path string) adminResp {
	b.t.Helper()
	req, err := http.NewRequest("GET", b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.send(req)
}

// post sends a form with the last CSRF token seen (unless the form sets one).
func (b *adminBrowser) post(path string, form url.Values) adminResp {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	req, err := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(req)
}

// signIn signs in with the given password and code and returns the answer.
func (b *adminBrowser) signIn(email, password, code string) adminResp {
	b.t.Helper()
	b.get("/admin/sign-in")
	return b.post("/admin/sign-in", url.Values{"email": {email}, "password": {password}, "code": {code}})
}

// mustSignIn signs in as the test practitioner.
func (a *adminTest) mustSignIn() *adminBrowser {
	a.t.Helper()
	b := a.newBrowser()
	if p := b.signIn(adminEmail, adminPassword, ""); p.Status != http.StatusSeeOther {
		a.t.Fatalf("sign in: %d\n%s", p.Status, p.Body)
	}
	if p := b.get("/admin"); p.Status != http.StatusOK {
		a.t.Fatalf("the overview right after signing in: %d", p.Status)
	}
	return b
}

// wantAdminRedirect fails unless p redirects to a location starting with prefix.
func wantAdminRedirect(t *testing.T, p adminResp, prefix string) {
	t.Helper()
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), prefix) {
		t.Fatalf("got %d to %q, want 303 to %s…\n%s", p.Status, p.Header.Get("Location"), prefix, p.Body)
	}
}

// apiToken makes a personal access token for the test practitioner.
func (a *adminTest) apiToken() string {
	a.t.Helper()
	token, hash := booking.NewToken()
	if _, err := a.store.CreateAPIToken(context.Background(), a.user.ID, "test", hash, testNow); err != nil {
		a.t.Fatal(err)
	}
	return token
}

// auditActions lists the audit log's actions, oldest first.
func (a *adminTest) auditActions() []string {
	a.t.Helper()
	rows, err := a.pool.Query(context.Background(), `SELECT action || ' ' || target FROM audit_log ORDER BY id`)
	if err != nil {
		a.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			a.t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// adminStateTables are what an admin request may change, each as one
// query over its rows; sessions, throttle counts and the audit log are left
// out, and tokens without their last use (every API call notes it).
var adminStateTables = []string{
	`SELECT t::text FROM practice_settings t`, `SELECT t::text FROM weekly_windows t`,
	`SELECT t::text FROM date_overrides t`, `SELECT t::text FROM override_windows t`,
	`SELECT t::text FROM time_off t`, `SELECT t::text FROM bookings t`, `SELECT t::text FROM outbox t`,
	`SELECT t::text FROM feed_secrets t`, `SELECT t::text FROM users t`, `SELECT t::text FROM recovery_codes t`,
	`SELECT (id, user_id, name, token_hash, created_at, revoked_at)::text FROM api_tokens`,
}

// state returns everything admin requests may change, as text, so a test
// can check that a refused request changed nothing.
func (a *adminTest) state() string {
	a.t.Helper()
	var sb strings.Builder
	for _, q := range adminStateTables {
		var s string
		if err := a.pool.QueryRow(context.Background(),
			`SELECT coalesce(string_agg(x, E'\n' ORDER BY x), '') FROM (`+q+`) AS r(x)`).Scan(&s); err != nil {
			a.t.Fatal(err)
		}
		sb.WriteString(q + ":\n" + s + "\n")
	}
	return sb.String()
}

// count runs a counting query.
func (a *adminTest) count(query string, args ...any) int {
	a.t.Helper()
	var n int
	if err := a.pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		a.t.Fatal(err)
	}
	return n
}
