package timefmt_test

import (
	"testing"
	"time"

	"consult/web/i18n"
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
	if got, want := sp.String(), "1 Nov, 01:50 (UTC\u22127) – 01:10 (UTC\u22128), Los Angeles time"; got != want {
		t.Errorf("across the change: %q, want %q", got, want)
	}
	late := time.Date(2026, 12, 2, 7, 50, 0, 0, time.UTC)
	if got, want := timefmt.SpanOf(late, late.Add(20*time.Minute), "America/Los_Angeles", timefmt.H24, "Mon 2 Jan").String(),
		"Tue 1 Dec, 23:50 – Wed 2 Dec, 00:10 (Los Angeles time, UTC\u22128)"; got != want {
		t.Errorf("over midnight: %q, want %q", got, want)
	}
}

// TestSpanNamesTheOffsetAcrossDST covers the hours a clock change repeats
// or skips: each reading names its offset, so none is ambiguous.
func TestSpanNamesTheOffsetAcrossDST(t *testing.T) {
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	const m = "\u2212"
	tests := []struct {
		name, start, end, zone, want string
	}{
		{"first 01:30 of the repeated hour", "2026-11-01T08:30:00Z", "2026-11-01T08:50:00Z", "America/Los_Angeles",
			"Sunday 1 November 2026, 01:30–01:50 (Los Angeles time, UTC" + m + "7)"},
		{"second 01:30 of the repeated hour", "2026-11-01T09:30:00Z", "2026-11-01T09:50:00Z", "America/Los_Angeles",
			"Sunday 1 November 2026, 01:30–01:50 (Los Angeles time, UTC" + m + "8)"},
		{"after the spring gap", "2026-03-29T01:00:00Z", "2026-03-29T01:20:00Z", "Europe/Berlin",
			"Sunday 29 March 2026, 03:00–03:20 (Berlin time, UTC+2)"},
		{"just before the spring gap", "2026-03-29T00:40:00Z", "2026-03-29T01:00:00Z", "Europe/Berlin",
			"Sunday 29 March 2026, 01:40 (UTC+1) – 03:00 (UTC+2), Berlin time"},
		{"a zone with a quarter-hour offset", "2026-12-02T03:15:00Z", "2026-12-02T03:35:00Z", "Asia/Kathmandu",
			"Wednesday 2 December 2026, 09:00–09:20 (Kathmandu time, UTC+5:45)"},
	}
	for _, tt := range tests {
		got := timefmt.SpanOf(utc(tt.start), utc(tt.end), tt.zone, timefmt.H24, "Monday 2 January 2006").String()
		if got != tt.want {
			t.Errorf("%s:\ngot  %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

// A span written in German reads as German writes it: its date, its
// 24-hour times and its zone.
func TestSpanInGerman(t *testing.T) {
	start := time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC)
	sp := timefmt.SpanIn(start, start.Add(20*time.Minute), "Europe/Berlin", timefmt.H24, i18n.DE, i18n.Long)
	if got, want := sp.String(), "Freitag, 4. Dezember 2026, 18:00–18:20 (Ortszeit Berlin, UTC+1)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if sp.Zone != "Ortszeit Berlin (UTC+1)" {
		t.Errorf("Zone = %q", sp.Zone)
	}
}

func TestPlaceTimeInEachLanguage(t *testing.T) {
	for l, want := range map[i18n.Lang]string{i18n.EN: "Los Angeles time", i18n.DE: "Ortszeit Los Angeles", i18n.FR: "heure de Los Angeles", i18n.ES: "hora de Los Angeles", "xx": "Los Angeles time"} {
		if got := timefmt.PlaceTime(l, "America/Los_Angeles"); got != want {
			t.Errorf("PlaceTime(%s) = %q, want %q", l, got, want)
		}
	}
}
