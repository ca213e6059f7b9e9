package httpx

import "testing"

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
