package web

import (
	"html/template"
	"net/url"
)

// FeedLinks are the ways to subscribe to the public availability feed,
// as the booking page and the practitioner's calendar page offer them.
// Webcal is a template.URL because html/template would otherwise blank a
// scheme it does not know.
type FeedLinks struct {
	Webcal           template.URL
	Google, Download string
}

// SubscribeLinks returns the links to the availability feed of the
// service at base.
func SubscribeLinks(base *url.URL) FeedLinks {
	webcal := "webcal://" + base.Host + base.Path + "/calendar/availability.ics"
	return FeedLinks{
		Webcal:   template.URL(webcal),
		Google:   "https://calendar.google.com/calendar/r?cid=" + url.QueryEscape(webcal),
		Download: "/calendar/availability.ics",
	}
}
