package site

import (
	"crypto/rand"
	"errors"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
	"consult/booking/proof"
	"consult/web"
	"consult/web/i18n"
)

// maxFormBody bounds a posted page form; the booking form is well under 2 KB.
const maxFormBody = 16 << 10

// bookForm is what the visitor typed, kept when the form comes back with errors.
type bookForm struct {
	Start, Name, Email, Phone, Note, Mode, Region string
	Consent                                       bool
	// Answers answer the extra questions, in their order.
	Answers []string
	// Key is the form's idempotency key: sending the same form twice
	// (a double click, a retry after a timeout) books once.
	Key string
}

// fieldError is one line of the error summary, linking to its field.
type fieldError struct {
	ID      string
	Message string
}

// bookPage is the data of the booking page.
type bookPage struct {
	page
	Picker picker
	Form   bookForm
	// Modes are the ways of meeting offered: a choice when more than one.
	// With a phone call among them, the phone number may be needed.
	Modes       []modeChoice
	OffersPhone bool
	// Regions are the places the practice serves, for the question where
	// the client will be; none when it lists none.
	Regions []regionOption
	// Questions are the practice's extra questions, with what was typed.
	Questions []questionView
	// Errors is the error summary in the order of the form; Err holds the
	// message shown at each field.
	Errors []fieldError
	Err    map[string]string
	// Notice is a message about the whole form, shown in the summary.
	Notice string
	Feed   web.FeedLinks
	// Again, on a page answering a POST, is the address that shows the
	// form again by GET; the script puts it in the history in the POST's
	// place, so Back never asks to send the form again.
	Again string
}

// newFormKey returns a fresh idempotency key for one rendering of a form.
func newFormKey() string { return rand.Text() }

// visitorZone returns the zone named by tz, or the practice's zone when tz
// is empty or unknown; bad reports an unknown name.
func visitorZone(tz string, st booking.Settings) (loc *time.Location, bad bool) {
	if tz != "" {
		if loc, err := booking.CheckZone(tz); err == nil {
			return loc, false
		}
	}
	loc, err := st.Location()
	if err != nil {
		loc = time.UTC
	}
	return loc, tz != ""
}

// BookForm shows the booking form: the free times in the visitor's zone
// (tz, else the practice's), a day asked for or the time a link names
// (start) chosen.
func (h *Handler) BookForm(c echo.Context) error {
	if h.versions != nil && c.QueryParam("start") == "" && embedOf(c) == nil {
		return h.bookFormCopy(c)
	}
	data, _, err := h.bookFormData(c, newFormKey())
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "book", data)
}

// bookFormData is the data of the booking form BookForm shows, with the
// form's idempotency key, and the availability it was built from.
func (h *Handler) bookFormData(c echo.Context, key string) (bookPage, *availability, error) {
	in, err := h.bookInputsOf(c)
	if err != nil {
		return bookPage{}, nil, err
	}
	return h.bookFormDataOf(c, in, key), in.a, nil
}

// bookInputs is what the booking form is built from besides the request:
// read first, so that a copy can tell from them alone whether the page
// it has still stands (see pickerPrint).
type bookInputs struct {
	st    booking.Settings
	lang  i18n.Lang
	badTZ bool // the visitor's zone could not be read: the practice's stands in
	a     *availability
	zones []zoneGroup
}

func (h *Handler) bookInputsOf(c echo.Context) (bookInputs, error) {
	ctx := c.Request().Context()
	st, err := h.formSettings(ctx)
	if err != nil {
		return bookInputs{}, err
	}
	loc, badTZ := visitorZone(c.QueryParam("tz"), st)
	a, err := h.loadAvailability(ctx, loc, st)
	if err != nil {
		return bookInputs{}, err
	}
	l := h.lang(c)
	return bookInputs{st: st, lang: l, badTZ: badTZ, a: a, zones: h.zones.get(l, a.loc.String(), h.svc.Now())}, nil
}

