package booking

import (
	"sync"
	"time"
)

// zones holds every zone LoadZone has loaded. time.LoadLocation reads and
// parses the zone's file on every call, and one slots request needs the
// practice's zone several times, so each name is loaded once per process
// (bench/RESULTS.md has the cost). A *time.Location is immutable, so
// sharing one is safe; only names that loaded are kept, so the zone
// database bounds the map.
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

// maxZoneLen bounds a zone name. The longest IANA name is far shorter,
// and the database keeps the practice's zone in at most 64 characters;
// a longer name that loads is a path with padding (Europe//…//Berlin)
// read from the host's zone files.
const maxZoneLen = 64

// CheckZone loads name as an IANA time zone, refusing what
// time.LoadLocation accepts but nobody means by a zone: "" (which it
// reads as UTC), "Local" (the host's zone, which differs between
// machines) and names longer than 64 bytes. Every error is EINVALID.
func CheckZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" || len(name) > maxZoneLen {
		return nil, Errorf(EINVALID, "Unknown time zone.")
	}
	loc, err := LoadZone(name)
	if err != nil {
		return nil, &Error{Code: EINVALID, Message: "Unknown time zone.", Err: err}
	}
	return loc, nil
}
