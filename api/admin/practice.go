package admin

import (
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"consult/booking"
	"consult/booking/photo"
	"consult/web/i18n"
)

// regionChoice is one place on the practice page, ticked when served.
type regionChoice struct {
	booking.Region
	Served bool
}

// regionGroup is a country whose states or provinces can be ticked.
type regionGroup struct {
	Country booking.Region
	Regions []regionChoice
	Open    bool // some are served: shown open
}

// practiceData is the practice profile page.
type practiceData struct {
	Profile     booking.Profile
	Credentials string // one a line
	Groups      []regionGroup
	Countries   []regionChoice
	// ServedNames name the places served, in the page's language.
	ServedNames []string
	// DefaultSender and DefaultSubject are what empty wording fields mean;
	// Anyway keeps the box ticked when a wording was refused.
	DefaultSender, DefaultSubject string
	Anyway                        bool
	// Questions are the five rows of the question editor.
	Questions []questionRow
}

// questionRow is one row of the extra questions' editor.
type questionRow struct {
	N       int // 1 to 5
	Kind    string
	Label   string
	Choices string // one a line
}

func practiceDataOf(l i18n.Lang, st booking.Settings, p booking.Profile) practiceData {
	served := map[string]bool{}
	for _, r := range p.Regions {
		served[r] = true
	}
	d := practiceData{Profile: p, Credentials: strings.Join(p.Credentials, "\n")}
	for _, r := range booking.RegionNames(p.Regions) {
		d.ServedNames = append(d.ServedNames, i18n.RegionLabel(l, r))
	}
	defaults := st
	defaults.Profile.MailSenderName, defaults.Profile.MailSubject = "", ""
	d.DefaultSender, d.DefaultSubject = defaults.SenderName(), defaults.SubjectWording()
	for i := range booking.MaxQuestions {
		row := questionRow{N: i + 1, Kind: string(booking.QuestionText)}
		if i < len(p.Questions) {
			q := p.Questions[i]
			row.Kind, row.Label, row.Choices = string(q.Kind), q.Label, strings.Join(q.Choices, "\n")
		}
		d.Questions = append(d.Questions, row)
	}
	for _, code := range booking.SubdividedCountries() {
		country, _ := booking.LookupRegion(code)
		country.Name = i18n.CountryName(l, country.Code, country.Name)
		g := regionGroup{Country: country}
		for _, r := range booking.Subdivisions(code) {
			g.Regions = append(g.Regions, regionChoice{r, served[r.Code]})
			g.Open = g.Open || served[r.Code]
		}
		slices.SortFunc(g.Regions, func(a, b regionChoice) int { return strings.Compare(a.Name, b.Name) })
		d.Groups = append(d.Groups, g)
	}
	for _, r := range booking.Countries() {
		r.Name = i18n.CountryName(l, r.Code, r.Name)
		d.Countries = append(d.Countries, regionChoice{r, served[r.Code]})
	}
	if l != i18n.EN {
		// In the order the language sorts its names ("Österreich" among the O's).
		order := collate.New(language.Make(l.Tag()))
		slices.SortStableFunc(d.Countries, func(a, b regionChoice) int { return order.CompareString(a.Name, b.Name) })
		slices.SortStableFunc(d.Groups, func(a, b regionGroup) int { return order.CompareString(a.Country.Name, b.Country.Name) })
	}
	return d
}

// Practice shows the practice's profile for editing.
func (h *Handler) Practice(c echo.Context) error {
	st, err := h.svc.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "practice", "Practice profile", practiceDataOf(lang(c), st, st.Profile), nil)
}

// SaveProfile saves the practice's profile; the email wording is kept.
func (h *Handler) SaveProfile(c echo.Context) error {
	ctx := c.Request().Context()
	st, err := h.svc.Settings(ctx)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	p := st.Profile
	p.PractitionerName = form.Get("practitioner_name")
	p.Credentials = strings.Split(form.Get("credentials"), "\n")
	p.Bio = form.Get("bio")
	p.ContactEmail = form.Get("contact_email")
	p.ContactPhone = form.Get("contact_phone")
	p.Regions = form["regions"]
	saved, err := h.admin.SaveProfile(ctx, h.who(c), p, false)
	if err != nil {
		if fe := fieldErrors(err); fe != nil {
			return h.render(c, http.StatusUnprocessableEntity, "practice", "Practice profile", practiceDataOf(lang(c), st, saved), fe)
		}
		return err
	}
	return h.redirect(c, "/admin/practice", "The practice profile is saved.")
}

