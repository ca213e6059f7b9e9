package storage

import (
	"context"
	"testing"
	"time"

	"consult/booking"
)

// A booking keeps the language its client read the site in, so the
// emails sent later are written in it; none given reads back as none.
func TestBookingKeepsTheClientsLanguage(t *testing.T) {
	ctx := context.Background()
	s := newOutboxStore(t)
	for i, lang := range []string{"de", ""} {
		_, hash := booking.NewToken()
		start := outboxNow.Add(time.Duration(24*(i+1)) * time.Hour)
		b, err := s.CreateBooking(ctx, booking.NewBooking{
			Start: start, End: start.Add(20 * time.Minute), Name: "Ada", Email: "ada" + lang + "@example.org",
			TimeZone: "Europe/Berlin", TokenHash: hash, Now: outboxNow, Language: lang,
		}, allow)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.BookingByID(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if b.Language != lang || got.Language != lang {
			t.Errorf("stored %q: created %q, read back %q", lang, b.Language, got.Language)
		}
	}
	// The database itself refuses a language the site is not written in.
	if _, err := s.pool.Exec(ctx, `UPDATE bookings SET language = 'xx'`); err == nil {
		t.Error("language 'xx' was stored")
	}
}
