package booking

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"slices"
	"time"
)

// Service is the booking use-cases shared by the JSON API and the pages:
// listing free slots, booking, and managing a booking by its token.
type Service struct {
	Store Store
	Now   func() time.Time
	// limits bound how much one email address may book; checked inside
	// the booking transaction so concurrent requests cannot slip past.
	limits ClientLimits
	// sealer, when set, seals manage tokens for the emails a change
	// queues, so they can carry the client's private link.
	sealer TokenSealer
	// holdFor, when set, is how long Hold keeps a time for a client to
	// confirm by email.
	holdFor time.Duration
	// waitlistHold is how long a time offered to a waitlist entry is held.
	waitlistHold time.Duration
}

// Option configures a Service in NewService.
type Option func(*Service)

// WithSealer has the service seal each manage token it hands out for the
// emails the change queues, so they can carry the client's private link.
// Without it those emails leave the link out.
func WithSealer(sealer TokenSealer) Option {
	return func(s *Service) { s.sealer = sealer }
}

// WithLimits sets how much one email address may book (no limit
// without it).
func WithLimits(limits ClientLimits) Option {
	return func(s *Service) { s.limits = limits }
}

// WithConfirmByEmail has bookings confirmed by email: Hold keeps the time
// for holdFor while the client follows the link emailed to them.
func WithConfirmByEmail(holdFor time.Duration) Option {
	return func(s *Service) { s.holdFor = holdFor }
}

// WithWaitlistHold sets how long a time offered to a waitlist entry is
// held for it (WaitlistHold without this option).
func WithWaitlistHold(d time.Duration) Option {
	return func(s *Service) { s.waitlistHold = d }
}

// ConfirmsByEmail reports whether bookings are held until the client
// confirms them by email (Hold) rather than made at once (Book).
func (s *Service) ConfirmsByEmail() bool { return s.holdFor > 0 }

// Sealer returns the sealer of manage tokens for email (WithSealer), or
// nil without one.
func (s *Service) Sealer() TokenSealer { return s.sealer }

// NewService returns a Service on store using now as its clock.
func NewService(store Store, now func() time.Time, opts ...Option) *Service {
	s := &Service{Store: store, Now: now, waitlistHold: WaitlistHold}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// MaxIdempotencyKeyLen bounds the Idempotency-Key a client may send.
const MaxIdempotencyKeyLen = 200

// Slots returns the free slots starting in [from, to) and the settings they
// were computed with.
func (s *Service) Slots(ctx context.Context, from, to time.Time) ([]Slot, Settings, error) {
	if !from.Before(to) {
		return nil, Settings{}, Errorf(EINVALID, "The end of the range must be after its start.")
	}
	sched, busy, err := s.load(ctx, from, to)
	if err != nil {
		return nil, Settings{}, err
	}
	slots, err := FreeSlots(sched, busy, from, to, s.Now())
	return slots, sched.Settings, err
}

// SlotsAround is Slots as they would be with the booking holding
// [own.Start, own.End) moved away: its neighbours within the buffer are
// free, its own start is not listed. For the practitioner moving it.
func (s *Service) SlotsAround(ctx context.Context, from, to time.Time, own Interval) ([]Slot, error) {
	if !from.Before(to) {
		return nil, Errorf(EINVALID, "The end of the range must be after its start.")
	}
	sched, busy, err := s.load(ctx, from, to)
	if err != nil {
		return nil, err
	}
	if i := slices.IndexFunc(busy, func(b Interval) bool { return b.Start.Equal(own.Start) && b.End.Equal(own.End) }); i >= 0 {
		busy = slices.Delete(busy, i, i+1)
	}
	slots, err := FreeSlots(sched, busy, from, to, s.Now())
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(slots, func(sl Slot) bool { return sl.Start.Equal(own.Start) }), nil
}

// SlotInputs returns what the slots of [from, to) are computed from
// (FreeSlots): the schedule and the busy times of SpanFor(from, to), in
// one read. The slots API keeps them with its copy of the horizon's
// slots, to compute again the days a booking made here changes without
// reading them again.
func (s *Service) SlotInputs(ctx context.Context, from, to time.Time) (Schedule, []Interval, error) {
	return s.load(ctx, from, to)
}

// Settings returns the practice's current settings.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	today := DateOf(s.Now().UTC())
	sched, err := s.Store.Schedule(ctx, today, today)
	return sched.Settings, err
}

