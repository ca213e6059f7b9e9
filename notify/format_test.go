package notify_test

import (
	"bytes"
	"testing"
	"time"

	"consult/notify"
)

func TestFormatWhenNamesTheOffsetAcrossDST(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	kathmandu, _ := time.LoadLocation("Asia/Kathmandu")
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name       string
		start, end time.Time
		loc        *time.Location
		want       string
	}{
		{"first 01:30 of the repeated hour", utc("2026-11-01T08:30:00Z"), utc("2026-11-01T08:50:00Z"), la,
			"Sunday 1 November 2026, 01:30–01:50 PDT (UTC-07:00)"},
		{"second 01:30 of the repeated hour", utc("2026-11-01T09:30:00Z"), utc("2026-11-01T09:50:00Z"), la,
			"Sunday 1 November 2026, 01:30–01:50 PST (UTC-08:00)"},
		{"across the change", utc("2026-11-01T08:50:00Z"), utc("2026-11-01T09:10:00Z"), la,
			"Sunday 1 November 2026, 01:50 PDT (UTC-07:00) – 01:10 PST (UTC-08:00)"},
		{"after the spring gap", utc("2026-03-29T01:00:00Z"), utc("2026-03-29T01:20:00Z"), berlin,
			"Sunday 29 March 2026, 03:00–03:20 CEST (UTC+02:00)"},
		{"just before the spring gap", utc("2026-03-29T00:40:00Z"), utc("2026-03-29T01:00:00Z"), berlin,
			"Sunday 29 March 2026, 01:40 CET (UTC+01:00) – 03:00 CEST (UTC+02:00)"},
		{"over midnight", utc("2026-12-02T07:50:00Z"), utc("2026-12-02T08:10:00Z"), la,
			"Tuesday 1 December 2026, 23:50 PST (UTC-08:00) – Wednesday 2 December 2026, 00:10 PST (UTC-08:00)"},
		{"zone without an abbreviation", utc("2026-12-02T03:15:00Z"), utc("2026-12-02T03:35:00Z"), kathmandu,
			"Wednesday 2 December 2026, 09:00–09:20 UTC+05:45"},
		{"UTC", utc("2026-12-02T03:15:00Z"), utc("2026-12-02T03:35:00Z"), time.UTC,
			"Wednesday 2 December 2026, 03:15–03:35 UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := notify.FormatWhen(tt.start, tt.end, tt.loc); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestKeyringSealsOpensAndRotates(t *testing.T) {
	k1 := bytes.Repeat([]byte{1}, notify.KeySize)
	k2 := bytes.Repeat([]byte{2}, notify.KeySize)
	old, err := notify.NewKeyring(k1)
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := old.SealToken("t7YWrTZsCV8bK6qIRuHN8A")
	again, _ := old.SealToken("t7YWrTZsCV8bK6qIRuHN8A")
	if bytes.Equal(sealed, again) || bytes.Contains(sealed, []byte("t7YWrTZsCV8bK6qIRuHN8A")) {
		t.Fatal("sealing is deterministic or shows the token")
	}
	if got, err := old.OpenToken(sealed); err != nil || got != "t7YWrTZsCV8bK6qIRuHN8A" {
		t.Fatalf("open: %q, %v", got, err)
	}
	other, _ := notify.NewKeyring(k2)
	if _, err := other.OpenToken(sealed); err == nil {
		t.Fatal("another key opened the token")
	}
	rotated, _ := notify.NewKeyring(k2, k1)
	if got, err := rotated.OpenToken(sealed); err != nil || got != "t7YWrTZsCV8bK6qIRuHN8A" {
		t.Fatalf("the old key in a rotated ring: %q, %v", got, err)
	}
	if fresh, _ := rotated.SealToken("x"); fresh != nil {
		if _, err := old.OpenToken(fresh); err == nil {
			t.Fatal("a rotated ring sealed with its old key")
		}
	}
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	if _, err := old.OpenToken(tampered); err == nil {
		t.Fatal("a tampered token opened")
	}
	if _, err := notify.NewKeyring([]byte("short")); err == nil {
		t.Fatal("a short key was accepted")
	}
}

func TestParseKey(t *testing.T) {
	want := bytes.Repeat([]byte{0xab}, notify.KeySize)
	for _, s := range []string{
		"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=",
		"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s",
		" abababababababababababababababababababababababababababababababab\n",
	} {
		if got, err := notify.ParseKey(s); err != nil || !bytes.Equal(got, want) {
			t.Errorf("ParseKey(%q) = %x, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "secret", "q6urq6urq6urq6s=", "zz" + string(bytes.Repeat([]byte("ab"), 31))} {
		if _, err := notify.ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) accepted", s)
		}
	}
}
