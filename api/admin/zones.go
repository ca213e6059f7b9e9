package admin

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the zone list must load on hosts without zone files
)

// zoneNames are the IANA zones offered for the practice: one a line,
// those of the tz database's zone.tab (a zone per country or region) and
// UTC. Any other valid IANA name is still accepted.
//
//go:embed zones.txt
var zoneNames string

// zoneOption is one zone of the list: its IANA name, and a label by
// place and offset now, "Los Angeles (UTC−08:00)".
type zoneOption struct {
	Name, Label string
}

// zoneList loads the zones once; one this build cannot load is left out.
var zoneList = sync.OnceValue(func() []*time.Location {
	var out []*time.Location
	for _, name := range strings.Fields(zoneNames) {
		if loc, err := time.LoadLocation(name); err == nil {
			out = append(out, loc)
		}
	}
	return out
})

// zoneLabel names loc by its place and its offset at now.
func zoneLabel(loc *time.Location, now time.Time) string {
	name := loc.String()
	place := name[strings.LastIndexByte(name, '/')+1:]
	place = strings.ReplaceAll(place, "_", " ")
	_, off := now.In(loc).Zone()
	sign := "+"
	if off < 0 {
		sign, off = "\u2212", -off
	}
	return fmt.Sprintf("%s (UTC%s%02d:%02d)", place, sign, off/3600, off%3600/60)
}

// zoneOptions lists the zones labelled at now.
func zoneOptions(now time.Time) []zoneOption {
	locs := zoneList()
	out := make([]zoneOption, len(locs))
	for i, loc := range locs {
		out[i] = zoneOption{Name: loc.String(), Label: zoneLabel(loc, now)}
	}
	return out
}
