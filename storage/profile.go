package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"consult/booking"
)

// UpdateProfile implements booking.ProfileStore. It moves the settings'
// change stamp too, so every copy of the settings is read afresh; the
// profile's own stamp always moves forward, as the pages showing the
// profile are kept by it, even when the clock stands still.
func (s *Store) UpdateProfile(ctx context.Context, p booking.Profile, now time.Time) error {
	credentials, regions, m := p.Credentials, p.Regions, p.Modes
	if credentials == nil {
		credentials = []string{}
	}
	if regions == nil {
		regions = []string{}
	}
	questions := p.Questions
	if questions == nil {
		questions = []booking.Question{}
	}
	tag, err := s.db.Exec(ctx, `
		UPDATE practice_settings SET practitioner_name = $1, credentials = $2, bio = $3,
			contact_email = $4, contact_phone = $5, regions = $6, mail_sender_name = $7,
			mail_subject = $8, updated_at = $9,
			profile_updated_at = greatest($9, profile_updated_at + interval '1 microsecond'),
			availability_changed_at = greatest(availability_changed_at, $9),
			video_enabled = $10, video_room = $11, video_base_url = $12, video_details = $13,
			phone_enabled = $14, phone_details = $15,
			in_person_enabled = $16, in_person_address = $17, in_person_directions = $18, questions = $19`,
		p.PractitionerName, credentials, p.Bio, p.ContactEmail, p.ContactPhone, regions,
		p.MailSenderName, p.MailSubject, stamp(now),
		m.Video.Enabled, m.Video.Room, m.Video.BaseURL, m.Video.Details, m.Phone.Enabled, m.Phone.Details,
		m.InPerson.Enabled, m.InPerson.Address, m.InPerson.Directions, questions)
	if err != nil {
		return fmt.Errorf("storage: update profile: %w", translate(err))
	}
	if tag.RowsAffected() == 0 {
		return booking.Errorf(booking.ENOTFOUND, "The practice has no settings yet.")
	}
	return nil
}

// SeedDemoProfile fills the profile of a fictional practitioner when none
// is set, stamped now, and reports whether it did.
func (s *Store) SeedDemoProfile(ctx context.Context, p booking.Profile, now time.Time) (bool, error) {
	tag, err := s.db.Exec(ctx, `
		UPDATE practice_settings SET practitioner_name = $1, credentials = $2, bio = $3,
			contact_email = $4, contact_phone = $5, regions = $6, profile_updated_at = $7, updated_at = $7,
			availability_changed_at = greatest(availability_changed_at, $7),
			video_enabled = $8, video_base_url = $9, phone_enabled = $10
		WHERE practitioner_name = '' AND profile_updated_at IS NULL`,
		p.PractitionerName, p.Credentials, p.Bio, p.ContactEmail, p.ContactPhone, p.Regions, stamp(now),
		p.Modes.Video.Enabled, p.Modes.Video.BaseURL, p.Modes.Phone.Enabled)
	if err != nil {
		return false, fmt.Errorf("storage: seed demo profile: %w", translate(err))
	}
	return tag.RowsAffected() > 0, nil
}

// SetPhoto implements booking.ProfileStore: the photo and the version the
// settings carry change together, and the profile's stamp moves, so the
// pages that show the photo are rendered again.
func (s *Store) SetPhoto(ctx context.Context, contentType string, image []byte, version string, now time.Time) error {
	return s.transact(ctx, func(tx txn) error {
		var err error
		if image == nil {
			_, err = tx.Exec(ctx, `DELETE FROM practice_photo`)
		} else {
			_, err = tx.Exec(ctx, `
				INSERT INTO practice_photo (content_type, image, version, updated_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (id) DO UPDATE SET content_type = $1, image = $2, version = $3, updated_at = $4`,
				contentType, image, version, stamp(now))
		}
		if err != nil {
			return fmt.Errorf("storage: set photo: %w", translate(err))
		}
		tag, err := tx.Exec(ctx, `
			UPDATE practice_settings SET photo_version = $1, updated_at = $2,
				profile_updated_at = greatest($2, profile_updated_at + interval '1 microsecond'),
				availability_changed_at = greatest(availability_changed_at, $2)`, version, stamp(now))
		if err != nil {
			return fmt.Errorf("storage: set photo: %w", translate(err))
		}
		if tag.RowsAffected() == 0 {
			return booking.Errorf(booking.ENOTFOUND, "The practice has no settings yet.")
		}
		return nil
	})
}

// Photo implements booking.ProfileStore.
func (s *Store) Photo(ctx context.Context) (string, []byte, string, error) {
	var ct, version string
	var img []byte
	err := s.db.QueryRow(ctx, `SELECT content_type, image, version FROM practice_photo`).Scan(&ct, &img, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, "", booking.Errorf(booking.ENOTFOUND, "There is no photo.")
	}
	if err != nil {
		return "", nil, "", fmt.Errorf("storage: photo: %w", translate(err))
	}
	return ct, img, version, nil
}
