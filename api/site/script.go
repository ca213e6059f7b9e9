package site

import (
	"encoding/json"
	"strings"
	"sync"
	"time"

	"consult/web/i18n"
)

// scriptStrings is what web/static/site.js writes when it loads a day's
// times without a page load, in the page's language: the day picker
// carries it as JSON (data-text), so the script holds no words of its
// own. Placeholders are {name}; plurals come as one and other forms, which
// the script picks with Intl.PluralRules for the page's language.
type scriptStrings struct {
	Lang        string   `json:"lang"`
	Days        []string `json:"days"`        // Sunday first
	DaysShort   []string `json:"daysShort"`   // "Sun", "So."
	Months      []string `json:"months"`      // January first
	MonthsShort []string `json:"monthsShort"` // "Jan", "Jan."
	// DayLabel is a day as the pages write it ("{weekday} {day} {month}"),
	// DayShort the week strip's ("{day} {month}").
	DayLabel  string `json:"dayLabel"`
	DayShort  string `json:"dayShort"`
	PlaceTime string `json:"placeTime"` // "{place} time"

	TimesOne       string `json:"timesOne"`
	TimesOther     string `json:"timesOther"`
	NoTimes        string `json:"noTimes"`
	PrevWeek       string `json:"prevWeek"`
	NextWeek       string `json:"nextWeek"`
	FreeOn         string `json:"freeOn"`
	ShownInYours   string `json:"shownInYours"`
	ShownIn        string `json:"shownIn"`
	NoneThisDay    string `json:"noneThisDay"`
	AvailableOne   string `json:"availableOne"`
	AvailableOther string `json:"availableOther"`
	NoneAvailable  string `json:"noneAvailable"`
	LoadFailed     string `json:"loadFailed"`
	YourZone       string `json:"yourZone"`
}

// scriptTexts holds each language's JSON, made once.
var scriptTexts sync.Map

// scriptText returns the JSON of the script's strings in language l.
func scriptText(l i18n.Lang) string {
	if s, ok := scriptTexts.Load(l); ok {
		return s.(string)
	}
	t := func(id string, kv ...any) string { return i18n.MustT(l, id, kv...) }
	s := scriptStrings{Lang: l.Tag(),
		DayLabel:  t("date.long_no_year", "Weekday", "{weekday}", "Day", "{day}", "Month", "{month}"),
		DayShort:  t("site.picker.day_month_short", "Day", "{day}", "Month", "{month}"),
		PlaceTime: t("zone.place_time", "Place", "{place}"),
		TimesOne:  t("site.script.times_singular"), TimesOther: t("site.script.times_plural"), NoTimes: t("site.picker.no_times"),
		PrevWeek: t("site.picker.prev_week"), NextWeek: t("site.picker.next_week"),
		FreeOn:       t("site.picker.free_on", "Day", "{day}"),
		ShownInYours: t("site.script.shown_in_yours", "Zone", "{zone}"), ShownIn: t("site.picker.shown_in", "Zone", "{zone}"),
		NoneThisDay:  t("site.picker.none_this_day"),
		AvailableOne: t("site.script.available_singular", "Day", "{day}"), AvailableOther: t("site.script.available_plural", "Day", "{day}"),
		NoneAvailable: t("site.script.none_available", "Day", "{day}"), LoadFailed: t("site.script.load_failed"),
		YourZone: t("site.zones.yours"),
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		s.Days = append(s.Days, i18n.Weekday(l, d))
		s.DaysShort = append(s.DaysShort, i18n.WeekdayShort(l, d))
	}
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		s.Months = append(s.Months, t("month."+name))
		s.MonthsShort = append(s.MonthsShort, t("month_short."+name))
	}
	out, err := json.Marshal(s)
	if err != nil {
		return "{}"
	}
	scriptTexts.Store(l, string(out))
	return string(out)
}
