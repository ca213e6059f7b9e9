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
	Modes            []modeJSON   `json:"modes"`
	// Questions are the extra questions a booking may answer (answers[i]
	// answers questions[i]).
	Questions []booking.Question `json:"questions"`
	// PhotoURL is the practitioner's photo, when there is one.
	PhotoURL string `json:"photo_url,omitempty"`
}

// modeJSON is a way of meeting the practice offers.
type modeJSON struct {
	Mode  string `json:"mode"`
	Label string `json:"label"`
}

// modesJSON is every mode with its details, in the admin API.
type modesJSON struct {
	Video struct {
		Enabled bool   `json:"enabled"`
		Room    string `json:"room"`
		BaseURL string `json:"base_url"`
		Details string `json:"details"`
	} `json:"video"`
	Phone struct {
		Enabled bool   `json:"enabled"`
		Details string `json:"details"`
	} `json:"phone"`
	InPerson struct {
		Enabled    bool   `json:"enabled"`
		Address    string `json:"address"`
		Directions string `json:"directions"`
	} `json:"in_person"`
}

func modesOut(m booking.Modes) *modesJSON {
	var j modesJSON
	j.Video.Enabled, j.Video.Room, j.Video.BaseURL, j.Video.Details = m.Video.Enabled, m.Video.Room, m.Video.BaseURL, m.Video.Details
	j.Phone.Enabled, j.Phone.Details = m.Phone.Enabled, m.Phone.Details
	j.InPerson.Enabled, j.InPerson.Address, j.InPerson.Directions = m.InPerson.Enabled, m.InPerson.Address, m.InPerson.Directions
	return &j
}

func (j *modesJSON) modes() booking.Modes {
	if j == nil {
		return booking.Modes{}
	}
	return booking.Modes{
		Video:    booking.VideoMode{Enabled: j.Video.Enabled, Room: j.Video.Room, BaseURL: j.Video.BaseURL, Details: j.Video.Details},
		Phone:    booking.PhoneMode{Enabled: j.Phone.Enabled, Details: j.Phone.Details},
		InPerson: booking.InPersonMode{Enabled: j.InPerson.Enabled, Address: j.InPerson.Address, Directions: j.InPerson.Directions},
	}
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
		Bio: p.Bio, ContactEmail: p.ContactEmail, ContactPhone: p.ContactPhone, Regions: regionsOut(p.Regions), Modes: []modeJSON{},
		Questions: questionsOut(p.Questions)}
	if p.PhotoVersion != "" {
		out.PhotoURL = s.url("/practice/photo?v=" + p.PhotoVersion)
	}
	for _, m := range p.Modes.Enabled() {
		out.Modes = append(out.Modes, modeJSON{Mode: string(m), Label: m.Label()})
	}
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

func questionsOut(qs []booking.Question) []booking.Question {
	if qs == nil {
		return []booking.Question{}
	}
	return qs
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// profileJSON is the practice's profile in the admin API.
type profileJSON struct {
	PractitionerName string             `json:"practitioner_name"`
	Credentials      []string           `json:"credentials"`
	Bio              string             `json:"bio"`
	ContactEmail     string             `json:"contact_email"`
	ContactPhone     string             `json:"contact_phone"`
	Regions          []string           `json:"regions"`
	MailSenderName   string             `json:"mail_sender_name"`
	MailSubject      string             `json:"mail_subject"`
	Modes            *modesJSON         `json:"modes"`
	Questions        []booking.Question `json:"questions"`
	// MailWordingAnyway keeps a sender name or subject that names a
	// treatment; it is not stored.
	MailWordingAnyway bool `json:"mail_wording_anyway,omitempty"`
}

func profileOut(p booking.Profile) profileJSON {
	return profileJSON{PractitionerName: p.PractitionerName, Credentials: nonNil(p.Credentials), Bio: p.Bio,
		ContactEmail: p.ContactEmail, ContactPhone: p.ContactPhone, Regions: nonNil(p.Regions),
		MailSenderName: p.MailSenderName, MailSubject: p.MailSubject, Modes: modesOut(p.Modes),
		Questions: questionsOut(p.Questions)}
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
	p.MailSenderName, p.MailSubject, p.Modes = in.MailSenderName, in.MailSubject, in.Modes.modes()
	p.Questions = in.Questions
	saved, err := s.adminOps.SaveProfile(ctx, who(c), p, in.MailWordingAnyway)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(c, http.StatusOK, profileOut(saved))
}
