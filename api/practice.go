package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
)

// regionJSON is a place the practice serves.
type regionJSON struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// publicPracticeJSON is the practice's public profile.
type publicPracticeJSON struct {
	Name             string       `json:"name"`
	PractitionerName string       `json:"practitioner_name"`
	Credentials      []string     `json:"credentials"`
	Bio              string       `json:"bio"`
	ContactEmail     string       `json:"contact_email"`
	ContactPhone     string       `json:"contact_phone"`
	Regions          []regionJSON `json:"regions"`
}

// publicPractice serves GET /api/v1/practice: who the client will talk
// with and where the practice works. It holds nothing about clients.
func (s *Server) publicPractice(c echo.Context) error {
	st, err := s.svc.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	p := st.Profile
	out := publicPracticeJSON{Name: st.Brand(), PractitionerName: p.PractitionerName, Credentials: nonNil(p.Credentials),
		Bio: p.Bio, ContactEmail: p.ContactEmail, ContactPhone: p.ContactPhone, Regions: regionsOut(p.Regions)}
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSONCharsetUTF8)
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=60")
	c.Response().WriteHeader(http.StatusOK)
	return httpx.JSONEncoder(c.Response()).Encode(out)
}

func regionsOut(codes []string) []regionJSON {
	out := []regionJSON{}
	for _, r := range booking.RegionNames(codes) {
		out = append(out, regionJSON{Code: r.Code, Name: r.Label()})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// profileJSON is the practice's profile in the admin API.
type profileJSON struct {
	PractitionerName string   `json:"practitioner_name"`
	Credentials      []string `json:"credentials"`
	Bio              string   `json:"bio"`
	ContactEmail     string   `json:"contact_email"`
	ContactPhone     string   `json:"contact_phone"`
	Regions          []string `json:"regions"`
	MailSenderName   string   `json:"mail_sender_name"`
	MailSubject      string   `json:"mail_subject"`
	// MailWordingAnyway keeps a sender name or subject that names a
	// treatment; it is not stored.
	MailWordingAnyway bool `json:"mail_wording_anyway,omitempty"`
}

func profileOut(p booking.Profile) profileJSON {
	return profileJSON{PractitionerName: p.PractitionerName, Credentials: nonNil(p.Credentials), Bio: p.Bio,
		ContactEmail: p.ContactEmail, ContactPhone: p.ContactPhone, Regions: nonNil(p.Regions),
		MailSenderName: p.MailSenderName, MailSubject: p.MailSubject}
}

// adminPractice serves GET /api/v1/admin/practice.
func (s *Server) adminPractice(c echo.Context) error {
	st, err := s.adminOps.Settings(c.Request().Context(), who(c))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(c, http.StatusOK, profileOut(st.Profile))
}

// saveAdminPractice serves PUT /api/v1/admin/practice: the profile is
// replaced by the body (a field left out is emptied).
func (s *Server) saveAdminPractice(c echo.Context) error {
	ctx := c.Request().Context()
	var in profileJSON
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	st, err := s.svc.Settings(ctx)
	if err != nil {
		return err
	}
	p := st.Profile
	p.PractitionerName, p.Credentials, p.Bio = in.PractitionerName, in.Credentials, in.Bio
	p.ContactEmail, p.ContactPhone, p.Regions = in.ContactEmail, in.ContactPhone, in.Regions
	p.MailSenderName, p.MailSubject = in.MailSenderName, in.MailSubject
	saved, err := s.adminOps.SaveProfile(ctx, who(c), p, in.MailWordingAnyway)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(c, http.StatusOK, profileOut(saved))
}
