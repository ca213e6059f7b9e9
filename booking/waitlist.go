package booking

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Parts of the day a waitlist entry can ask for, in the client's own
// zone: a time suits when its start falls in one of them.
const (
	PartMorning   = "morning"   // 05:00–12:00
	PartAfternoon = "afternoon" // 12:00–17:00
	PartEvening   = "evening"   // 17:00–23:00
)

// DayParts lists the parts of the day in order.
var DayParts = []string{PartMorning, PartAfternoon, PartEvening}

// partHours are the hours [from, to) of each part of the day.
var partHours = map[string][2]int{PartMorning: {5, 12}, PartAfternoon: {12, 17}, PartEvening: {17, 23}}

// WaitlistHold is how long an offered time is held for the entry it is
// offered to, unless the service is given another.
const WaitlistHold = 15 * time.Minute

// WaitlistConfirmWithin is how long an entry may stay unconfirmed before
// it is dropped.
const WaitlistConfirmWithin = 48 * time.Hour

// Waitlist entry statuses.
const (
	WaitlistUnconfirmed = "unconfirmed"
	WaitlistActive      = "active"
	WaitlistEnded       = "ended"
)

// WaitlistRequest is what a client asks for when no time suits them.
type WaitlistRequest struct {
	Name, Email, TimeZone string
	HourCycle             int
	Language              string // as Request.Language
	Days                  []time.Weekday
	Parts                 []string
	From, To              Date // days in the client's zone, inclusive
	Region                string
}

// WaitlistEntry is one person waiting. Name and Email are personal data.
type WaitlistEntry struct {
	ID          int64
	Name, Email string
	TimeZone    string
	HourCycle   int
	Language    string
	Days        []time.Weekday
	Parts       []string
	From, To    Date
	Region      string
	Status      string
	EndReason   string
	CreatedAt   time.Time
	ConfirmedAt *time.Time
	// Offer is the time held for the entry now, if any.
	Offer *WaitlistOffer
}

// WaitlistOffer is a time held for an entry until Expires.
type WaitlistOffer struct {
	BookingID int64
	Start     time.Time
	Expires   time.Time
}

// Suits reports whether a consultation starting at start suits e: on one
// of its days and in one of its parts of the day, in its zone, within its
// dates.
func (e WaitlistEntry) Suits(start time.Time) bool {
	loc, err := LoadZone(e.TimeZone)
	if err != nil {
		return false
	}
	t := start.In(loc)
	d := DateOf(t)
	if d.Before(e.From) || e.To.Before(d) || !slices.Contains(e.Days, t.Weekday()) {
		return false
	}
	for _, p := range e.Parts {
		if h := partHours[p]; t.Hour() >= h[0] && t.Hour() < h[1] {
			return true
		}
	}
	return false
}

// WaitlistStore keeps the waitlist.
type WaitlistStore interface {
	// JoinWaitlist stores an unconfirmed entry for e and queues its
	// confirmation request with the sealed token; an inbox with an open
	// entry, or with an upcoming booking, gets nothing new (and no error:
	// the caller must not learn which). It reports whether it stored one.
	JoinWaitlist(ctx context.Context, e WaitlistEntry, tokenHash, mailToken []byte, now time.Time) (bool, error)
	// WaitlistByToken returns the entry whose token hashes to tokenHash,
	// with its open offer. ENOTFOUND.
	WaitlistByToken(ctx context.Context, tokenHash []byte, now time.Time) (*WaitlistEntry, error)
	// ConfirmWaitlist makes an unconfirmed entry active; ECONFLICT when it
	// has ended.
	ConfirmWaitlist(ctx context.Context, tokenHash []byte, now time.Time) (*WaitlistEntry, error)
	// LeaveWaitlist ends an entry, releasing the time held for it.
	LeaveWaitlist(ctx context.Context, tokenHash []byte, reason string, now time.Time) (*WaitlistEntry, error)
	// WaitingEntries lists the active entries with no time held for them,
	// those never offered a time first in the order they joined, then
	// those whose last offer passed unclaimed, longest ago first; with the
	// times each was offered before.
	WaitingEntries(ctx context.Context, now time.Time) ([]WaitlistEntry, map[int64][]time.Time, error)
	// SweepWaitlist drops entries unconfirmed since before dropBefore and
	// ends those whose last day has passed.
	SweepWaitlist(ctx context.Context, dropBefore, now time.Time) error
	// WaitlistEnabled says whether clients may join the waitlist.
	WaitlistEnabled(ctx context.Context) (bool, error)
	// WaitlistEntryOfBooking returns the entry a held booking was offered
	// to. ENOTFOUND when it was not a waitlist offer.
	WaitlistEntryOfBooking(ctx context.Context, bookingID int64) (int64, error)
	// EndWaitlistEntry ends entry id with reason, releasing the time held
	// for it. ENOTFOUND.
	EndWaitlistEntry(ctx context.Context, id int64, reason string, now time.Time) error
}

