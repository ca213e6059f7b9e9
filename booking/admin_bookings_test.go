package booking_test

import (
	"testing"
	"time"

	"consult/booking"
)

// TestBookingStatusRules: the practitioner cancels only a confirmed
// booking that has not started, and marks how one went only once it has
// started and unless it was cancelled.
func TestBookingStatusRules(t *testing.T) {
	now := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		status             booking.Status
		start              time.Time
		cancel, markResult string // "" allowed, else the refusal
	}{
		{booking.StatusConfirmed, now.Add(time.Minute), "", "A consultation can be marked only once it has started."},
		{booking.StatusConfirmed, now, "This consultation has already taken place; mark it completed or no-show instead.", ""},
		{booking.StatusConfirmed, now.Add(-time.Hour), "This consultation has already taken place; mark it completed or no-show instead.", ""},
		{booking.StatusCancelled, now.Add(time.Hour), "Only a confirmed booking can be cancelled.", "A cancelled booking cannot be marked."},
		{booking.StatusCancelled, now.Add(-time.Hour), "Only a confirmed booking can be cancelled.", "A cancelled booking cannot be marked."},
		{booking.StatusNoShow, now.Add(-time.Hour), "Only a confirmed booking can be cancelled.", ""},
		{booking.StatusCompleted, now.Add(-time.Hour), "Only a confirmed booking can be cancelled.", ""},
	} {
		b := booking.Booking{Status: c.status, Start: c.start, End: c.start.Add(20 * time.Minute)}
		for _, r := range []struct {
			rule string
			err  error
			want string
		}{
			{"cancel", booking.CheckAdminCancel(b, now), c.cancel},
			{"mark", booking.CheckOutcome(b, now), c.markResult},
		} {
			switch {
			case r.want == "" && r.err != nil:
				t.Errorf("%s a %s booking starting %v: %v, want allowed", r.rule, c.status, c.start.Sub(now), r.err)
			case r.want != "" && (booking.ErrorCode(r.err) != booking.ECONFLICT || booking.ErrorMessage(r.err) != r.want):
				t.Errorf("%s a %s booking starting %v: %v, want ECONFLICT %q", r.rule, c.status, c.start.Sub(now), r.err, r.want)
			}
		}
	}
}

func TestValidAdminLanguage(t *testing.T) {
	for code, want := range map[string]bool{"en": true, "de": true, "fr": false, "": false, "DE": false, "de-DE": false} {
		if got := booking.ValidAdminLanguage(code); got != want {
			t.Errorf("booking.ValidAdminLanguage(%q) = %v, want %v", code, got, want)
		}
	}
}
