package httpx

import (
	"testing"
	"time"
)

func TestLimitKeyGroupsIPv6By64(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"::ffff:192.0.2.7", "::ffff:192.0.2.7"},
		{"not-an-ip", "not-an-ip"},
	}
	for _, tt := range tests {
		if got := limitKey(tt.addr); got != tt.want {
			t.Errorf("limitKey(%q) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

func TestBudgetsGiveBackWhatWasNotSpent(t *testing.T) {
	now := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	b := newBudgets(3, func() time.Time { return now })
	for i := range 3 {
		if !b.take("a") {
			t.Fatalf("take %d of 3 refused", i+1)
		}
	}
	if b.take("a") {
		t.Fatal("a fourth take within the burst was allowed")
	}
	if !b.take("b") {
		t.Error("another key shares the budget")
	}
	b.give("a")
	if !b.take("a") {
		t.Error("a unit given back cannot be taken again")
	}
	// Giving back never raises the budget over its burst.
	for range 10 {
		b.give("c")
	}
	for range 3 {
		b.take("c")
	}
	if b.take("c") {
		t.Error("units given back beyond the burst were kept")
	}
	// 3 a minute: one unit back every 20 seconds.
	now = now.Add(19 * time.Second)
	if b.take("a") {
		t.Error("a unit came back before 20 seconds")
	}
	now = now.Add(2 * time.Second)
	if !b.take("a") {
		t.Error("no unit back after 21 seconds")
	}
	// Full buckets are forgotten.
	now = now.Add(2 * time.Minute)
	b.take("d")
	if _, ok := b.buckets["b"]; ok {
		t.Error("a full bucket is kept")
	}
}