// ErrWaitlistOff is returned when the practitioner has switched the
// waitlist off.
var ErrWaitlistOff = Errorf(ECONFLICT, "The waitlist is not open at the moment.")

// ValidateWaitlist checks r against today and horizon, both in the
// client's zone, and the places the practice serves (CheckRegion, as for
// a booking), and returns it tidied: days and parts each once, in order.
func ValidateWaitlist(r *WaitlistRequest, today Date, horizonDays int, served []string) error {
	r.Name, r.Email, r.Region = strings.TrimSpace(r.Name), strings.TrimSpace(r.Email), strings.ToUpper(strings.TrimSpace(r.Region))
	f := FieldErrors{}
	switch {
	case r.Name == "":
		f.Add("name", "Enter your name.")
	case utf8.RuneCountInString(r.Name) > MaxNameLen:
		f.Add("name", "Your name must be 100 characters or fewer.")
	case hasControl(r.Name):
		f.Add("name", "Your name contains characters we cannot accept.")
	}
	if msg := checkEmail(r.Email); msg != "" {
		f.Add("email", msg)
	}
	if _, err := CheckZone(r.TimeZone); err != nil {
		f.Add("timezone", "Choose a time zone from the list.")
	}
	var days []time.Weekday
	for d := time.Sunday; d <= time.Saturday; d++ {
		if slices.Contains(r.Days, d) {
			days = append(days, d)
		}
	}
	if len(days) == 0 {
		f.Add("days", "Choose at least one day of the week.")
	}
	var parts []string
	for _, p := range DayParts {
		if slices.Contains(r.Parts, p) {
			parts = append(parts, p)
		}
	}
	unknown := slices.ContainsFunc(r.Parts, func(p string) bool { return !slices.Contains(DayParts, p) })
	if len(parts) == 0 || unknown {
		f.Add("parts", "Choose morning, afternoon or evening.")
	}
	last := today.AddDays(horizonDays)
	switch {
	case r.From.Before(today):
		f.Add("from", "Choose today or a later day.")
	case last.Before(r.From):
		f.Add("from", fmt.Sprintf("Times are offered up to %s; choose a day until then.", last))
	}
	switch {
	case r.To.Before(r.From):
		f.Add("to", "Choose a last day on or after the first.")
	case last.Before(r.To):
		f.Add("to", fmt.Sprintf("Times are offered up to %s; choose a day until then.", last))
	}
	if msg := FieldsOf(CheckRegion(served, r.Region))["region"]; msg != "" {
		f.Add("region", msg)
	}
	r.Language = strings.ToLower(strings.TrimSpace(r.Language))
	if !ValidLanguage(r.Language) {
		f.Add("language", "Choose one of the languages: en, de, fr or es.")
	}
	r.Days, r.Parts = days, parts
	return f.Err()
}

// WeekdayCodes are the API's names of the days of the week.
var WeekdayCodes = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseWeekdays reads day codes ("mon"…); unknown ones are EINVALID (days).
func ParseWeekdays(codes []string) ([]time.Weekday, error) {
	var out []time.Weekday
	for _, c := range codes {
		i := slices.Index(WeekdayCodes, strings.ToLower(c))
		if i < 0 {
			return nil, FieldErrors{"days": "Use mon, tue, wed, thu, fri, sat or sun."}.Err()
		}
		out = append(out, time.Weekday(i))
	}
	return out, nil
}

