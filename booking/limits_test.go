package booking_test

import (
	"testing"

	"consult/booking"
)

func TestClientLimits(t *testing.T) {
	l := booking.ClientLimits{MaxUpcoming: 1, MaxPerYear: 2, MaxPerDay: 3, Contact: "hello@practice.example"}
	tests := []struct {
		counts  booking.ClientCounts
		wantErr bool
	}{
		{booking.ClientCounts{}, false},
		{booking.ClientCounts{LastYear: 1}, false},
		{booking.ClientCounts{Upcoming: 1, LastYear: 1}, true},
		{booking.ClientCounts{LastYear: 2}, true},
		{booking.ClientCounts{Upcoming: 3}, true},
		{booking.ClientCounts{LastDay: 2}, false},
		{booking.ClientCounts{LastDay: 3}, true}, // booked and cancelled three times today
	}
	for _, tt := range tests {
		err := l.Check(tt.counts)
		if (err != nil) != tt.wantErr {
			t.Errorf("Check(%+v) = %v, want error %v", tt.counts, err, tt.wantErr)
		}
		if err != nil && booking.ErrorCode(err) != booking.ECONFLICT {
			t.Errorf("code %s, want conflict", booking.ErrorCode(err))
		}
	}
	if err := (booking.ClientLimits{}).Check(booking.ClientCounts{Upcoming: 50, LastYear: 50, LastDay: 50}); err != nil {
		t.Errorf("zero limits refused: %v", err)
	}
}

func TestNetworkOfGroupsAddressesByBlock(t *testing.T) {
	for addr, want := range map[string]string{
		"203.0.113.7":        "203.0.113.0/24",
		"203.0.113.250":      "203.0.113.0/24",
		"::ffff:203.0.113.9": "203.0.113.0/24",
		"2001:db8:1:ffff::2": "2001:db8:1::/48",
		"2001:db8:1::1%eth0": "2001:db8:1::/48",
		"not an address":     "",
		"":                   "",
	} {
		if got := booking.NetworkOf(addr); got != want {
			t.Errorf("NetworkOf(%q) = %q, want %q", addr, got, want)
		}
	}
}