// bookFormDataOf builds the booking form's data from in.
func (h *Handler) bookFormDataOf(c echo.Context, in bookInputs, key string) bookPage {
	ctx := c.Request().Context()
	st, l, a := in.st, in.lang, in.a
	link := readStartLink(l, a, c.QueryParam("start"), func(t time.Time) error { return h.refusalAt(ctx, t) })
	date := c.QueryParam("date")
	if date == "" {
		date = link.date
	}
	data := bookPage{
		page:   h.pageFor(c, l, viewOf(st), i18n.MustT(l, "site.book.title"), i18n.MustT(l, "site.book.meta_description"), "/book"),
		Picker: newPicker(l, embedOf(c) != nil, a, bookAction(c), date, link.selected, clockOf(c, 0, l), in.zones),
		Form:   bookForm{Start: link.selected, Key: key},
		Modes:  modeChoices(l, st.Profile.Modes, ""), OffersPhone: st.Profile.Modes.Phone.Enabled,
		Regions: regionOptions(l, st.Profile.Regions, ""), Questions: questionViews(st.Profile.Questions, nil),
		Feed: web.SubscribeLinks(h.base),
	}
	data.Embed = embedOf(c)
	if !link.taken.IsZero() {
		data.Picker.withAlternatives(a, link.taken)
	}
	data.Picker.Notice = link.note
	data.Picker.Detect = c.QueryParam("tz") == ""
	if in.badTZ {
		data.Picker.TZError = i18n.MustT(l, "site.picker.tz_unknown")
	}
	return data
}

// startLink is what a "Book it" link of the public availability feed,
// /book?start=<RFC 3339 start>, asks for.
type startLink struct {
	selected string    // the slot to choose, when it is still free
	date     string    // its day in the visitor's zone, when in the bookable window
	taken    time.Time // a time no longer free: offer the nearest free ones
	note     string    // why the link's time is not chosen
}

// readStartLink reads the start parameter; why says why a time that is
// not free cannot be booked. A time no longer free is no fault of the
// visitor (the feed is a few minutes old), so it gets a note rather than
// an error.
func readStartLink(lang i18n.Lang, a *availability, raw string, why func(time.Time) error) startLink {
	if raw == "" {
		return startLink{}
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		return startLink{note: i18n.MustT(lang, "site.link.unreadable")}
	}
	var l startLink
	if d := booking.DateOf(t.In(a.loc)); !d.Before(a.first) && !a.last.Before(d) {
		l.date = d.String()
	}
	if a.has(t) {
		l.selected = t.UTC().Format(time.RFC3339)
		return l
	}
	l.taken, l.note = t, linkNote(lang, why(t), len(a.slots) > 0, a.settings)
	return l
}

// bookFields lists the form's fields in page order, with the id each
// error summary link goes to ("" for the time, whose id depends on the list).
var bookFields = []struct{ name, id string }{
	{"start", ""}, {"region", "region"}, {"mode", "mode"}, {"name", "name"},
	{"answer_1", "answer_1"}, {"answer_2", "answer_2"}, {"answer_3", "answer_3"}, {"answer_4", "answer_4"}, {"answer_5", "answer_5"}, {"email", "email"}, {"phone", "phone"}, {"note", "note"}, {"consent", "consent"},
}

