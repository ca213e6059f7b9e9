package booking_test

import (
	"testing"

	"consult/booking"
)

func TestClientLimits(t *testing.T) {
	l := booking.ClientLimits{MaxUpcoming: 1, MaxPerYear: 2, Contact: "hello@practice.example"}
	tests := []struct {
		upcoming, lastYear int
		wantErr            bool
	}{
		{0, 0, false}, {0, 1, false}, {1, 1, true}, {0, 2, true}, {3, 0, true},
	}
	for _, tt := range tests {
		err := l.Check(tt.upcoming, tt.lastYear)
		if (err != nil) != tt.wantErr {
			t.Errorf("Check(%d, %d) = %v, want error %v", tt.upcoming, tt.lastYear, err, tt.wantErr)
		}
		if err != nil && booking.ErrorCode(err) != booking.ECONFLICT {
			t.Errorf("code %s, want conflict", booking.ErrorCode(err))
		}
	}
	if err := (booking.ClientLimits{}).Check(50, 50); err != nil {
		t.Errorf("zero limits refused: %v", err)
	}
}
