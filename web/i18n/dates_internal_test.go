package i18n

import (
	"testing"
	"time"
)

// TestKeptDatesReadAsWrittenAfresh writes more dates than are kept, in
// every language and style and in zones either side of UTC, twice over,
// and expects every reading to be what writing it afresh gives.
func TestKeptDatesReadAsWrittenAfresh(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("UTC-11", -11*3600), time.FixedZone("UTC+14", 14*3600)}
	start := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	for round := range 2 {
		for i := range maxWrittenDates/8 + 1 {
			at := start.Add(time.Duration(i) * 24 * time.Hour)
			for _, loc := range zones {
				for _, l := range Supported {
					for style := Long; style <= DayMonthShort; style++ {
						tm := at.In(loc)
						if got, want := Date(l, tm, style), writeDate(l, tm, style); got != want {
							t.Fatalf("round %d: Date(%s, %s, %d) = %q, written afresh %q", round, l, tm, style, got, want)
						}
					}
				}
			}
		}
	}
	if n := writtenCount.Load(); n > maxWrittenDates {
		t.Errorf("%d dates kept, at most %d wanted", n, maxWrittenDates)
	}
}
