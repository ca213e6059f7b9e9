package calendar

import (
	"github.com/emersion/go-ical"

	"consult/booking"
	"consult/web/i18n"
)

// PropConference is RFC 7986's CONFERENCE: how to join a call.
const PropConference = "CONFERENCE"

// setMeeting writes where a booking's consultation happens: LOCATION for
// every mode and, for a video call, its room as URL (when url) and as
// CONFERENCE. caller is who calls, for a phone call ("" in the
// practitioner's own feed); the number is shown only
// when showPhone (the client's own invitation, or the private feed with
// full details). Its words are in language l.
func setMeeting(props ical.Props, mt booking.Meeting, caller string, showPhone, url bool, l i18n.Lang) {
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
		conf.Params.Set("LABEL", cleanParam(i18n.MustT(l, "invitation.video_label")))
		props.Set(conf)
	case booking.ModePhone:
		loc := i18n.MustT(l, "invitation.location_phone")
		switch {
		case showPhone && mt.Phone != "" && caller != "":
			loc = i18n.MustT(l, "invitation.location_phone_caller", "Caller", caller, "Phone", mt.Phone)
		case showPhone && mt.Phone != "":
			loc = i18n.MustT(l, "invitation.location_phone_number", "Phone", mt.Phone)
		}
		setTextIn(props, ical.PropLocation, oneLine(loc), l)
	case booking.ModeInPerson:
		if a := mt.OneLineAddress(); a != "" {
			setText(props, ical.PropLocation, oneLine(a))
		}
	}
}

// meetingText is the lines of a DESCRIPTION that say how to meet, in
// language l; the practitioner's own words (details, directions) as typed.
func meetingText(mt booking.Meeting, caller string, l i18n.Lang) string {
	switch mt.Mode {
	case booking.ModeVideo:
		if mt.VideoLink == "" {
			return ""
		}
		s := "\n\n" + i18n.MustT(l, "invitation.video", "Link", mt.VideoLink)
		if mt.Details != "" {
			s += "\n" + mt.Details
		}
		return s
	case booking.ModePhone:
		s := "\n\n" + i18n.MustT(l, "invitation.phone", "Caller", caller)
		if mt.Phone != "" {
			s = "\n\n" + i18n.MustT(l, "invitation.phone_number", "Caller", caller, "Phone", mt.Phone)
		}
		if mt.Details != "" {
			s += "\n" + mt.Details
		}
		return s
	case booking.ModeInPerson:
		s := "\n\n" + i18n.MustT(l, "invitation.in_person", "Address", mt.OneLineAddress())
		if mt.Directions != "" {
			s += "\n" + mt.Directions
		}
		return s
	}
	return ""
}
