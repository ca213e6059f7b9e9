package booking

import (
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Mode is how a consultation happens.
type Mode string

// The consultation modes. A booking made before the practice set any has
// no mode ("").
const (
	ModeVideo    Mode = "video"
	ModePhone    Mode = "phone"
	ModeInPerson Mode = "in_person"
)

// AllModes are the modes in the order the booking form offers them.
var AllModes = []Mode{ModeVideo, ModePhone, ModeInPerson}

// Label is the mode's name for a client.
func (m Mode) Label() string {
	switch m {
	case ModeVideo:
		return "Video call"
	case ModePhone:
		return "Phone call"
	case ModeInPerson:
		return "In person"
	}
	return ""
}

// Modes are the ways the practice offers the consultation, each on or off
// with its details.
type Modes struct {
	Video    VideoMode
	Phone    PhoneMode
	InPerson InPersonMode
}

// VideoMode is the video call: one fixed room every client joins (Room),
// or a room of its own for each booking under BaseURL
// ("<BaseURL>/<unguessable id>", as a self-hosted Jitsi makes on first
// use). Exactly one of Room and BaseURL is set when enabled.
type VideoMode struct {
	Enabled bool
	Room    string
	BaseURL string
	Details string // e.g. what to install, shown with the link
}

// PhoneMode is the practitioner calling the client on the number they
// give.
type PhoneMode struct {
	Enabled bool
	Details string
}

// InPersonMode is a meeting at the practice. The address is shown only
// once a time is booked.
type InPersonMode struct {
	Enabled    bool
	Address    string
	Directions string
}

// Limits on the modes' details.
const (
	MaxLinkLen       = 300
	MaxModeDetailLen = 500
	MaxAddressLen    = 300
)

// Enabled returns the modes switched on, in AllModes order.
func (m Modes) Enabled() []Mode {
	var out []Mode
	if m.Video.Enabled {
		out = append(out, ModeVideo)
	}
	if m.Phone.Enabled {
		out = append(out, ModePhone)
	}
	if m.InPerson.Enabled {
		out = append(out, ModeInPerson)
	}
	return out
}

// Offers reports whether mode is switched on.
func (m Modes) Offers(mode Mode) bool {
	for _, e := range m.Enabled() {
		if e == mode {
			return true
		}
	}
	return false
}

// normalize trims every field.
func (m *Modes) normalize() {
	m.Video.Room = strings.TrimSpace(m.Video.Room)
	m.Video.BaseURL = strings.TrimRight(strings.TrimSpace(m.Video.BaseURL), "/")
	m.Video.Details = strings.TrimSpace(m.Video.Details)
	m.Phone.Details = strings.TrimSpace(m.Phone.Details)
	m.InPerson.Address = strings.TrimSpace(strings.ReplaceAll(m.InPerson.Address, "\r\n", "\n"))
	m.InPerson.Directions = strings.TrimSpace(strings.ReplaceAll(m.InPerson.Directions, "\r\n", "\n"))
}

// validate adds to f what is wrong with the modes: video_room,
// video_base_url, video_details, phone_details, in_person_address,
// in_person_directions.
func (m Modes) validate(f FieldErrors) {
	switch v := m.Video; {
	case v.Room != "" && v.BaseURL != "":
		f.Add("video_room", "Give either one room link for everyone or a base address for a room per booking, not both.")
	case v.Enabled && v.Room == "" && v.BaseURL == "":
		f.Add("video_room", "Give the room link clients join, or a base address for a room per booking.")
	}
	if m.Video.Room != "" && !webLink(m.Video.Room, true) {
		f.Add("video_room", "Enter the full https:// link of the room, up to 300 characters.")
	}
	if m.Video.BaseURL != "" && !webLink(m.Video.BaseURL, false) {
		f.Add("video_base_url", "Enter an https:// address without ? or #, up to 250 characters, such as https://meet.example.org.")
	}
	if !detailText(m.Video.Details, MaxModeDetailLen, false) {
		f.Add("video_details", "Use at most 500 characters on one line.")
	}
	if !detailText(m.Phone.Details, MaxModeDetailLen, false) {
		f.Add("phone_details", "Use at most 500 characters on one line.")
	}
	switch a := m.InPerson.Address; {
	case m.InPerson.Enabled && a == "":
		f.Add("in_person_address", "Enter the address where you see clients.")
	case !detailText(a, MaxAddressLen, true):
		f.Add("in_person_address", "Use at most 300 characters of plain text.")
	}
	if !detailText(m.InPerson.Directions, MaxModeDetailLen, true) {
		f.Add("in_person_directions", "Use at most 500 characters of plain text.")
	}
}

func detailText(s string, max int, multiline bool) bool {
	return utf8.RuneCountInString(s) <= max && PlainText(s, multiline)
}

// webLink reports whether s is an absolute https URL a client can open;
// a base for per-booking rooms (query false) has no query or fragment.
func webLink(s string, query bool) bool {
	limit := MaxLinkLen
	if !query {
		limit = MaxLinkLen - 50 // room for the id
	}
	if len(s) > limit || !PlainText(s, false) || strings.ContainsAny(s, " \"<>\\^`{|}") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return false
	}
	return query || (u.RawQuery == "" && u.Fragment == "" && !strings.Contains(s, "?") && !strings.Contains(s, "#"))
}