// JoinWaitlist validates r and, unless its inbox already waits or has a
// consultation coming, stores it unconfirmed and emails the link that
// confirms it. The answer is the same either way: nobody learns from it
// whether someone is a client.
func (s *Service) JoinWaitlist(ctx context.Context, r WaitlistRequest) error {
	on, err := s.Store.WaitlistEnabled(ctx)
	if err != nil {
		return err
	}
	if !on {
		return ErrWaitlistOff
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	loc, err := CheckZone(r.TimeZone)
	if err != nil {
		loc = time.UTC // ValidateWaitlist says so at the field
	}
	now := s.Now().UTC()
	if err := ValidateWaitlist(&r, DateOf(now.In(loc)), st.HorizonDays, st.Profile.Regions); err != nil {
		return err
	}
	token, hash := NewToken()
	sealed, err := s.sealForMail(token)
	if err != nil {
		return err
	}
	e := WaitlistEntry{Name: r.Name, Email: r.Email, TimeZone: r.TimeZone, HourCycle: r.HourCycle, Language: r.Language,
		Days: r.Days, Parts: r.Parts, From: r.From, To: r.To, Region: r.Region}
	_, err = s.Store.JoinWaitlist(ctx, e, hash, sealed, now)
	return err
}

// Waitlist returns the entry of token with the time held for it.
func (s *Service) Waitlist(ctx context.Context, token string) (*WaitlistEntry, error) {
	if !ValidTokenShape(token) {
		return nil, Errorf(ENOTFOUND, "We could not find that waitlist entry.")
	}
	return s.Store.WaitlistByToken(ctx, HashToken(token), s.Now().UTC())
}

// ConfirmWaitlist confirms the entry of token: from now on it is offered
// times that suit it.
func (s *Service) ConfirmWaitlist(ctx context.Context, token string) (*WaitlistEntry, error) {
	if !ValidTokenShape(token) {
		return nil, Errorf(ENOTFOUND, "We could not find that waitlist entry.")
	}
	return s.Store.ConfirmWaitlist(ctx, HashToken(token), s.Now().UTC())
}

// LeaveWaitlist ends the entry of token; a time held for it is released.
func (s *Service) LeaveWaitlist(ctx context.Context, token string) (*WaitlistEntry, error) {
	if !ValidTokenShape(token) {
		return nil, Errorf(ENOTFOUND, "We could not find that waitlist entry.")
	}
	return s.Store.LeaveWaitlist(ctx, HashToken(token), "left", s.Now().UTC())
}

// IsWaitlistOffer reports whether booking b is a time held for a waitlist
// entry.
func (s *Service) IsWaitlistOffer(ctx context.Context, b *Booking) (bool, error) {
	_, err := s.Store.WaitlistEntryOfBooking(ctx, b.ID)
	if ErrorCode(err) == ENOTFOUND {
		return false, nil
	}
	return err == nil, err
}

// LeaveWaitlistByOffer ends the waitlist entry that the held time of
// manage token was offered to, and releases the time.
func (s *Service) LeaveWaitlistByOffer(ctx context.Context, token string) error {
	b, err := s.ByToken(ctx, token)
	if err != nil {
		return err
	}
	id, err := s.Store.WaitlistEntryOfBooking(ctx, b.ID)
	if err != nil {
		return err
	}
	return s.Store.EndWaitlistEntry(ctx, id, "left", s.Now().UTC())
}

// OfferWaitlist offers free times to the waiting entries, in the order
// they joined: each gets the earliest free time that suits it and was not
// offered to it before, held for it for the hold time, with an email whose
// link books it. A time held for one entry is free for no one else, so no
// time is ever offered to two people at once, on any number of instances.
// It returns how many offers it made.
func (s *Service) OfferWaitlist(ctx context.Context) (int, error) {
	on, err := s.Store.WaitlistEnabled(ctx)
	if err != nil || !on {
		return 0, err
	}
	now := s.Now().UTC()
	if err := s.Store.SweepWaitlist(ctx, now.Add(-WaitlistConfirmWithin), now); err != nil {
		return 0, err
	}
	entries, offered, err := s.Store.WaitingEntries(ctx, now)
	if err != nil || len(entries) == 0 {
		return 0, err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return 0, err
	}
	slots, _, err := s.Slots(ctx, now, now.AddDate(0, 0, st.HorizonDays+2))
	if err != nil {
		return 0, err
	}
	taken := map[time.Time]bool{}
	n := 0
	for _, e := range entries {
		for _, slot := range slots {
			if taken[slot.Start] || slices.ContainsFunc(offered[e.ID], slot.Start.Equal) || !e.Suits(slot.Start) {
				continue
			}
			err := s.offer(ctx, e, slot.Start)
			if err == nil {
				taken[slot.Start] = true
				n++
				break
			}
			if errors.Is(err, ErrClientLimit) || ErrorCode(err) == ENOTFOUND {
				break // the entry ended meanwhile, or its inbox may not book now
			}
			if ErrorCode(err) != ECONFLICT {
				return n, err
			}
			taken[slot.Start] = true // taken meanwhile: try the next time
		}
	}
	return n, nil
}

// offer holds start for e and queues the offer email.
func (s *Service) offer(ctx context.Context, e WaitlistEntry, start time.Time) error {
	st, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	token, tokenHash := NewToken()
	nb := NewBooking{Start: start, End: start.Add(st.SlotLength), Name: e.Name, Email: e.Email,
		TimeZone: e.TimeZone, HourCycle: e.HourCycle, Language: e.Language, TokenHash: tokenHash, Now: s.Now().UTC(), Limits: s.limits,
		HoldUntil: s.Now().UTC().Add(s.waitlistHold).Truncate(time.Second), WaitlistEntry: e.ID,
		Mode: offerMode(st.Profile.Modes), Region: e.Region}
	if nb.Mode == ModeVideo {
		nb.VideoLink = videoLinkFor(st.Profile.Modes.Video)
	}
	if nb.MailToken, err = s.sealForMail(token); err != nil {
		return err
	}
	_, err = s.Store.CreateBooking(ctx, nb, s.checkSlot(nb.Start, nb.End))
	return err
}

// Describe writes e's wishes in words: "Mondays and Wednesdays, mornings
// or evenings, 8 Dec 2026 to 31 Dec 2026, Berlin time".
func (e WaitlistEntry) Describe(place string) string {
	names := map[time.Weekday]string{time.Sunday: "Sundays", time.Monday: "Mondays", time.Tuesday: "Tuesdays",
		time.Wednesday: "Wednesdays", time.Thursday: "Thursdays", time.Friday: "Fridays", time.Saturday: "Saturdays"}
	var days []string
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	switch {
	case len(e.Days) == 7:
		days = []string{"Any day"}
	case slices.Equal(e.Days, weekdays):
		days = []string{"Weekdays"}
	case slices.Equal(e.Days, []time.Weekday{time.Sunday, time.Saturday}):
		days = []string{"Weekends"}
	default:
		for _, d := range e.Days {
			days = append(days, names[d])
		}
	}
	parts := slices.Clone(e.Parts)
	for i := range parts {
		parts[i] += "s"
	}
	if len(parts) == len(DayParts) {
		parts = []string{"any time of day"}
	}
	date := func(d Date) string {
		return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Format("Mon 2 Jan 2006")
	}
	return fmt.Sprintf("%s, %s, %s to %s, %s time", JoinWords(days, "and"), JoinWords(parts, "or"), date(e.From), date(e.To), place)
}

// JoinWords joins words as a sentence lists them: "a, b and c", conj
// being the language's "and" or "or".
func JoinWords(words []string, conj string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + conj + " " + words[len(words)-1]
}

// WaitlistAdminStore is the waitlist as the practitioner runs it.
type WaitlistAdminStore interface {
	// Waitlist lists the entries not ended, in the order they joined.
	Waitlist(ctx context.Context) ([]WaitlistEntry, error)
	// WaitlistCount counts the confirmed entries waiting.
	WaitlistCount(ctx context.Context) (int, error)
	// SetWaitlistEnabled switches the waitlist on or off; off releases
	// the times held for entries.
	SetWaitlistEnabled(ctx context.Context, on bool, now time.Time) error
}

// Waitlist lists the people waiting, a view of client data recorded first.
func (a *Admin) Waitlist(ctx context.Context, who Actor) ([]WaitlistEntry, error) {
	es, err := a.store.Waitlist(ctx)
	if err != nil || len(es) == 0 {
		return es, err
	}
	if err := a.Record(ctx, who, "waitlist.view", fmt.Sprintf("entries:%d", len(es))); err != nil {
		return nil, err
	}
	return es, nil
}

// RemoveWaitlistEntry takes entry id off the waitlist, releasing the time
// held for it. ENOTFOUND.
func (a *Admin) RemoveWaitlistEntry(ctx context.Context, who Actor, id int64) error {
	return a.change(ctx, who, "waitlist.remove", func(tx AdminStore, now time.Time) (string, error) {
		return fmt.Sprintf("waitlist:%d", id), tx.EndWaitlistEntry(ctx, id, "removed", now)
	})
}

// SetWaitlist switches the waitlist on or off.
func (a *Admin) SetWaitlist(ctx context.Context, who Actor, on bool) error {
	action := "waitlist.off"
	if on {
		action = "waitlist.on"
	}
	return a.change(ctx, who, action, func(tx AdminStore, now time.Time) (string, error) {
		return "waitlist", tx.SetWaitlistEnabled(ctx, on, now)
	})
}

// offerMode is how an offered time is to happen: the waitlist does not ask,
// so a video call where the practice offers one, else in person; the
// client can change it from the booking's page once booked. A practice
// that meets by phone only gets none, as no number was asked for.
func offerMode(m Modes) Mode {
	for _, mode := range []Mode{ModeVideo, ModeInPerson} {
		if m.Offers(mode) {
			return mode
		}
	}
	return ""
}
