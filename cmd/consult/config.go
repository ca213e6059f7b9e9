package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"consult/booking"
	"consult/notify"

	"github.com/jackc/pgx/v5/pgconn"
)

// config is every setting, read once at start-up from flags and the
// environment (flags win). Secrets may also come from NAME_FILE.
type config struct {
	DatabaseURL      string
	DataDir          string
	ListenAddr       string
	BaseURL          string
	SMTPURL          string
	MailFrom         string
	PracticeName     string
	PracticeTimeZone string
	ContentDir       string
	RetentionDays    int
	MetricsToken     string
	// MetricsAddr, when set, is where /metrics is served instead of on
	// ListenAddr; a bare ":port" means loopback.
	MetricsAddr string
	RateLimit   int
	// EmailUpcomingLimit, EmailYearlyLimit and EmailDailyLimit bound
	// bookings per inbox.
	EmailUpcomingLimit int
	EmailYearlyLimit   int
	EmailDailyLimit    int
	// NetworkUpcomingLimit bounds the upcoming bookings made from one network.
	NetworkUpcomingLimit int
	TrustProxy           bool
	Demo                 bool
	// WebhookAllowPrivate lets webhooks go to loopback and private
	// addresses (a receiver on the practice's own network).
	WebhookAllowPrivate bool
	// ProofOfWorkRate is the bookings an hour from which booking requests
	// must carry a proof of work.
	ProofOfWorkRate int
	// ConfirmByEmail is "true", "false", or "" for on exactly when
	// outgoing mail is configured (see confirmsByEmail).
	ConfirmByEmail string
	// ConcurrencyLimit bounds the handlers running at once and QueueLimit
	// the requests waiting for one (0: no bound).
	ConcurrencyLimit int
	QueueLimit       int
	// MemoryLimit is the Go runtime's soft memory limit in bytes: 0 for
	// none, -1 to leave the runtime's own (GOMEMLIMIT) in place.
	MemoryLimit int64
	// GCPercent is the heap growth, in percent of the live heap, that
	// starts a collection (GOGC); -1 leaves the runtime's own in place.
	GCPercent int

	// WaitlistHoldMinutes is how long a time offered to a waitlist entry
	// is held for it.
	WaitlistHoldMinutes int

	// Email.
	PractitionerEmail string
	ReminderHours     int
	MailKey           []byte // nil: a key generated once and kept in the database
	MailMaxAttempts   int

	// Calendars the practitioner links to.
	CalendarAllowPrivate bool // fetch from loopback and private addresses too
	CalendarSyncMinutes  int  // how often each calendar is read
	CalendarStaleHours   int  // unread this long, a calendar blocks booking (0: never)
}

// setting describes one configuration value for flags, env and --help.
type setting struct {
	name, env, def, help string
	secret               bool
	set                  func(c *config, v string) error
}