// scheduleBusyReader is a Store that reads a schedule and busy intervals
// in one round trip, as Schedule and Busy would.
type scheduleBusyReader interface {
	ScheduleAndBusy(ctx context.Context, from, to Date, busyFrom, busyTo time.Time) (Schedule, []Interval, error)
}

// load reads what FreeSlots needs for [from, to): its SpanFor.
func (s *Service) load(ctx context.Context, from, to time.Time) (Schedule, []Interval, error) {
	span := SpanFor(from, to)
	if r, ok := s.Store.(scheduleBusyReader); ok {
		return r.ScheduleAndBusy(ctx, span.FirstDay, span.LastDay, span.BusyFrom, span.BusyTo)
	}
	sched, err := s.Store.Schedule(ctx, span.FirstDay, span.LastDay)
	if err != nil {
		return Schedule{}, nil, err
	}
	busy, err := s.Store.Busy(ctx, span.BusyFrom, span.BusyTo)
	if err != nil {
		return Schedule{}, nil, err
	}
	return sched, busy, nil
}

// Book validates req and books its slot. It returns the booking and its
// manage token, which is shown to the client once and never stored. With
// an idempotency key, a repeat of the same request returns the same
// booking and token; the same key with another request is EINVALID.
func (s *Service) Book(ctx context.Context, req Request, idemKey string) (*Booking, string, error) {
	return s.book(ctx, req, idemKey, time.Time{})
}

// Hold validates req and holds its slot until the client confirms it by
// the link emailed to them, and returns when the hold expires. The answer
// is the same whether the email is new, already a client's, or over a
// limit: the truth goes only to the inbox, so that nobody can learn from
// this form whether someone is a client of the practice. A refused time
// is still said, as it tells nothing about anyone.
func (s *Service) Hold(ctx context.Context, req Request, idemKey string) (time.Time, error) {
	until := s.Now().UTC().Add(s.holdFor).Truncate(time.Second)
	b, _, err := s.book(ctx, req, idemKey, until)
	if errors.Is(err, ErrClientLimit) {
		return until, s.Store.QueueLimitNotice(ctx, req.Email, s.Now())
	}
	if err != nil {
		return time.Time{}, err
	}
	if b.HoldExpires != nil {
		return *b.HoldExpires, nil
	}
	return until, nil // a repeated request for a hold confirmed since
}

// Confirm confirms the held booking of token, which the client received
// by email. A booking confirmed already is returned as it is.
func (s *Service) Confirm(ctx context.Context, token string) (*Booking, error) {
	sealed, err := s.sealForMail(token)
	if err != nil {
		return nil, err
	}
	return s.Store.ConfirmHold(ctx, HashToken(token), s.Now().UTC(), sealed)
}

// book is Book, or with hold set Hold's booking held until then.
func (s *Service) book(ctx context.Context, req Request, idemKey string, hold time.Time) (*Booking, string, error) {
	req.Normalize()
	if len(idemKey) > MaxIdempotencyKeyLen {
		return nil, "", &Error{Code: EINVALID, Message: "The Idempotency-Key header is too long.",
			Fields: map[string]string{"Idempotency-Key": "Use at most 200 characters."}}
	}
	if err := req.Validate(); err != nil {
		return nil, "", err
	}
	reqHash := req.hash()
	if idemKey != "" {
		if b, token, err := s.replay(ctx, idemKey, reqHash); err == nil || ErrorCode(err) != ENOTFOUND {
			return b, token, err
		}
	}
	// A first look without the booking lock: a time already taken is
	// refused here, so a crowd racing for one slot does not queue on the
	// lock only to be refused there. The decisive check runs again inside
	// the store's transaction.
	// A time the caller saw free is not looked at twice (see SeenFree).
	start := req.Start.UTC()
	settings, seen := seenFreeAt(ctx, start)
	if !seen {
		sched, busy, err := s.load(ctx, start, start.Add(time.Hour))
		if err != nil {
			return nil, "", err
		}
		settings = sched.Settings
		if err := s.checkSlot(start, start.Add(settings.SlotLength))(sched, busy); err != nil {
			if idemKey != "" {
				// A concurrent request with the same key may have just taken it.
				if b, token, rerr := s.replay(ctx, idemKey, reqHash); rerr == nil || ErrorCode(rerr) != ENOTFOUND {
					return b, token, rerr
				}
			}
			return nil, "", err
		}
	}
	if req.TimeZone == "" {
		req.TimeZone = settings.TimeZone
	}
	mode, err := ChooseMode(settings.Profile.Modes, req.Mode, req.Phone)
	if err != nil {
		return nil, "", err
	}
	if err := CheckRegion(settings.Profile.Regions, req.Region); err != nil {
		return nil, "", err
	}
	answers, err := CheckAnswers(settings.Profile.Questions, req.Answers)
	if err != nil {
		return nil, "", err
	}
	token, tokenHash := NewToken()
	nb := NewBooking{
		Start: req.Start.UTC(), End: req.Start.UTC().Add(settings.SlotLength),
		Name: req.Name, Email: req.Email, Phone: req.Phone, Note: req.Note,
		TimeZone: req.TimeZone, HourCycle: req.HourCycle, Language: req.Language, Network: NetworkOf(req.Address), TokenHash: tokenHash, Now: s.Now().UTC(), Limits: s.limits,
		HoldUntil: hold, Mode: mode, Region: req.Region, Answers: answers,
	}
	if mode == ModeVideo {
		nb.VideoLink = videoLinkFor(settings.Profile.Modes.Video)
	}
	if nb.MailToken, err = s.sealForMail(token); err != nil {
		return nil, "", err
	}
	if idemKey != "" {
		sealed, err := sealToken(idemKey, reqHash, token)
		if err != nil {
			return nil, "", err
		}
		nb.Idempotency = &IdempotencyRecord{KeyHash: HashToken(idemKey), RequestHash: reqHash, SealedToken: sealed}
	}
	b, err := s.Store.CreateBooking(ctx, nb, s.checkSlot(nb.Start, nb.End))
	if err != nil && idemKey != "" && ErrorCode(err) == ECONFLICT {
		// A concurrent request with the same key may have won the race.
		if b, token, rerr := s.replay(ctx, idemKey, reqHash); rerr == nil || ErrorCode(rerr) != ENOTFOUND {
			return b, token, rerr
		}
	}
	if err != nil {
		return nil, "", err
	}
	return b, token, nil
}

