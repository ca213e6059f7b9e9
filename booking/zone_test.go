package booking_test

import (
	"strings"
	"testing"

	"consult/booking"
)

func TestLoadZoneRemembersZones(t *testing.T) {
	first, err := booking.LoadZone("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	again, err := booking.LoadZone("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	if first != again || first.String() != "Europe/Berlin" {
		t.Errorf("second load gave %p %q, want the first, %p %q", again, again, first, first)
	}
	for range 2 {
		if loc, err := booking.LoadZone("Mars/Olympus_Mons"); err == nil {
			t.Errorf("unknown zone loaded as %q", loc)
		}
	}
}

func TestCheckZone(t *testing.T) {
	// Loads from a host's zone files, though no zone is called that.
	padded := "Europe" + strings.Repeat("/", 60) + "Berlin"
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"Europe/Berlin", true},
		{"America/Argentina/Buenos_Aires", true},
		{"UTC", true},
		{"", false},
		{"Local", false},
		{"Mars/Olympus_Mons", false},
		{"../etc/passwd", false},
		{padded, false},
	} {
		loc, err := booking.CheckZone(tc.name)
		if got := err == nil; got != tc.ok {
			t.Errorf("CheckZone(%q) error %v, want ok %v", tc.name, err, tc.ok)
			continue
		}
		if tc.ok && loc.String() != tc.name {
			t.Errorf("CheckZone(%q) loaded %q", tc.name, loc)
		}
		if !tc.ok && booking.ErrorCode(err) != booking.EINVALID {
			t.Errorf("CheckZone(%q) error code %q, want %q", tc.name, booking.ErrorCode(err), booking.EINVALID)
		}
	}
}