func settings() []setting {
	str := func(p func(*config) *string) func(*config, string) error {
		return func(c *config, v string) error { *p(c) = v; return nil }
	}
	return []setting{
		{"database-url", "DATABASE_URL", "", "PostgreSQL URL; empty starts a private cluster in DATA_DIR/postgres", true,
			str(func(c *config) *string { return &c.DatabaseURL })},
		{"data-dir", "DATA_DIR", "./data", "where the embedded database lives when DATABASE_URL is empty", false,
			str(func(c *config) *string { return &c.DataDir })},
		{"listen-addr", "LISTEN_ADDR", "127.0.0.1:8080", "host:port to listen on", false,
			str(func(c *config) *string { return &c.ListenAddr })},
		{"base-url", "BASE_URL", "http://localhost:8080", "absolute URL clients reach the service at (links in emails and feeds)", false,
			str(func(c *config) *string { return &c.BaseURL })},
		{"smtp-url", "SMTP_URL", "", "smtp://user:pass@host:port; empty keeps mail in the outbox and logs it", true,
			str(func(c *config) *string { return &c.SMTPURL })},
		{"mail-from", "MAIL_FROM", "consultations@localhost", "sender address of every email", false,
			str(func(c *config) *string { return &c.MailFrom })},
		{"practice-name", "PRACTICE_NAME", "Consult", "practice name (initial value; the admin area can change it)", false,
			str(func(c *config) *string { return &c.PracticeName })},
		{"practice-timezone", "PRACTICE_TIMEZONE", "America/Los_Angeles", "IANA zone of the practice's hours (initial value)", false,
			str(func(c *config) *string { return &c.PracticeTimeZone })},
		{"content-dir", "CONTENT_DIR", "", "folder of Markdown pages replacing the built-in ones", false,
			str(func(c *config) *string { return &c.ContentDir })},
		{"metrics-token", "METRICS_TOKEN", "", "bearer token /metrics requires; empty leaves it open", true,
			str(func(c *config) *string { return &c.MetricsToken })},
		{"metrics-addr", "METRICS_ADDR", "", "host:port to serve /metrics on instead of LISTEN_ADDR (\":9464\" is loopback); empty serves it with the rest", false,
			str(func(c *config) *string { return &c.MetricsAddr })},
		{"rate-limit", "RATE_LIMIT", "20", "requests per minute one address may send to booking, manage and sign-in endpoints (0: no limit)", false,
			intSetting(0, 100000, func(c *config) *int { return &c.RateLimit })},
		{"concurrency-limit", "CONCURRENCY_LIMIT", "32", "requests handled at once; more wait in a queue (0: no limit)", false,
			intSetting(0, 10000, func(c *config) *int { return &c.ConcurrencyLimit })},
		{"queue-limit", "QUEUE_LIMIT", "1024", "requests that may wait, up to 3 s each, for one of those; beyond, 503 with Retry-After", false,
			intSetting(0, 100000, func(c *config) *int { return &c.QueueLimit })},
		{"memory-limit", "MEMORY_LIMIT", defaultMemoryLimit, "soft limit on the memory the Go runtime holds, like GOMEMLIMIT (B, KiB, MiB, GiB); the collector works harder near it (0: none)", false,
			func(c *config, v string) error {
				n, err := parseBytes(v)
				if err != nil || (n != 0 && n < minMemoryLimit) {
					return errors.New("must be 0 or a size of at least 16MiB, such as 48MiB or 1GiB")
				}
				c.MemoryLimit = n
				return nil
			}},
		{"gc-percent", "GC_PERCENT", defaultGCPercent, "heap growth over the live heap, in percent, that starts a collection, like GOGC: lower holds less memory for more collector work", false,
			intSetting(10, 1000, func(c *config) *int { return &c.GCPercent })},
		{"trust-proxy", "TRUST_PROXY", "false", "take client addresses from X-Forwarded-For (only behind a reverse proxy)", false,
			func(c *config, v string) error {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return errors.New("must be true or false")
				}
				c.TrustProxy = b
				return nil
			}},
		{"email-upcoming-limit", "EMAIL_UPCOMING_LIMIT", "1", "upcoming bookings one email address may hold (0: no limit)", false,
			intSetting(0, 1000, func(c *config) *int { return &c.EmailUpcomingLimit })},
		{"email-yearly-limit", "EMAIL_YEARLY_LIMIT", "1", "consultations one email address may have in 12 months (0: no limit)", false,
			intSetting(0, 1000, func(c *config) *int { return &c.EmailYearlyLimit })},
		{"email-daily-limit", "EMAIL_DAILY_LIMIT", "3", "bookings that may be made for one email address in 24 hours, cancelled ones included (0: no limit)", false,
			intSetting(0, 1000, func(c *config) *int { return &c.EmailDailyLimit })},
		{"confirm-by-email", "CONFIRM_BY_EMAIL", "", "hold a chosen time until the client confirms it by the link emailed to them (true/false; empty: on exactly when SMTP_URL is set)", false,
			func(c *config, v string) error {
				if v == "" {
					c.ConfirmByEmail = ""
					return nil
				}
				b, err := strconv.ParseBool(v)
				if err != nil {
					return errors.New("must be true, false or empty")
				}
				c.ConfirmByEmail = strconv.FormatBool(b)
				return nil
			}},
		{"proof-of-work-rate", "PROOF_OF_WORK_RATE", "20", "bookings an hour, across the practice, from which every booking request must carry a solved proof-of-work challenge (0: never)", false,
			intSetting(0, 100000, func(c *config) *int { return &c.ProofOfWorkRate })},
		{"network-upcoming-limit", "NETWORK_UPCOMING_LIMIT", "3", "upcoming bookings that may be made from one network, a /24 for IPv4 or /48 for IPv6 (0: no limit)", false,
			intSetting(0, 1000, func(c *config) *int { return &c.NetworkUpcomingLimit })},
		{"webhook-allow-private", "WEBHOOK_ALLOW_PRIVATE", "false", "send webhooks to loopback and private addresses too (link-local and cloud metadata addresses never)", false,
			func(c *config, v string) error {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return errors.New("must be true or false")
				}
				c.WebhookAllowPrivate = b
				return nil
			}},
		{"waitlist-hold-minutes", "WAITLIST_HOLD_MINUTES", "15", "minutes a freed time offered to the next person on the waitlist is held for them before it passes on", false,
			intSetting(1, 1440, func(c *config) *int { return &c.WaitlistHoldMinutes })},
		{"retention-days", "RETENTION_DAYS", "180", "days after a consultation before the client's personal data is erased", false,
			func(c *config, v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > 3650 {
					return errors.New("must be a whole number of days from 1 to 3650")
				}
				c.RetentionDays = n
				return nil
			}},
		// Email.
		{"practitioner-email", "PRACTITIONER_EMAIL", "", "where notices of new, moved and cancelled bookings go (empty: MAIL_FROM)", false,
			func(c *config, v string) error {
				if v != "" {
					if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
						return errors.New("must be an email address like practice@example.org")
					}
				}
				c.PractitionerEmail = v
				return nil
			}},
		{"reminder-hours", "REMINDER_HOURS", "24", "hours before a consultation the client's reminder is sent (0: none)", false,
			func(c *config, v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 || n > 720 {
					return errors.New("must be a whole number of hours from 0 to 720")
				}
				c.ReminderHours = n
				return nil
			}},
		{"mail-key", "MAIL_KEY", "", "32 random bytes, base64 or hex, sealing clients' private links in queued email (empty: a key kept in the database)", true,
			func(c *config, v string) error {
				if v == "" {
					return nil
				}
				key, err := notify.ParseKey(v)
				c.MailKey = key
				return err
			}},
		{"mail-max-attempts", "MAIL_MAX_ATTEMPTS", "8", "delivery attempts before an email is marked failed", false,
			func(c *config, v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > 50 {
					return errors.New("must be a whole number from 1 to 50")
				}
				c.MailMaxAttempts = n
				return nil
			}},
		// Calendars.
		{"calendar-allow-private", "CALENDAR_ALLOW_PRIVATE", "false", "let calendar sources be read from loopback and private-network addresses (a Nextcloud on the practice's LAN); link-local and cloud metadata addresses stay refused", false,
			func(c *config, v string) error {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return errors.New("must be true or false")
				}
				c.CalendarAllowPrivate = b
				return nil
			}},
		{"calendar-sync-minutes", "CALENDAR_SYNC_MINUTES", "10", "minutes between two reads of each linked calendar", false,
			intSetting(1, 1440, func(c *config) *int { return &c.CalendarSyncMinutes })},
		{"calendar-stale-hours", "CALENDAR_STALE_HOURS", "24", "hours a linked calendar may go unread (failing) before booking is blocked until it is read again (0: never block)", false,
			intSetting(0, 720, func(c *config) *int { return &c.CalendarStaleHours })},
	}
}

