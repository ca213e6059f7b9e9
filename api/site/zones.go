package site

import (
	"sort"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the zone picker must work on hosts without zone files (slim containers)

	"consult/booking"
	"consult/web/i18n"
	"consult/web/timefmt"
)

// pickerZones are the time zones offered in the booking form's select: the
// main zone of most countries' larger cities, grouped by region. Any other
// valid IANA zone still works through the tz parameter (and the browser's
// own zone, which the script detects, is added to the list when missing).
var pickerZones = []string{
	"Africa/Abidjan", "Africa/Accra", "Africa/Addis_Ababa", "Africa/Algiers", "Africa/Cairo",
	"Africa/Casablanca", "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi", "Africa/Tunis",
	"America/Anchorage", "America/Argentina/Buenos_Aires", "America/Bogota", "America/Caracas",
	"America/Chicago", "America/Costa_Rica", "America/Denver", "America/Edmonton", "America/Guatemala",
	"America/Halifax", "America/Havana", "America/Lima", "America/Los_Angeles", "America/Mexico_City",
	"America/Montevideo", "America/New_York", "America/Panama", "America/Phoenix", "America/Puerto_Rico",
	"America/Regina", "America/Santiago", "America/Sao_Paulo", "America/St_Johns", "America/Toronto",
	"America/Vancouver", "America/Winnipeg",
	"Asia/Almaty", "Asia/Baku", "Asia/Bangkok", "Asia/Beirut", "Asia/Dhaka", "Asia/Dubai",
	"Asia/Ho_Chi_Minh", "Asia/Hong_Kong", "Asia/Jakarta", "Asia/Jerusalem", "Asia/Karachi",
	"Asia/Kathmandu", "Asia/Kolkata", "Asia/Kuala_Lumpur", "Asia/Manila", "Asia/Riyadh", "Asia/Seoul",
	"Asia/Shanghai", "Asia/Singapore", "Asia/Taipei", "Asia/Tashkent", "Asia/Tbilisi", "Asia/Tehran",
	"Asia/Tokyo", "Asia/Yangon", "Asia/Yerevan",
	"Atlantic/Azores", "Atlantic/Canary", "Atlantic/Cape_Verde", "Atlantic/Reykjavik",
	"Australia/Adelaide", "Australia/Brisbane", "Australia/Darwin", "Australia/Hobart",
	"Australia/Melbourne", "Australia/Perth", "Australia/Sydney",
	"Europe/Amsterdam", "Europe/Athens", "Europe/Berlin", "Europe/Brussels", "Europe/Bucharest",
	"Europe/Budapest", "Europe/Copenhagen", "Europe/Dublin", "Europe/Helsinki", "Europe/Istanbul",
	"Europe/Kyiv", "Europe/Lisbon", "Europe/London", "Europe/Madrid", "Europe/Moscow", "Europe/Oslo",
	"Europe/Paris", "Europe/Prague", "Europe/Rome", "Europe/Stockholm", "Europe/Vienna",
	"Europe/Warsaw", "Europe/Zurich",
	"Indian/Maldives", "Indian/Mauritius",
	"Pacific/Auckland", "Pacific/Fiji", "Pacific/Guam", "Pacific/Honolulu", "Pacific/Port_Moresby",
	"Pacific/Tongatapu",
	"UTC",
}

// zoneLocations loads pickerZones once; a zone this build cannot load is
// left out rather than offered and then refused.
var zoneLocations = sync.OnceValue(func() map[string]*time.Location {
	m := make(map[string]*time.Location, len(pickerZones))
	for _, name := range pickerZones {
		if loc, err := time.LoadLocation(name); err == nil {
			m[name] = loc
		}
	}
	return m
})

// zoneGroup is one <optgroup> of the zone select.
type zoneGroup struct {
	Label   string
	Options []zoneOption
}

// zoneOption is one <option>: an IANA name and a readable label.
type zoneOption struct {
	Value    string
	Label    string
	Selected bool
}

// zoneGroups returns the select's options with current UTC offsets, and
// current selected; a valid zone missing from the list is added at the top.
func zoneGroups(l i18n.Lang, current string, now time.Time) []zoneGroup {
	locs := zoneLocations()
	var groups []zoneGroup
	if _, listed := locs[current]; !listed {
		if loc, err := booking.CheckZone(current); err == nil {
			groups = append(groups, zoneGroup{Label: i18n.MustT(l, "site.zones.yours"), Options: []zoneOption{
				{Value: current, Label: timefmt.ZoneAtIn(l, current, now.In(loc)), Selected: true},
			}})
		}
	}
	byRegion := map[string][]zoneOption{}
	for _, name := range pickerZones {
		loc, ok := locs[name]
		if !ok {
			continue
		}
		region, _, found := strings.Cut(name, "/")
		if !found {
			region = "Other"
		}
		byRegion[region] = append(byRegion[region], zoneOption{Value: name, Label: timefmt.ZoneAtIn(l, name, now.In(loc)), Selected: name == current})
	}
	regions := make([]string, 0, len(byRegion))
	for r := range byRegion {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	for _, r := range regions {
		opts := byRegion[r]
		sort.Slice(opts, func(i, j int) bool { return opts[i].Label < opts[j].Label })
		groups = append(groups, zoneGroup{Label: i18n.MustT(l, "site.zones."+strings.ToLower(r)), Options: opts})
	}
	return groups
}

// listedChange is the first instant after from at which the offset of a
// listed zone changes (zero: none ever does), for nextListedZoneChange.
var listedChange struct {
	mu       sync.Mutex
	from, at time.Time
}

// nextListedZoneChange returns the first instant after now at which the
// offset of a listed zone changes, the zero time when none ever does.
// The booking form is valid only until then (bookUntil), and asked after
// every booking: reading the hundred zones each time was a twentieth of
// its building. The answer holds from the moment it was found until that
// change, since no zone changed in between.
func nextListedZoneChange(now time.Time) time.Time {
	c := &listedChange
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.from.IsZero() && !now.Before(c.from) && (c.at.IsZero() || now.Before(c.at)) {
		return c.at
	}
	var at time.Time
	for _, loc := range zoneLocations() {
		if end := zoneEnd(now, loc); !end.IsZero() && (at.IsZero() || end.Before(at)) {
			at = end
		}
	}
	c.from, c.at = now, at
	return at
}
