package fetch

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
)

// errRefused is returned by the dial check; Safe reports it as ErrAddress.
var errRefused = errors.New("fetch: address refused")

// Always refused: nothing a calendar lives on, and the addresses a cloud
// machine's own secrets are served from.
var neverPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),          // "this network"
	netip.MustParsePrefix("169.254.0.0/16"),     // link-local, incl. 169.254.169.254 metadata
	netip.MustParsePrefix("100.100.100.200/32"), // Alibaba Cloud metadata
	netip.MustParsePrefix("192.0.0.0/24"),       // IETF protocol assignments (incl. Oracle's 192.0.0.192)
	netip.MustParsePrefix("224.0.0.0/4"),        // multicast
	netip.MustParsePrefix("240.0.0.0/4"),        // reserved, broadcast
	netip.MustParsePrefix("::/128"),             // unspecified
	netip.MustParsePrefix("fe80::/10"),          // link-local
	netip.MustParsePrefix("fd00:ec2::254/128"),  // AWS metadata over IPv6
	netip.MustParsePrefix("ff00::/8"),           // multicast
}

// Refused unless private addresses are allowed.
var privatePrefixes = []netip.Prefix{
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("fc00::/7"), // unique local
}

// Allowed reports whether addr may be connected to.
func Allowed(addr netip.Addr, allowPrivate bool) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || addr.Zone() != "" {
		return false // a zone names a link: link-local by nature
	}
	for _, p := range neverPrefixes {
		if p.Contains(addr) {
			return false
		}
	}
	if addr.Is6() {
		// NAT64 and 6to4 forms embed an IPv4 address: judge that one.
		if p := netip.MustParsePrefix("64:ff9b::/96"); p.Contains(addr) {
			b := addr.As16()
			return Allowed(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), allowPrivate)
		}
		if p := netip.MustParsePrefix("2002::/16"); p.Contains(addr) {
			b := addr.As16()
			return Allowed(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), allowPrivate)
		}
	}
	if allowPrivate {
		return true
	}
	for _, p := range privatePrefixes {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// dialControl checks, just before each connection is made, the address
// it goes to: after DNS has answered, so a name that resolves to a public
// address when the URL is checked and to a private one when it is fetched
// (DNS rebinding) is still caught.
func dialControl(allowPrivate bool) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			host, _, splitErr := net.SplitHostPort(address)
			if splitErr != nil {
				return errRefused
			}
			a, perr := netip.ParseAddr(host)
			if perr != nil {
				return errRefused
			}
			ap = netip.AddrPortFrom(a, 0)
		}
		if !Allowed(ap.Addr(), allowPrivate) {
			return errRefused
		}
		return nil
	}
}