// replay returns the booking made earlier under idemKey, ENOTFOUND when the
// key is new, or EINVALID when it was used for a different request.
func (s *Service) replay(ctx context.Context, idemKey string, reqHash []byte) (*Booking, string, error) {
	rec, err := s.Store.Idempotency(ctx, HashToken(idemKey), s.Now())
	if err != nil {
		return nil, "", err
	}
	if string(rec.RequestHash) != string(reqHash) {
		return nil, "", &Error{Code: EINVALID,
			Message: "This Idempotency-Key was already used for a different request.",
			Fields:  map[string]string{"Idempotency-Key": "Use a new key for a new request."}}
	}
	token, err := unsealToken(idemKey, reqHash, rec.SealedToken)
	if err != nil {
		return nil, "", &Error{Code: EINTERNAL, Message: "stored idempotent booking could not be read", Err: err}
	}
	b, err := s.Store.BookingByID(ctx, rec.BookingID)
	return b, token, err
}

// checkSlot returns the rule check run inside the store's transaction.
func (s *Service) checkSlot(start, end time.Time) CheckFunc {
	return func(sched Schedule, busy []Interval) error {
		if !start.Add(sched.Settings.SlotLength).Equal(end) {
			return refused(RefusedTaken, "That time is no longer available. Please choose another time.")
		}
		return CheckSlot(sched, busy, start, s.Now())
	}
}

// ByToken returns the booking a manage token belongs to.
func (s *Service) ByToken(ctx context.Context, token string) (*Booking, error) {
	if !ValidTokenShape(token) {
		return nil, Errorf(ENOTFOUND, "We could not find that booking.")
	}
	return s.Store.BookingByToken(ctx, HashToken(token))
}

// Cancel cancels the booking a manage token belongs to. Only upcoming,
// confirmed bookings can be cancelled: checked on the booking as the
// store locks it, which a first read outside the store's transaction
// only repeated.
func (s *Service) Cancel(ctx context.Context, token string) (*Booking, error) {
	if !ValidTokenShape(token) {
		return nil, Errorf(ENOTFOUND, "We could not find that booking.")
	}
	now := s.Now()
	return s.Store.CancelBooking(ctx, HashToken(token), now.UTC(), func(b *Booking) error { return upcomingAt(b, now) })
}

// Reschedule moves the booking a manage token belongs to onto another free
// slot starting at start.
func (s *Service) Reschedule(ctx context.Context, token string, start time.Time) (*Booking, error) {
	if start.IsZero() {
		return nil, FieldErrors{"start": "Choose a new time."}.Err()
	}
	b, err := s.upcoming(ctx, token)
	if err != nil {
		return nil, err
	}
	start = start.UTC()
	end := start.Add(b.End.Sub(b.Start))
	if start.Equal(b.Start) {
		return nil, Errorf(ECONFLICT, "Your consultation is already at that time.")
	}
	mailToken, err := s.sealForMail(token)
	if err != nil {
		return nil, err
	}
	return s.Store.RescheduleBooking(ctx, HashToken(token), start, end, s.Now().UTC(), s.checkSlot(start, end), mailToken)
}

