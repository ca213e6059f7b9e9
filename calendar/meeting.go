package calendar

import (
	"github.com/emersion/go-ical"

	"consult/booking"
)

// PropConference is RFC 7986's CONFERENCE: how to join a call.
const PropConference = "CONFERENCE"

// setMeeting writes where a booking's consultation happens: LOCATION for
// every mode and, for a video call, its room as URL (when url) and as
// CONFERENCE. caller is who calls, for a phone call ("" in the
// practitioner's own feed); the number is shown only
// when showPhone (the client's own invitation, or the private feed with
// full details).
func setMeeting(props ical.Props, mt booking.Meeting, caller string, showPhone, url bool) {
	switch mt.Mode {
	case booking.ModeVideo:
		if mt.VideoLink == "" {
			return
		}
		setText(props, ical.PropLocation, mt.VideoLink)
		if url {
			setURI(props, ical.PropURL, mt.VideoLink)
		}
		conf := ical.NewProp(PropConference)
		conf.Value = mt.VideoLink
		conf.Params.Set(ical.ParamValue, "URI")
		conf.Params.Set("FEATURE", "AUDIO,VIDEO")
		conf.Params.Set("LABEL", "Video call")
		props.Set(conf)
	case booking.ModePhone:
		loc := "Phone call"
		switch {
		case showPhone && mt.Phone != "" && caller != "":
			loc = "Phone call: " + caller + " calls " + mt.Phone
		case showPhone && mt.Phone != "":
			loc = "Phone call: " + mt.Phone
		}
		setText(props, ical.PropLocation, oneLine(loc))
	case booking.ModeInPerson:
		if a := mt.OneLineAddress(); a != "" {
			setText(props, ical.PropLocation, oneLine(a))
		}
	}
}

// meetingText is the lines of a DESCRIPTION that say how to meet.
func meetingText(mt booking.Meeting, caller string) string {
	switch mt.Mode {
	case booking.ModeVideo:
		if mt.VideoLink == "" {
			return ""
		}
		s := "\n\nVideo call: " + mt.VideoLink
		if mt.Details != "" {
			s += "\n" + mt.Details
		}
		return s
	case booking.ModePhone:
		s := "\n\nPhone call: " + caller + " will call you"
		if mt.Phone != "" {
			s += " on " + mt.Phone
		}
		s += "."
		if mt.Details != "" {
			s += "\n" + mt.Details
		}
		return s
	case booking.ModeInPerson:
		s := "\n\nIn person: " + mt.OneLineAddress()
		if mt.Directions != "" {
			s += "\n" + mt.Directions
		}
		return s
	}
	return ""
}
