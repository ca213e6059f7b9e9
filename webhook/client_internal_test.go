package webhook

import (
	"net/netip"
	"testing"
)

// TestRefusedAddresses: link-local (metadata services among them),
// multicast and unspecified addresses are never reached; loopback and
// private ones only when allowed; public ones always.
func TestRefusedAddresses(t *testing.T) {
	cases := []struct {
		addr             string
		refused, private bool // refused even when private ones are allowed; refused unless allowed
	}{
		{"169.254.169.254", true, true}, // AWS, GCP, Azure metadata
		{"fe80::1", true, true},
		{"fd00:ec2::254", true, true},   // AWS metadata over IPv6
		{"100.100.100.200", true, true}, // Alibaba Cloud metadata
		{"::ffff:169.254.169.254", true, true},
		{"0.0.0.0", true, true},
		{"::", true, true},
		{"224.0.0.1", true, true},
		{"255.255.255.255", true, true},
		{"127.0.0.1", false, true},
		{"::1", false, true},
		{"::ffff:127.0.0.1", false, true},
		{"10.1.2.3", false, true},
		{"172.16.0.9", false, true},
		{"192.168.1.20", false, true},
		{"100.64.0.1", false, true},
		{"fd12:3456::1", false, true},
		{"93.184.215.14", false, false},
		{"2606:4700::1111", false, false},
	}
	for _, c := range cases {
		ip := netip.MustParseAddr(c.addr)
		if got := refusedAddr(ip, true) != ""; got != c.refused {
			t.Errorf("%s with private allowed: refused %v, want %v", c.addr, got, c.refused)
		}
		if got := refusedAddr(ip, false) != ""; got != c.private {
			t.Errorf("%s: refused %v, want %v", c.addr, got, c.private)
		}
	}
}
