package booking

import (
	"context"
	"strings"
	"time"
)

// BookingRecord is a booking with everything stored about it, including
// the practitioner's private note, as the admin API answers with it and
// a client's data export holds it. Instants are in UTC.
type BookingRecord struct {
	ID               int64      `json:"id"`
	Start            time.Time  `json:"start"`
	End              time.Time  `json:"end"`
	Status           string     `json:"status"`
	Name             string     `json:"name"`
	Email            string     `json:"email"`
	Phone            string     `json:"phone"`
	Note             string     `json:"note"`
	TimeZone         string     `json:"timezone"`
	PractitionerNote string     `json:"practitioner_note"`
	CancelMessage    string     `json:"cancel_message"`
	CreatedAt        time.Time  `json:"created_at"`
	CancelledAt      *time.Time `json:"cancelled_at"`
	Mode             string     `json:"mode,omitempty"`
	VideoLink        string     `json:"video_link,omitempty"`
	Region           string     `json:"region,omitempty"`
	Answers          []Answer   `json:"answers,omitempty"`
}

// Record returns b as a BookingRecord.
func (b AdminBooking) Record() BookingRecord {
	return BookingRecord{ID: b.ID, Start: b.Start.UTC(), End: b.End.UTC(), Status: string(b.Status), Name: b.Name,
		Email: b.Email, Phone: b.Phone, Note: b.Note, TimeZone: b.TimeZone, PractitionerNote: b.PractitionerNote, CancelMessage: b.CancelMessage,
		CreatedAt: b.CreatedAt.UTC(), CancelledAt: b.CancelledAt,
		Mode: string(b.Mode), VideoLink: b.VideoLink, Region: b.Region, Answers: b.Answers}
}

// ClientExport is everything stored about one client email address, as
// the practitioner hands it to the client who asks for it.
type ClientExport struct {
	Email      string                `json:"email"`
	ExportedAt time.Time             `json:"exported_at"`
	Bookings   []ClientExportBooking `json:"bookings"`
	Emails     []ClientExportMail    `json:"emails"`
	Waitlist   []ClientExportWaiting `json:"waitlist"`
}

// ClientExportWaiting is a waitlist entry of the export.
type ClientExportWaiting struct {
	Name     string    `json:"name"`
	Email    string    `json:"email"`
	TimeZone string    `json:"timezone"`
	Wishes   string    `json:"wishes"`
	Status   string    `json:"status"`
	Joined   time.Time `json:"joined_at"`
}

// ClientExportBooking is a booking of the export, with when it last changed.
type ClientExportBooking struct {
	BookingRecord
	UpdatedAt time.Time `json:"updated_at"`
}

// ClientExportMail is an email of the export.
type ClientExportMail struct {
	BookingID int64      `json:"booking_id"`
	Kind      string     `json:"kind"`
	Status    string     `json:"status"`
	Message   string     `json:"message"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

// ExportClient returns everything stored about email (in any case),
// recording the export. EINVALID (email) as CheckClientEmail.
func (a *Admin) ExportClient(ctx context.Context, who Actor, email string) (*ClientExport, error) {
	email = strings.TrimSpace(email)
	if err := CheckClientEmail(email); err != nil {
		return nil, err
	}
	cd, err := a.store.ClientData(ctx, email)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(cd.Bookings))
	out := &ClientExport{Email: email, ExportedAt: a.now().UTC(), Bookings: []ClientExportBooking{}, Emails: []ClientExportMail{},
		Waitlist: []ClientExportWaiting{}}
	for _, e := range cd.Waitlist {
		out.Waitlist = append(out.Waitlist, ClientExportWaiting{Name: e.Name, Email: e.Email, TimeZone: e.TimeZone,
			Wishes: e.Describe(e.TimeZone), Status: e.Status, Joined: e.CreatedAt})
	}
	for i, b := range cd.Bookings {
		ids[i] = b.ID
		out.Bookings = append(out.Bookings, ClientExportBooking{b.Record(), b.UpdatedAt.UTC()})
	}
	for _, m := range cd.Mail {
		out.Emails = append(out.Emails, ClientExportMail{BookingID: m.BookingID, Kind: m.Kind, Status: m.Status,
			Message: m.Message, CreatedAt: m.CreatedAt, SentAt: m.SentAt})
	}
	if err := a.Record(ctx, who, "client.export", BookingsTarget(ids)); err != nil {
		return nil, err
	}
	return out, nil
}

// EraseClient anonymises every booking of email (in any case),
// cancelling upcoming ones without email, and returns the ids erased.
// EINVALID (email) as CheckClientEmail.
func (a *Admin) EraseClient(ctx context.Context, who Actor, email string) ([]int64, error) {
	email = strings.TrimSpace(email)
	if err := CheckClientEmail(email); err != nil {
		return nil, err
	}
	var ids []int64
	err := a.change(ctx, who, "client.erase", func(tx AdminStore, now time.Time) (string, error) {
		var err error
		ids, err = tx.EraseClient(ctx, email, now)
		return BookingsTarget(ids), err
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}
