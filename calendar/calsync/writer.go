package calsync

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"

	"consult/booking"
	"consult/calendar"
	"consult/calendar/fetch"
)

// WriteStore is what the writer needs of the database (*storage.Store).
type WriteStore interface {
	ClaimCalendarWrites(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]booking.CalendarWrite, error)
	FinishCalendarWrite(ctx context.Context, id int64, errMsg string, now, retryAt time.Time) error
	CalendarWriteTarget(ctx context.Context, sourceID int64) (booking.CalendarCredentials, error)
	BookingByID(ctx context.Context, id int64) (*booking.Booking, error)
	WrittenBookings(ctx context.Context, sourceID int64) ([]int64, error)
}

// Writer carries out the queued writes of bookings into the
// practitioner's CalDAV calendars: each confirmed booking is written as
// an event under a UID of its own (booking.OwnEventUIDFor), rewritten
// when it moves, and removed once cancelled. A write that fails is tried
// again later, with a growing wait, so bookings survive the calendar
// server's outages; writing the same booking twice leaves one event.
type Writer struct {
	store    WriteStore
	fetcher  *fetch.Fetcher
	practice func(ctx context.Context) (calendar.Practice, bool, error)
	now      func() time.Time
	logger   *slog.Logger
}

// writeAttempts bounds the tries of one write (about two days with the
// waits of retryWait).
const writeAttempts = 16

// NewWriter returns a Writer; practice gives what the written events
// show (the practice's name and event title) and whether the
// practitioner chose full details over initials.
func NewWriter(store WriteStore, fetcher *fetch.Fetcher, practice func(ctx context.Context) (calendar.Practice, bool, error), now func() time.Time, logger *slog.Logger) *Writer {
	return &Writer{store: store, fetcher: fetcher, practice: practice, now: now, logger: logger}
}

// Run carries out due writes every 15 seconds until ctx ends; it returns
// nil then. Several instances may run it at once.
func (w *Writer) Run(ctx context.Context) error {
	for {
		if _, err := w.WriteDue(ctx); err != nil && ctx.Err() == nil {
			w.logger.Warn("calendar writes", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(15 * time.Second):
		}
	}
}

// WriteDue carries out the writes due now and returns how many it tried.
func (w *Writer) WriteDue(ctx context.Context) (int, error) {
	jobs, err := w.store.ClaimCalendarWrites(ctx, w.now(), 2*time.Minute, 20)
	if err != nil {
		return 0, err
	}
	for _, job := range jobs {
		msg := ""
		// Each write ends within its lease.
		wctx, cancel := context.WithTimeout(ctx, 90*time.Second)
		err := w.write(wctx, job)
		cancel()
		if err != nil {
			msg = Message(err)
			w.logger.Info("calendar write failed", "source", job.SourceID, "booking", job.BookingID, "reason", msg)
		}
		now := w.now()
		retry := time.Time{}
		if msg != "" && job.Attempts < writeAttempts {
			retry = now.Add(retryWait(job.Attempts))
		}
		if err := w.store.FinishCalendarWrite(context.WithoutCancel(ctx), job.ID, msg, now, retry); err != nil {
			return len(jobs), err
		}
	}
	return len(jobs), nil
}

// retryWait is the wait after the n-th failed try: a minute, doubling,
// at most six hours.
func retryWait(n int) time.Duration {
	d := time.Minute << min(n-1, 9)
	return min(d, 6*time.Hour)
}

func (w *Writer) write(ctx context.Context, job booking.CalendarWrite) error {
	target, err := w.store.CalendarWriteTarget(ctx, job.SourceID)
	if booking.ErrorCode(err) == booking.ENOTFOUND {
		return nil // unlinked, or no longer takes bookings: nothing to do
	}
	if err != nil {
		return err
	}
	b, err := w.store.BookingByID(ctx, job.BookingID)
	gone := booking.ErrorCode(err) == booking.ENOTFOUND
	if err != nil && !gone {
		return err
	}
	hc := &davHTTP{c: w.fetcher.Client(), max: w.fetcher.MaxBody()}
	c, err := caldav.NewClient(webdav.HTTPClientWithBasicAuth(hc, target.Username, target.Password), target.URL)
	if err != nil {
		return fetch.ErrURL
	}
	paths, err := calendarPaths(ctx, c, target.URL)
	if err != nil {
		return hc.explain(err)
	}
	path := objectPath(paths[0], job.BookingID)
	if gone || !holdsTime(b.Status) {
		if err := c.RemoveAll(ctx, path); err != nil {
			if hc.lastStatus() == http.StatusNotFound {
				return nil // never written, or removed already
			}
			return hc.explain(err)
		}
		return nil
	}
	p, full, err := w.practice(ctx)
	if err != nil {
		return err
	}
	obj, err := calendar.BookingObject(p, *b, booking.OwnEventUIDFor(b.ID), full, w.now())
	if err != nil {
		return err
	}
	if _, err := c.PutCalendarObject(ctx, path, obj); err != nil {
		return hc.explain(err)
	}
	return nil
}

// holdsTime reports whether a booking in status st keeps its time.
func holdsTime(st booking.Status) bool {
	return st == booking.StatusConfirmed || st == booking.StatusCompleted || st == booking.StatusNoShow
}

func (d *davHTTP) lastStatus() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.status
}

// RemoveWritten removes from source id's calendar every event written
// for a booking, as the practitioner unlinks it, and returns how many it
// removed. Events already gone count as removed.
func (w *Writer) RemoveWritten(ctx context.Context, sourceID int64) (int, error) {
	target, err := w.store.CalendarWriteTarget(ctx, sourceID)
	if booking.ErrorCode(err) == booking.ENOTFOUND {
		return 0, nil // takes no bookings
	}
	if err != nil {
		return 0, err
	}
	ids, err := w.store.WrittenBookings(ctx, sourceID)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	hc := &davHTTP{c: w.fetcher.Client(), max: w.fetcher.MaxBody()}
	c, err := caldav.NewClient(webdav.HTTPClientWithBasicAuth(hc, target.Username, target.Password), target.URL)
	if err != nil {
		return 0, fetch.ErrURL
	}
	paths, err := calendarPaths(ctx, c, target.URL)
	if err != nil {
		return 0, hc.explain(err)
	}
	n := 0
	for _, id := range ids {
		if err := c.RemoveAll(ctx, objectPath(paths[0], id)); err != nil && hc.lastStatus() != http.StatusNotFound {
			return n, hc.explain(err)
		}
		n++
	}
	return n, nil
}

// objectPath is where the event of booking id is written in calendar.
func objectPath(calendar string, id int64) string {
	return strings.TrimSuffix(calendar, "/") + "/" + strings.NewReplacer("@", "-", ".", "-").Replace(booking.OwnEventUIDFor(id)) + ".ics"
}

// Calendars is the syncer and the writer together, as the admin area and
// API use them: Sync reads a calendar now, RemoveWritten clears the
// bookings written into one being unlinked (none without a writer).
type Calendars struct {
	*Syncer
	Writer *Writer
}

// RemoveWritten implements the admin area's unlinking; its error is a
// domain error whose message is safe to show.
func (c Calendars) RemoveWritten(ctx context.Context, sourceID int64) (int, error) {
	if c.Writer == nil {
		return 0, nil
	}
	n, err := c.Writer.RemoveWritten(ctx, sourceID)
	if err != nil {
		return n, &booking.Error{Code: booking.EUNAVAILABLE, Message: Message(err), Err: err}
	}
	return n, nil
}