// intSetting parses a whole number within [lo, hi] into the field p picks.
func intSetting(lo, hi int, p func(*config) *int) func(*config, string) error {
	return func(c *config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("must be a whole number from %d to %d", lo, hi)
		}
		*p(c) = n
		return nil
	}
}

// parseConfig reads the settings of command name from args and getenv.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("consult "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	values := map[string]*string{}
	all := settings()
	for _, s := range all {
		def := s.def
		if v, err := fromEnv(s.env, getenv); err != nil {
			return cfg, err
		} else if v != "" {
			def = v
		}
		values[s.name] = fs.String(s.name, def, fmt.Sprintf("%s (env %s)", s.help, s.env))
	}
	if name == "serve" {
		fs.BoolVar(&cfg.Demo, "demo", false, "seed demo weekly hours when the database has none")
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: consult %s [flags]\n\nSettings (flag, environment variable, default):\n", name)
		for _, s := range all {
			def := s.def
			if def == "" {
				def = "(empty)"
			}
			fmt.Fprintf(stderr, "  --%-18s %-18s default %s\n      %s\n", s.name, s.env, def, s.help)
		}
		if name == "serve" {
			fmt.Fprintf(stderr, "  --demo                                 default false\n      seed demo weekly hours when the database has none\n")
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, errHelp
		}
		return cfg, errUsage
	}
	for _, s := range all {
		if err := s.set(&cfg, strings.TrimSpace(*values[s.name])); err != nil {
			return cfg, fmt.Errorf("setting %s (--%s): %w", s.env, s.name, err)
		}
	}
	// GOMEMLIMIT, which the runtime has read already, stands unless
	// MEMORY_LIMIT is given too.
	memoryGiven := getenv("MEMORY_LIMIT") != "" || getenv("MEMORY_LIMIT_FILE") != ""
	fs.Visit(func(f *flag.Flag) { memoryGiven = memoryGiven || f.Name == "memory-limit" })
	if !memoryGiven && getenv("GOMEMLIMIT") != "" {
		cfg.MemoryLimit = -1
	}
	// So does GOGC, unless GC_PERCENT is given.
	gcGiven := getenv("GC_PERCENT") != "" || getenv("GC_PERCENT_FILE") != ""
	fs.Visit(func(f *flag.Flag) { gcGiven = gcGiven || f.Name == "gc-percent" })
	if !gcGiven && getenv("GOGC") != "" {
		cfg.GCPercent = -1
	}
	return cfg, cfg.validate()
}

