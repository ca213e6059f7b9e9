package site

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"consult/booking"
	"consult/web/i18n"
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
// as kind, with the domain's message, in language l: that message, except
// that a taken time points at the nearest free times offered instead,
// when there are others to offer.
func refusalText(l i18n.Lang, kind, message string, others bool, st booking.Settings) string {
	switch {
	case kind != booking.RefusedTaken:
		return domainText(l, message, st)
	case others:
		return i18n.MustT(l, "site.refusal.taken_nearest")
	default:
		return i18n.MustT(l, "site.refusal.taken_none")
	}
}

// domainText is a message of the booking domain in language l, through
// the fielderrors catalogue, which holds the domain's English sentences
// as it writes them. The two it builds with the practice's figures
// (minimum notice, horizon) are written here from those figures.
func domainText(l i18n.Lang, message string, st booking.Settings) string {
	if l != i18n.EN {
		switch {
		case strings.HasPrefix(message, "Bookings need at least ") && st.MinNotice > 0:
			return i18n.MustT(l, "site.refusal.notice", "Notice", noticeIn(l, st.MinNotice))
		case strings.HasPrefix(message, "Bookings can be made up to "):
			return i18n.MustT(l, "site.refusal.horizon", "Days", i18n.MustN(l, "count.days", st.HorizonDays))
		}
	}
	return typographic(i18n.Translate(l, fieldErrors, message))
}

// fieldErrors is the catalogue area of the domain's messages.
const fieldErrors = "fielderrors"

// noticeIn writes a minimum notice in language l: "48 Stunden".
func noticeIn(l i18n.Lang, d time.Duration) string {
	h, m := int(d/time.Hour), int((d%time.Hour+time.Minute-1)/time.Minute)
	switch {
	case h > 0 && m > 0:
		return i18n.MustT(l, "site.refusal.hours_and_minutes", "Hours", i18n.MustN(l, "site.count.hours", h), "Minutes", i18n.MustN(l, "site.count.minutes", m))
	case h > 0:
		return i18n.MustN(l, "site.count.hours", h)
	}
	return i18n.MustN(l, "site.count.minutes", m)
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
func linkNote(l i18n.Lang, err error, anyFree bool, st booking.Settings) string {
	reason := i18n.MustT(l, "site.link.no_longer_free")
	if _, message, ok := refusalOf(err); ok {
		reason = firstSentence(domainText(l, message, st))
	}
	if !anyFree {
		return reason + "."
	}
	return i18n.MustT(l, "site.link.nearest", "Reason", reason)
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
