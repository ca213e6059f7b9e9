// Package calsync keeps the busy time of the practitioner's calendars:
// each source is read in the background, off the request path, and what
// it holds replaces the source's busy intervals in the store, where slots
// and bookings read them. A source is synced by one instance at a time
// (a lease in the store); one that fails keeps its last good busy time
// and shows why.
package calsync

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"consult/booking"
	"consult/calendar/busy"
	"consult/calendar/fetch"
)

// Store is what the syncer needs of the database (*storage.Store).
type Store interface {
	DueCalendarSyncs(ctx context.Context, now time.Time, every time.Duration) ([]int64, error)
	ClaimCalendarSync(ctx context.Context, id int64, owner string, now time.Time, lease time.Duration) (*booking.CalendarSync, error)
	FinishCalendarSync(ctx context.Context, id int64, owner string, r booking.CalendarSyncResult, now time.Time, staleAfter time.Duration) (*booking.CalendarSource, error)
}

// Reader reads a calendar of one kind into busy time: job says where and
// what copy is held; o how to read events (the window, the zone).
type Reader interface {
	Read(ctx context.Context, job *booking.CalendarSync, o busy.Options) (booking.CalendarSyncResult, error)
}

// Config tunes a Syncer; zero fields take the defaults.
type Config struct {
	// Every is how often each source is read (DefaultEvery).
	Every time.Duration
	// StaleAfter is how long a source may go unread before booking is
	// blocked; 0 never blocks.
	StaleAfter time.Duration
	// Ahead is how far ahead busy time is kept (DefaultAhead).
	Ahead time.Duration
}

// Defaults.
const (
	DefaultEvery = 10 * time.Minute
	DefaultAhead = 400 * 24 * time.Hour
	// lease bounds a sync; beyond it another instance may take over.
	lease = 5 * time.Minute
	// checkEvery is how often the due sources are looked for.
	checkEvery = 30 * time.Second
)

// Syncer reads the calendar sources.
type Syncer struct {
	cfg     Config
	store   Store
	readers map[string]Reader
	zone    func(ctx context.Context) (*time.Location, error)
	now     func() time.Time
	logger  *slog.Logger
	owner   string

	syncs, failures prometheus.Counter
}

// New returns a Syncer reading ICS and CalDAV sources with fetcher, and the kinds in
// readers besides; zone gives the practice's time zone.
func New(cfg Config, store Store, fetcher *fetch.Fetcher, readers map[string]Reader, zone func(ctx context.Context) (*time.Location, error), now func() time.Time, logger *slog.Logger) *Syncer {
	if cfg.Every <= 0 {
		cfg.Every = DefaultEvery
	}
	if cfg.Ahead <= 0 {
		cfg.Ahead = DefaultAhead
	}
	all := map[string]Reader{booking.SourceICS: ICS{Fetcher: fetcher}, booking.SourceCalDAV: CalDAV{Fetcher: fetcher}}
	for k, r := range readers {
		all[k] = r
	}
	host, _ := os.Hostname()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return &Syncer{cfg: cfg, store: store, readers: all, zone: zone, now: now, logger: logger,
		owner: host + "/" + hex.EncodeToString(b),
		syncs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "consult_calendar_syncs_total", Help: "Calendar source syncs run by this instance.",
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "consult_calendar_sync_failures_total", Help: "Calendar source syncs that failed (the last good busy time stays).",
		}),
	}
}

// Collectors returns the syncer's metrics, for /metrics.
func (s *Syncer) Collectors() []prometheus.Collector {
	return []prometheus.Collector{s.syncs, s.failures}
}