// Change reschedules the booking a manage token belongs to: to start (zero
// keeps its time) and to mode ("" keeps it). Both are checked before
// either is changed; see Reschedule and ChangeMode.
func (s *Service) Change(ctx context.Context, token string, start time.Time, mode Mode) (*Booking, error) {
	if mode == "" {
		return s.Reschedule(ctx, token, start)
	}
	b, err := s.upcoming(ctx, token)
	if err != nil {
		return nil, err
	}
	if start.IsZero() || start.Equal(b.Start) {
		if mode == b.Mode {
			return b, nil
		}
		return s.ChangeMode(ctx, token, mode)
	}
	if mode != b.Mode {
		if err := s.checkModeChange(ctx, b, mode); err != nil {
			return nil, err
		}
	}
	b, err = s.Reschedule(ctx, token, start)
	if err != nil || mode == b.Mode {
		return b, err
	}
	return s.ChangeMode(ctx, token, mode)
}

// checkModeChange returns the EINVALID error ChangeMode would for b.
func (s *Service) checkModeChange(ctx context.Context, b *Booking, mode Mode) error {
	st, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	if !st.Profile.Modes.Offers(mode) {
		return FieldErrors{"mode": "Choose one of the ways of meeting offered."}.Err()
	}
	if mode == ModePhone && b.Phone == "" {
		return FieldErrors{"mode": "A phone call needs your phone number: please book again with it, or choose another way."}.Err()
	}
	return nil
}

// ChangeMode changes how the booking a manage token belongs to happens: a
// part of rescheduling. A video call gets a room (a new one under a base
// URL); a phone call needs the booking's phone number. EINVALID (mode,
// phone); ECONFLICT when the booking is not upcoming or already so.
func (s *Service) ChangeMode(ctx context.Context, token string, mode Mode) (*Booking, error) {
	b, err := s.upcoming(ctx, token)
	if err != nil {
		return nil, err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	if mode == b.Mode {
		return nil, Errorf(ECONFLICT, "Your consultation already happens that way.")
	}
	if err := s.checkModeChange(ctx, b, mode); err != nil {
		return nil, err
	}
	link := ""
	if mode == ModeVideo {
		link = videoLinkFor(st.Profile.Modes.Video)
	}
	mailToken, err := s.sealForMail(token)
	if err != nil {
		return nil, err
	}
	return s.Store.ChangeBookingMode(ctx, HashToken(token), mode, link, s.Now().UTC(), mailToken)
}

// sealForMail seals token for the outbox, or returns nil without a sealer.
func (s *Service) sealForMail(token string) ([]byte, error) {
	if s.sealer == nil {
		return nil, nil
	}
	sealed, err := s.sealer.SealToken(token)
	if err != nil {
		return nil, &Error{Code: EINTERNAL, Message: "manage token could not be sealed for email", Err: err}
	}
	return sealed, nil
}

// upcoming returns the booking for token if it is confirmed and has not started.
func (s *Service) upcoming(ctx context.Context, token string) (*Booking, error) {
	b, err := s.ByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	if err := upcomingAt(b, s.Now()); err != nil {
		return nil, err
	}
	return b, nil
}

// upcomingAt refuses, at now, a booking that is not confirmed or has
// started.
func upcomingAt(b *Booking, now time.Time) error {
	switch {
	case b.Status != StatusConfirmed:
		return Errorf(ECONFLICT, "This consultation has been cancelled.")
	case !b.Start.After(now):
		return Errorf(ECONFLICT, "This consultation has already started or taken place.")
	}
	return nil
}

// hash identifies a request's content for idempotency checks.
func (r Request) hash() []byte {
	data, err := json.Marshal(struct {
		Start                              time.Time
		Name, Email, Phone, Note, TimeZone string
		Mode                               Mode     `json:",omitempty"`
		Region                             string   `json:",omitempty"`
		Answers                            []string `json:",omitempty"`
	}{r.Start.UTC(), r.Name, r.Email, r.Phone, r.Note, r.TimeZone, r.Mode, r.Region, r.Answers})
	if err != nil {
		panic(errors.New("booking: marshal request: " + err.Error()))
	}
	h := sha256.Sum256(data)
	return h[:]
}