// Book books the time the form was sent with and goes on to the
// confirmation page, or shows the form again with what to put right.
func (h *Handler) Book(c echo.Context) error {
	ctx := c.Request().Context()
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "The form is too large.")
		}
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	form := bookForm{
		Start: r.PostFormValue("start"), Name: r.PostFormValue("name"), Email: r.PostFormValue("email"),
		Phone: r.PostFormValue("phone"), Note: r.PostFormValue("note"), Consent: r.PostFormValue("consent") == "yes",
		Mode: r.PostFormValue("mode"), Region: r.PostFormValue("region"),
		Key: r.PostFormValue("key"),
	}
	if len(form.Key) < 16 || len(form.Key) > 64 {
		form.Key = newFormKey()
	}
	st, err := h.svc.Settings(ctx)
	if err != nil {
		return err
	}
	for i := range st.Profile.Questions {
		form.Answers = append(form.Answers, r.PostFormValue(booking.AnswerField(i)))
	}
	l := h.lang(c)
	loc, _ := visitorZone(r.PostFormValue("tz"), st)
	a, err := h.loadAvailability(ctx, loc, st)
	if err != nil {
		return err
	}
	clock := clockOf(c, 0, l)
	data := bookPage{
		page:   h.pageFor(c, l, viewOf(st), i18n.MustT(l, "site.book.title"), i18n.MustT(l, "site.book.meta_description"), "/book"),
		Picker: newPicker(l, embedOf(c) != nil, a, bookAction(c), r.PostFormValue("date"), form.Start, clock, h.zones.get(l, a.loc.String(), h.svc.Now())),
		Form:   form,
		Modes:  modeChoices(l, st.Profile.Modes, booking.Mode(form.Mode)), OffersPhone: st.Profile.Modes.Phone.Enabled,
		Regions: regionOptions(l, st.Profile.Regions, form.Region), Questions: questionViews(st.Profile.Questions, form.Answers),
		Feed: web.SubscribeLinks(h.base),
		Err:  map[string]string{},
	}
	data.Embed = embedOf(c)

	// The hidden field is left empty by people; bots fill every field.
	// Nothing is booked and nothing says why, so the bot learns nothing.
	if r.PostFormValue("website") != "" {
		h.logger.InfoContext(ctx, "booking form refused: honeypot field filled")
		data.Notice = i18n.MustT(l, "site.book.not_sent")
		data.Form.Key = newFormKey()
		return h.renderBookErrors(c, http.StatusUnprocessableEntity, data)
	}

	// A client who will be somewhere the practice does not work cannot
	// book: they are told kindly where it does, and nothing is stored.
	if len(st.Profile.Regions) > 0 && form.Region != "" && !booking.Serves(st.Profile.Regions, form.Region) {
		return h.render(c, http.StatusUnprocessableEntity, "not-served", notServedPage{
			page:   h.pageFor(c, l, viewOf(st), i18n.MustT(l, "site.not_served.title"), "", ""),
			Places: servedIn(l, st.Profile.Regions),
		})
	}

	fields := booking.FieldErrors{}
	start, err := time.Parse(time.RFC3339, form.Start)
	if err != nil {
		fields.Add("start", "Choose a time for your consultation.")
	}
	req := booking.Request{Start: start, Name: form.Name, Email: form.Email, Phone: form.Phone, Note: form.Note, TimeZone: loc.String(),
		HourCycle: clock.Hours.Cycle(), Address: httpx.ClientAddr(c), Mode: booking.Mode(form.Mode),
		Region: form.Region, Answers: form.Answers, Language: string(l)}
	req.Normalize()
	var de *booking.Error
	if err := req.Validate(); errors.As(err, &de) {
		for k, v := range de.Fields {
			fields.Add(k, v)
		}
	}
	if _, err := booking.CheckAnswers(st.Profile.Questions, req.Answers); errors.As(err, &de) {
		for k, v := range de.Fields {
			fields.Add(k, v)
		}
	}
	if err := booking.CheckRegion(st.Profile.Regions, req.Region); errors.As(err, &de) {
		for k, v := range de.Fields {
			fields.Add(k, v)
		}
	}
	if _, err := booking.ChooseMode(st.Profile.Modes, req.Mode, req.Phone); errors.As(err, &de) {
		for k, v := range de.Fields {
			fields.Add(k, v)
		}
	}
	if !form.Consent {
		fields.Add("consent", i18n.MustT(l, "site.book.consent_missing"))
	}
	if len(fields) > 0 {
		data.Err = fields
		return h.renderBookErrors(c, http.StatusUnprocessableEntity, data)
	}

	if err := h.proof.Check(ctx, r.PostFormValue("proof")); errors.Is(err, proof.ErrInvalid) {
		// The script solves the challenge while the client fills in the
		// form; without it, or with an old one, the form comes back.
		data.Notice = i18n.MustT(l, "site.book.proof_needed")
		data.Form.Key = newFormKey()
		return h.renderBookErrors(c, http.StatusUnprocessableEntity, data)
	} else if err != nil {
		return err
	}
	if h.svc.ConfirmsByEmail() {
		// The same answer for every address: see CheckEmail.
		if _, err = h.svc.Hold(ctx, req, form.Key); err == nil {
			return c.Redirect(http.StatusSeeOther, "/book/check-email"+embedQuery(c))
		}
	} else {
		var token string
		if _, token, err = h.svc.Book(h.versions.WatchFrom(ctx, c), req, form.Key); err == nil {
			return c.Redirect(http.StatusSeeOther, "/manage/"+token+"/confirmation"+embedQuery(c))
		}
	}
	if kind, msg, ok := refusalOf(err); ok {
		// The time itself was refused: say why beside the picker, and
		// offer the nearest free times in place of one taken.
		others := len(a.nearest(start, 1)) > 0
		if kind == booking.RefusedTaken {
			data.Picker.withAlternatives(a, start)
		}
		data.Err["start"] = refusalText(l, kind, msg, others, st)
		return h.renderBookErrors(c, refusalStatus(kind), data)
	}
	switch {
	case errors.As(err, &de) && de.Code == booking.ECONFLICT && len(de.Fields) > 0:
		// A conflict about the client rather than the time, such as the
		// per-email limit: the message goes to the field it names.
		data.Err = de.Fields
		data.Form.Key = newFormKey()
		return h.renderBookErrors(c, http.StatusConflict, data)
	case errors.As(err, &de) && de.Code == booking.EINVALID:
		if _, reused := de.Fields["Idempotency-Key"]; reused {
			// The form was sent before with other details, e.g. after
			// going back from the confirmation page.
			data.Notice = i18n.MustT(l, "site.book.form_used")
			data.Form.Key = newFormKey()
		} else {
			data.Err = de.Fields
			data.Notice = clientText(l, de.Message)
		}
		return h.renderBookErrors(c, http.StatusUnprocessableEntity, data)
	case errors.As(err, &de) && de.Code == booking.ECONFLICT:
		data.Notice = clientText(l, de.Message)
		return h.renderBookErrors(c, http.StatusConflict, data)
	default:
		return err
	}
}