// Run syncs the due sources at start and every half minute until ctx
// ends; it returns nil then. Several instances may run it at once.
func (s *Syncer) Run(ctx context.Context) error {
	for {
		ids, err := s.store.DueCalendarSyncs(ctx, s.now(), s.cfg.Every)
		if err != nil && ctx.Err() == nil {
			s.logger.Warn("calendar sync: list due sources", "error", err)
		}
		for _, id := range ids {
			if ctx.Err() != nil {
				break
			}
			if _, err := s.Sync(ctx, id); err != nil && booking.ErrorCode(err) != booking.ECONFLICT && ctx.Err() == nil {
				s.logger.Warn("calendar sync", "source", id, "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(checkEvery):
		}
	}
}

// Sync reads source id now and returns it as it stands after. A failed
// read is not an error: it is recorded on the source (Status, LastError)
// and its last good busy time stays. ECONFLICT while another sync of it
// runs; ENOTFOUND.
func (s *Syncer) Sync(ctx context.Context, id int64) (*booking.CalendarSource, error) {
	job, err := s.store.ClaimCalendarSync(ctx, id, s.owner, s.now(), lease)
	if err != nil {
		return nil, err
	}
	// The whole read ends well within the lease, so no other instance
	// takes the source over while it runs (CalDAV takes several requests).
	readCtx, cancel := context.WithTimeout(ctx, lease-time.Minute)
	res := s.read(readCtx, job)
	cancel()
	s.syncs.Inc()
	if res.Error != "" {
		s.failures.Inc()
		// The source's id only: its address is a credential.
		s.logger.Info("calendar sync failed", "source", id, "reason", res.Error)
	}
	// Recorded even if the request that asked for it has gone.
	return s.store.FinishCalendarSync(context.WithoutCancel(ctx), id, s.owner, res, s.now(), s.cfg.StaleAfter)
}

// read reads job's source, turning every failure into a message safe to
// show.
func (s *Syncer) read(ctx context.Context, job *booking.CalendarSync) (res booking.CalendarSyncResult) {
	// The iCalendar decoder beneath go-webdav panics on some malformed
	// input; a calendar server must not be able to stop the process.
	defer func() {
		if recover() != nil {
			res = booking.CalendarSyncResult{Error: sentence(busy.ErrNotCalendar.Error())}
		}
	}()
	r, ok := s.readers[job.Source.Kind]
	if !ok {
		return booking.CalendarSyncResult{Error: "This kind of calendar cannot be read by this server."}
	}
	zone, err := s.zone(ctx)
	if err != nil {
		return booking.CalendarSyncResult{Error: "The practice's time zone could not be read."}
	}
	now := s.now()
	if job.Source.LastSuccess == nil || !sameDay(*job.Source.LastSuccess, now) {
		// The window moves on daily: read the whole calendar again, not
		// just whether it changed.
		job.ETag, job.LastModified, job.SyncToken = "", "", ""
	}
	var owners []string
	for _, o := range []string{job.Source.OwnerEmail, job.Credentials.Username} {
		if strings.Contains(o, "@") {
			owners = append(owners, o)
		}
	}
	o := busy.Options{Zone: zone, From: now.Add(-48 * time.Hour), To: now.Add(s.cfg.Ahead),
		Owners: owners, IgnoreDeclined: job.Source.IgnoreDeclined, Skip: booking.OwnEventUID}
	got, err := r.Read(ctx, job, o)
	if err != nil {
		return booking.CalendarSyncResult{Error: Message(err)}
	}
	return got
}

func sameDay(a, b time.Time) bool {
	return a.UTC().Format(time.DateOnly) == b.UTC().Format(time.DateOnly)
}

// Message is the text shown for a failed read: the error's own when it
// is one of the fetch or busy packages' (none quotes an address), else a
// plain one.
func Message(err error) string {
	var se *fetch.StatusError
	for _, known := range []error{fetch.ErrScheme, fetch.ErrURL, fetch.ErrAddress, fetch.ErrTooManyRedirects,
		fetch.ErrTooLarge, fetch.ErrTimeout, fetch.ErrConnect, busy.ErrNotCalendar, busy.ErrTooMany} {
		if errors.Is(err, known) {
			return sentence(known.Error())
		}
	}
	if errors.As(err, &se) {
		return sentence(se.Error())
	}
	var de *booking.Error
	if errors.As(err, &de) && de.Code != booking.EINTERNAL {
		return de.Message
	}
	return "The calendar could not be read."
}

func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// ICS reads an ICS address.
type ICS struct{ Fetcher *fetch.Fetcher }

// Read implements Reader.
func (r ICS) Read(ctx context.Context, job *booking.CalendarSync, o busy.Options) (booking.CalendarSyncResult, error) {
	got, err := r.Fetcher.Get(ctx, fetch.Request{URL: job.Credentials.URL, ETag: job.ETag, LastModified: job.LastModified,
		Username: job.Credentials.Username, Password: job.Credentials.Password})
	if err != nil {
		return booking.CalendarSyncResult{}, err
	}
	if got.NotModified {
		return booking.CalendarSyncResult{NotModified: true, ETag: got.ETag, LastModified: got.LastModified}, nil
	}
	ivs, err := busy.Parse(got.Body, o)
	if err != nil {
		return booking.CalendarSyncResult{}, err
	}
	return booking.CalendarSyncResult{Busy: ivs, ETag: got.ETag, LastModified: got.LastModified}, nil
}