// defaultMemoryLimit keeps the process within its budget of 64 MiB
// resident, binary included, under a burst of 1,000 connections: make
// bench measured the burst's peak at 81 MiB with neither limit, 76 MiB
// with the gate alone, 70 MiB with a 48 MiB limit alone, 63 MiB with
// both and 58 MiB with the gate and 40 MiB. Once the copies' compressors
// were bounded and the live heap of the mixed load fell to about 9 MB,
// 24 MiB held the steady peak over every throughput phase at 39 MiB
// (41 with 26 MiB, 45 with 40 MiB) and the burst at 61 MiB, for about a
// tenth more server CPU per request in the mixed load. Built static, as
// make build and the Dockerfile build it, the process no longer maps the
// C library, 1.5–2 MiB of its resident memory; that room went to the
// heap: 25 MiB with GC_PERCENT 200, so that the limit, not the growth
// over the live heap, starts a collection. make bench measured the mixed
// load at 0.51× and 0.50× (0.47× with 24 MiB and 100), the steady peak at
// 39.1 and 38.8 MiB and the burst at 57.8 and 56.3 MiB; 26 MiB gave 0.51×
// but 39.8 MiB, too close to the 40 MiB target.
// minMemoryLimit refuses a limit the collector would spend all its time
// defending.
//
// GC_PERCENT below the runtime's 100 holds less memory for more work:
// make bench measured 50 taking the steady peak from 47 to 42 MiB but
// costing the pages a sixth more CPU per request, taking / and
// /clinical-research under their targets; 75 saved under 1 MiB. Above
// it, the memory limit bounds the heap either way.
const (
	defaultGCPercent   = "200"
	defaultMemoryLimit = "25MiB"
	minMemoryLimit     = 16 << 20
)

