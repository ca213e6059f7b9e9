package booking

import "time"

// ZoneByName loads the IANA zone a person or a client named, refusing
// names that are empty, longer than any real zone's, or the
// process-dependent "Local". EINVALID for those and for unknown names.
func ZoneByName(name string) (*time.Location, error) {
	if name == "" || name == "Local" || len(name) > 64 {
		return nil, Errorf(EINVALID, "Unknown time zone.")
	}
	loc, err := LoadZone(name)
	if err != nil {
		return nil, Errorf(EINVALID, "Unknown time zone.")
	}
	return loc, nil
}