// ChooseMode returns the mode a request books: the one asked for when it
// is offered, the only one offered when none is asked for, and none while
// the practice offers none. EINVALID (mode) otherwise, and (phone) for a
// phone call without a number.
func ChooseMode(m Modes, asked Mode, phone string) (Mode, error) {
	enabled := m.Enabled()
	f := FieldErrors{}
	switch {
	case len(enabled) == 0:
		if asked != "" {
			f.Add("mode", "The practice does not offer a choice of how to meet yet.")
		}
	case asked == "" && len(enabled) == 1:
		asked = enabled[0]
	case asked == "":
		f.Add("mode", "Choose how you would like to meet.")
	case !m.Offers(asked):
		f.Add("mode", "Choose one of the ways of meeting offered.")
	}
	if asked == ModePhone && phone == "" && len(f) == 0 {
		f.Add("phone", "Enter the phone number to call you on.")
	}
	return asked, f.Err()
}

// videoLinkFor returns the video room of a new video booking: the fixed
// room, or a new room under the base URL named by 128 random bits.
func videoLinkFor(v VideoMode) string {
	if v.BaseURL == "" {
		return v.Room
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("booking: no randomness: " + err.Error())
	}
	return v.BaseURL + "/" + base64.RawURLEncoding.EncodeToString(b)
}

// Meeting is how and where one booking's consultation happens, as the
// client and the practitioner read it.
type Meeting struct {
	Mode  Mode
	Label string // "Video call"
	// VideoLink is the room, for a video call.
	VideoLink string
	// Phone is the number the practitioner calls, for a phone call.
	Phone string
	// Address and Directions are where, in person.
	Address, Directions string
	// Details are the practitioner's words about the mode.
	Details string
}

// MeetingFor returns how b happens under the modes m; the zero Meeting
// for a booking without a mode.
func MeetingFor(m Modes, b Booking) Meeting {
	mt := Meeting{Mode: b.Mode, Label: b.Mode.Label()}
	switch b.Mode {
	case ModeVideo:
		mt.VideoLink, mt.Details = b.VideoLink, m.Video.Details
	case ModePhone:
		mt.Phone, mt.Details = b.Phone, m.Phone.Details
	case ModeInPerson:
		mt.Address, mt.Directions = m.InPerson.Address, m.InPerson.Directions
	}
	return mt
}

// OneLineAddress is the address on one line, its lines joined by commas.
func (mt Meeting) OneLineAddress() string {
	var parts []string
	for _, l := range strings.Split(mt.Address, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, ", ")
}
