package site

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"consult/booking"
)

// takenText is what the pages say of a time someone else booked first,
// above the nearest free times they offer instead.
const (
	takenText       = "That time has just been booked by someone else. Choose one of the nearest free times below, or another day."
	takenNoneText   = "That time has just been booked by someone else, and there are no other free times at the moment."
	nearestFreeText = "; here are the nearest free times."
)

// refusalOf reads a refused time out of err: which rule refused it and
// the domain's sentence for it. ok is false for any other error.
func refusalOf(err error) (kind, message string, ok bool) {
	var de *booking.Error
	if !errors.As(err, &de) || de.Kind == "" {
		return "", "", false
	}
	return de.Kind, de.Message, true
}

// refusalText is the sentence shown beside the picker for a time refused
// as kind, with the domain's message: that message, except that a taken
// time points at the nearest free times offered instead, when there are
// others to offer.
func refusalText(kind, message string, others bool) string {
	switch {
	case kind != booking.RefusedTaken:
		return typographic(message)
	case others:
		return takenText
	default:
		return takenNoneText
	}
}

// refusalStatus is the status of a page showing a refusal of kind: 409
// for a time someone else holds, 422 for a rule the client can act on.
func refusalStatus(kind string) int {
	if kind == booking.RefusedTaken {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// linkNote is the note over the nearest free times when a link's time is
// not bookable: the reason, the first sentence of the domain's message
// ("That time has already passed"), and then "here are the nearest free
// times" when there are any to offer.
func linkNote(err error, anyFree bool) string {
	reason := "That time is no longer available"
	if _, message, ok := refusalOf(err); ok {
		reason = typographic(firstSentence(message))
	}
	if !anyFree {
		return reason + "."
	}
	return reason + nearestFreeText
}

// typographic gives the domain's plain apostrophes ("12 hours' notice")
// the curly form the pages' own text uses.
func typographic(message string) string { return strings.ReplaceAll(message, "'", "’") }

// firstSentence is message up to its first full stop, without it.
func firstSentence(message string) string {
	if i := strings.Index(message, ". "); i >= 0 {
		return message[:i]
	}
	return strings.TrimSuffix(message, ".")
}

// refusalAt says why start cannot be booked now (nil when it can), by the
// same rules, on the same data, as booking it would. It serves a link to
// a time that is not free, which is rare: the free slots already loaded
// do not say why a time is missing from them.
func (h *Handler) refusalAt(ctx context.Context, start time.Time) error {
	span := booking.SpanFor(start, start.Add(time.Hour))
	sched, err := h.svc.Store.Schedule(ctx, span.FirstDay, span.LastDay)
	if err != nil {
		return err
	}
	busy, err := h.svc.Store.Busy(ctx, span.BusyFrom, span.BusyTo)
	if err != nil {
		return err
	}
	return booking.CheckSlot(sched, busy, start, h.svc.Now())
}