// renderBookErrors shows the form again with the error summary: field
// errors in page order, linking to their fields.
func (h *Handler) renderBookErrors(c echo.Context, status int, data bookPage) error {
	if data.Err == nil {
		data.Err = map[string]string{}
	}
	// The domain writes its messages in English; each is shown in the
	// page's language (a text no catalogue holds stays as it is).
	translated := make(map[string]string, len(data.Err))
	for k, v := range data.Err {
		translated[k] = clientText(data.Lang, v)
	}
	data.Err = translated
	data.Picker.SlotError = data.Err["start"]
	for _, f := range bookFields {
		msg, ok := data.Err[f.name]
		if !ok {
			continue
		}
		id := f.id
		if id == "" {
			id = data.Picker.FirstID()
		}
		data.Errors = append(data.Errors, fieldError{ID: id, Message: msg})
	}
	for _, name := range slices.Sorted(maps.Keys(data.Err)) {
		if !slices.ContainsFunc(bookFields, func(f struct{ name, id string }) bool { return f.name == name }) {
			data.Errors = append(data.Errors, fieldError{Message: data.Err[name]})
		}
	}
	if data.Notice != "" && len(data.Errors) == 0 {
		data.Errors = append(data.Errors, fieldError{Message: data.Notice})
	}
	data.Meta.Title = i18n.MustT(data.Lang, "site.errors.title", "Title", data.Meta.Title)
	data.Again = data.Picker.againURL()
	return h.render(c, status, "book", data)
}

// regionOption is one answer to "Where will you be during the
// consultation?".
type regionOption struct {
	Code, Label string
	Selected    bool
}

// elsewhere is the answer of a client outside every place served.
const elsewhere = "elsewhere"

// regionOptions lists the places served, then "somewhere else"; none is
// chosen until the client chooses (no guess from the address).
func regionOptions(l i18n.Lang, served []string, chosen string) []regionOption {
	if len(served) == 0 {
		return nil
	}
	var out []regionOption
	for _, r := range booking.RegionNames(served) {
		out = append(out, regionOption{Code: r.Code, Label: i18n.RegionLabel(l, r), Selected: r.Code == chosen})
	}
	return append(out, regionOption{Code: elsewhere, Label: i18n.MustT(l, "site.region.elsewhere"), Selected: chosen == elsewhere})
}

// notServedPage tells a client outside the places served where the
// practice works.
type notServedPage struct {
	page
	Places string
}

// questionView is an extra question on the booking form.
type questionView struct {
	Field   string // the form field, also the input's id
	Kind    string
	Label   string
	Choices []string
	Value   string // what was answered, when the form comes back
}

func questionViews(qs []booking.Question, answers []string) []questionView {
	var out []questionView
	for i, q := range qs {
		v := questionView{Field: booking.AnswerField(i), Kind: string(q.Kind), Label: q.Label, Choices: q.Choices}
		if i < len(answers) {
			v.Value = answers[i]
		}
		out = append(out, v)
	}
	return out
}
