package booking

import "context"

// PracticeName returns the practice's name for page headers, or a neutral
// fallback when the settings cannot be read (e.g. during an outage), so
// an error page can still be shown.
func (s *Service) PracticeName(ctx context.Context) string {
	st, err := s.Settings(ctx)
	if err != nil {
		return "Consultations"
	}
	return st.PracticeName
}

// Brand returns the name the public site goes by (Settings.Brand), with
// the same fallback as PracticeName.
func (s *Service) Brand(ctx context.Context) string {
	st, err := s.Settings(ctx)
	if err != nil {
		return "Consultations"
	}
	return st.Brand()
}
