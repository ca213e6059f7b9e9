package webhook

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrAddressRefused is returned for an endpoint whose address the service
// does not send to.
var ErrAddressRefused = errors.New("the address is not one this service sends to")

// refusedAddr says why ip may not be reached, or "" when it may. Link-local
// addresses (the cloud metadata services among them), multicast and
// unspecified ones are always refused; loopback and private ranges unless
// allowPrivate.
func refusedAddr(ip netip.Addr, allowPrivate bool) string {
	ip = ip.Unmap()
	switch {
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		return "a link-local address"
	case ip.IsUnspecified(), ip.IsMulticast(), ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "not a host's address"
	case metadataAddr(ip):
		return "a cloud metadata address"
	case !allowPrivate && (ip.IsLoopback() || ip.IsPrivate() || sharedAddrs.Contains(ip)):
		return "a private address"
	}
	return ""
}

// sharedAddrs is the carrier-grade NAT range (RFC 6598), private in effect.
var sharedAddrs = netip.MustParsePrefix("100.64.0.0/10")

// metadataAddr reports the metadata services that sit outside link-local
// ranges: AWS's IPv6 one and Alibaba Cloud's.
func metadataAddr(ip netip.Addr) bool {
	return ip == netip.MustParseAddr("fd00:ec2::254") || ip == netip.MustParseAddr("100.100.100.200")
}

// NewClient returns the HTTP client webhooks are sent with: every address
// it connects to is checked as the connection is made (so a name that
// resolves anew cannot slip past), no proxy from the environment, no
// redirects followed (a 3xx is a failed delivery), and timeout for the
// whole exchange.
func NewClient(allowPrivate bool, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{
		Timeout: 5 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrAddressRefused, address)
			}
			if why := refusedAddr(ap.Addr(), allowPrivate); why != "" {
				return fmt.Errorf("%w (%s)", ErrAddressRefused, why)
			}
			return nil
		},
	}
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSHandshakeTimeout:    5 * time.Second,
		ResponseHeaderTimeout:  timeout,
		MaxIdleConns:           4,
		IdleConnTimeout:        30 * time.Second,
		MaxResponseHeaderBytes: 16 << 10,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
