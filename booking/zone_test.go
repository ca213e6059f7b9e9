package booking_test

import (
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