// parseBytes reads a size as GOMEMLIMIT writes it: a whole number with
// an optional unit B, KiB, MiB, GiB or TiB.
func parseBytes(v string) (int64, error) {
	units := []struct {
		suffix string
		shift  uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}}
	shift := uint(0)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(v, u.suffix); ok {
			v, shift = rest, u.shift
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > (1<<62)>>shift {
		return 0, errors.New("not a size")
	}
	return n << shift, nil
}

// errHelp ends a command after --help printed its usage.
var errHelp = errors.New("help requested")

// fromEnv reads NAME, or the contents of the file named by NAME_FILE.
func fromEnv(name string, getenv func(string) string) (string, error) {
	if v := getenv(name); v != "" {
		return v, nil
	}
	if path := getenv(name + "_FILE"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("setting %s_FILE: %w", name, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}

// validate checks every setting, naming the bad one.
func (c config) validate() error {
	if c.DatabaseURL != "" {
		// pgx's own parser, so every form libpq accepts works (URLs with a
		// socket directory as host, keyword/value strings). Its error is
		// not repeated: it may quote the password.
		if _, err := pgconn.ParseConfig(c.DatabaseURL); err != nil {
			return errors.New("setting DATABASE_URL: must be a PostgreSQL connection string, such as postgres://user:pass@host/db or host=/run/postgresql dbname=db")
		}
	}
	if c.DatabaseURL == "" && c.DataDir == "" {
		return errors.New("setting DATA_DIR: must not be empty when DATABASE_URL is empty")
	}
	if _, _, err := net.SplitHostPort(c.ListenAddr); err != nil {
		return fmt.Errorf("setting LISTEN_ADDR: %q is not host:port", c.ListenAddr)
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("setting METRICS_ADDR: %q is not host:port", c.MetricsAddr)
		}
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("setting BASE_URL: %q is not an absolute http(s) URL", c.BaseURL)
	}
	if c.SMTPURL != "" {
		u, err := url.Parse(c.SMTPURL)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			return errors.New("setting SMTP_URL: must be smtp://user:pass@host:port or smtps://…")
		}
	}
	if c.ConfirmByEmail == "true" && c.SMTPURL == "" {
		return errors.New("setting CONFIRM_BY_EMAIL: needs SMTP_URL, as nobody could receive the link to confirm")
	}
	if a, err := mail.ParseAddress(c.MailFrom); err != nil || !strings.Contains(a.Address, "@") {
		return fmt.Errorf("setting MAIL_FROM: %q is not an email address", c.MailFrom)
	}
	if c.PracticeName == "" || len(c.PracticeName) > 200 {
		return errors.New("setting PRACTICE_NAME: must be 1 to 200 characters")
	}
	if _, err := booking.CheckZone(c.PracticeTimeZone); err != nil {
		return fmt.Errorf("setting PRACTICE_TIMEZONE: %q is not an IANA time zone", c.PracticeTimeZone)
	}
	if c.ContentDir != "" {
		if st, err := os.Stat(c.ContentDir); err != nil || !st.IsDir() {
			return fmt.Errorf("setting CONTENT_DIR: %q is not a folder", c.ContentDir)
		}
	}
	return nil
}

// holdFor is how long a time chosen on the site is held for the client to
// confirm it by email.
const holdFor = 30 * time.Minute

// confirmsByEmail reports whether bookings wait for the client to confirm
// them by email: as set, else whenever mail goes out, since otherwise
// nobody could follow the link.
func (c config) confirmsByEmail() bool {
	if c.ConfirmByEmail == "" {
		return c.SMTPURL != ""
	}
	return c.ConfirmByEmail == "true"
}
