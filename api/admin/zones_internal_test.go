package admin

import (
	"strings"
	"testing"
	"time"
)

func TestZoneOptions(t *testing.T) {
	winter := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	summer := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	opts := zoneOptions(winter)
	if got, want := len(opts), len(strings.Fields(zoneNames)); got != want {
		t.Fatalf("%d of the %d listed zones load", got, want)
	}
	label := map[string]string{}
	for _, o := range opts {
		label[o.Name] = o.Label
	}
	for name, want := range map[string]string{
		"America/Los_Angeles":            "Los Angeles (UTC\u221208:00)",
		"Asia/Kolkata":                   "Kolkata (UTC+05:30)",
		"America/Argentina/Buenos_Aires": "Buenos Aires (UTC\u221203:00)",
		"UTC":                            "UTC (UTC+00:00)",
		"Europe/Berlin":                  "Berlin (UTC+01:00)",
	} {
		if got := label[name]; got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	for _, o := range zoneOptions(summer) {
		if o.Name == "Europe/Berlin" && o.Label != "Berlin (UTC+02:00)" {
			t.Errorf("Berlin in summer: %q", o.Label)
		}
	}
}