// SaveMailWording saves how emails to clients are worded.
func (h *Handler) SaveMailWording(c echo.Context) error {
	ctx := c.Request().Context()
	w := booking.MailWording{SenderName: c.FormValue("mail_sender_name"), Subject: c.FormValue("mail_subject"),
		Anyway: c.FormValue("mail_wording_anyway") == "on"}
	saved, err := h.admin.SaveMailWording(ctx, h.who(c), w)
	if err != nil {
		if fe := fieldErrors(err); fe != nil {
			st, serr := h.svc.Settings(ctx)
			if serr != nil {
				return serr
			}
			d := practiceDataOf(lang(c), st, saved)
			d.Anyway = w.Anyway
			return h.render(c, http.StatusUnprocessableEntity, "practice", "Practice profile", d, fe)
		}
		return err
	}
	return h.redirect(c, "/admin/practice#mail-h", "The wording of clients' emails is saved.")
}

// SaveModes saves the ways the consultation happens.
func (h *Handler) SaveModes(c echo.Context) error {
	ctx := c.Request().Context()
	st, err := h.svc.Settings(ctx)
	if err != nil {
		return err
	}
	p := st.Profile
	on := func(name string) bool { return c.FormValue(name) == "on" }
	p.Modes.Video = booking.VideoMode{Enabled: on("video_enabled"), Details: c.FormValue("video_details")}
	if c.FormValue("video_kind") == "per_booking" {
		p.Modes.Video.BaseURL = c.FormValue("video_base_url")
	} else {
		p.Modes.Video.Room = c.FormValue("video_room")
	}
	p.Modes.Phone = booking.PhoneMode{Enabled: on("phone_enabled"), Details: c.FormValue("phone_details")}
	p.Modes.InPerson = booking.InPersonMode{Enabled: on("in_person_enabled"), Address: c.FormValue("in_person_address"),
		Directions: c.FormValue("in_person_directions")}
	saved, err := h.admin.SaveProfile(ctx, h.who(c), p, false)
	if err != nil {
		if fe := fieldErrors(err); fe != nil {
			return h.render(c, http.StatusUnprocessableEntity, "practice", "Practice profile", practiceDataOf(lang(c), st, saved), fe)
		}
		return err
	}
	return h.redirect(c, "/admin/practice#modes-h", "The ways of meeting are saved.")
}

// SaveQuestions saves the extra questions of the booking form; a row
// without a question is left out.
func (h *Handler) SaveQuestions(c echo.Context) error {
	ctx := c.Request().Context()
	st, err := h.svc.Settings(ctx)
	if err != nil {
		return err
	}
	p := st.Profile
	p.Questions = nil
	for i := 1; i <= booking.MaxQuestions; i++ {
		n := strconv.Itoa(i)
		p.Questions = append(p.Questions, booking.Question{Kind: booking.QuestionKind(c.FormValue("question_kind_" + n)),
			Label: c.FormValue("question_label_" + n), Choices: strings.Split(c.FormValue("question_choices_"+n), "\n")})
	}
	saved, err := h.admin.SaveProfile(ctx, h.who(c), p, false)
	if err != nil {
		if fe := fieldErrors(err); fe != nil {
			return h.render(c, http.StatusUnprocessableEntity, "practice", "Practice profile", practiceDataOf(lang(c), st, saved), fe)
		}
		return err
	}
	return h.redirect(c, "/admin/practice#questions-h", "The extra questions are saved.")
}

// SavePhoto stores an uploaded photo of the practitioner, resized and
// stripped of its metadata.
func (h *Handler) SavePhoto(c echo.Context) error {
	ctx := c.Request().Context()
	var upload []byte
	if fh, err := c.FormFile("photo"); err == nil && fh.Size <= photo.MaxUpload {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		upload, err = io.ReadAll(io.LimitReader(f, photo.MaxUpload+1))
		f.Close()
		if err != nil {
			return err
		}
	}
	err := h.admin.SavePhoto(ctx, h.who(c), upload, func(b []byte) ([]byte, string, error) {
		p, err := photo.Prepare(b)
		if err != nil {
			return nil, "", err
		}
		return p.JPEG, p.Version, nil
	})
	if fe := fieldErrors(err); fe != nil {
		st, serr := h.svc.Settings(ctx)
		if serr != nil {
			return serr
		}
		return h.render(c, http.StatusUnprocessableEntity, "practice", "Practice profile", practiceDataOf(lang(c), st, st.Profile), fe)
	}
	if err != nil {
		return err
	}
	return h.redirect(c, "/admin/practice#photo-h", "The photo is saved.")
}

// DeletePhoto removes the practitioner's photo.
func (h *Handler) DeletePhoto(c echo.Context) error {
	if err := h.admin.DeletePhoto(c.Request().Context(), h.who(c)); err != nil {
		return err
	}
	return h.redirect(c, "/admin/practice#photo-h", "The photo is removed.")
}
