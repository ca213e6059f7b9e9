package timefmt_test

import (
	"testing"
	"time"

	"consult/web/timefmt"
)

func TestHoursFollowTheLanguage(t *testing.T) {
	tests := []struct {
		header string
		want   timefmt.Hours
	}{
		{"en-US,en;q=0.9", timefmt.H12},
		{"en", timefmt.H12},
		{"en-GB,en;q=0.8", timefmt.H24},
		{"de-DE,de;q=0.9,en;q=0.8", timefmt.H24},
		{"fr-CA", timefmt.H24},
		{"en-AU", timefmt.H12},
		{"", timefmt.H24},
		{"not a header ;;;", timefmt.H24},
	}
	for _, tt := range tests {
		if got := timefmt.HoursFor(tt.header); got != tt.want {
			t.Errorf("HoursFor(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
	for in, want := range map[string]timefmt.Hours{"12": timefmt.H12, "24h": timefmt.H24} {
		if got, ok := timefmt.ParseHours(in); !ok || got != want {
			t.Errorf("ParseHours(%q) = %v, %v", in, got, ok)
		}
	}
	if _, ok := timefmt.ParseHours("13"); ok {
		t.Error(`ParseHours("13") accepted`)
	}
}

func TestSpanReadsAsPeopleReadIt(t *testing.T) {
	start := time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC)
	tests := []struct {
		zone  string
		hours timefmt.Hours
		want  string
	}{
		{"Europe/Berlin", timefmt.H24, "Friday 4 December 2026, 18:00–18:20 (Berlin time, UTC+1)"},
		{"America/Los_Angeles", timefmt.H12, "Friday 4 December 2026, 9:00\u00a0AM–9:20\u00a0AM (Los Angeles time, UTC\u22128)"},
		{"Asia/Kolkata", timefmt.H24, "Friday 4 December 2026, 22:30–22:50 (Kolkata time, UTC+5:30)"},
		{"UTC", timefmt.H24, "Friday 4 December 2026, 17:00–17:20 (UTC)"},
		{"Mars/Olympus", timefmt.H24, "Friday 4 December 2026, 17:00–17:20 (UTC)"},
	}
	for _, tt := range tests {
		got := timefmt.SpanOf(start, start.Add(20*time.Minute), tt.zone, tt.hours, "Monday 2 January 2006").String()
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.zone, got, tt.want)
		}
	}
	// Across the autumn change in Los Angeles each end has its offset.
	at := time.Date(2026, 11, 1, 8, 50, 0, 0, time.UTC) // 01:50 PDT
	sp := timefmt.SpanOf(at, at.Add(20*time.Minute), "America/Los_Angeles", timefmt.H24, "2 Jan")
	if sp.Start != "01:50 (UTC\u22127)" || sp.End != "01:10 (UTC\u22128)" || sp.Zone != "Los Angeles time" {
		t.Errorf("span across the change: %+v", sp)
	}
}
