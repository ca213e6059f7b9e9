package booking

import (
	"sync"
	"time"
)

// zones holds every zone LoadZone has loaded. time.LoadLocation reads and
// parses the zone's file on each call, which make bench measured at about
// a tenth of the CPU of a slots request (a request loads zones several
// times). A *time.Location is immutable, so sharing one is safe; only
// names that loaded are kept, so the zone database bounds the map.
var zones sync.Map // name → *time.Location

// LoadZone is time.LoadLocation, remembering each zone it has loaded.
func LoadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}
