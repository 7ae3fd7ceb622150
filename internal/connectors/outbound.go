package connectors

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// The built-in operators fetch URLs that model authors (and, through task
// data, end users) choose, from inside the server's network. So that a
// diagram cannot make the server read its own admin endpoints, a cloud
// metadata service or a database on the private network (server-side
// request forgery), their connections may only go to public addresses.
// The check runs when a connection is made, on the address DNS resolved
// to, so a name that resolves to a private address, a DNS answer that
// changes between check and use, and a redirect to an internal address
// are all refused alike. Addresses in Options.Allow
// (WAYMARK_CONNECTOR_ALLOW) may be reached although they are not public.
// The connector proxy is the operator's own service and is not checked.

// refusedRanges are the networks that are not public besides those
// netip.Addr's predicates name (loopback, private, link-local, multicast,
// unspecified).
var refusedRanges = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT, some cloud metadata services
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: IPv4 addresses, private ones included
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2002::/16"),       // 6to4, which embeds IPv4 addresses
	netip.MustParsePrefix("::ffff:0:0:0/96"), // IPv4-translated
}

// AddressError is a connection refused because its address is not public.
type AddressError struct {
	Addr   netip.Addr
	Reason string
}

func (e *AddressError) Error() string {
	return fmt.Sprintf("the address %s is %s: built-in connectors only call public addresses (WAYMARK_CONNECTOR_ALLOW can allow it)", e.Addr, e.Reason)
}

// refusal says why a connection to a is refused, or "" when it is not.
func refusal(a netip.Addr, allow []netip.Prefix) string {
	a = a.Unmap()
	for _, p := range allow {
		if p.Contains(a) {
			return ""
		}
	}
	switch {
	case a.IsLoopback():
		return "a loopback address"
	case a.IsPrivate():
		return "a private address"
	case a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast():
		return "a link-local address"
	case a.IsUnspecified():
		return "unspecified"
	case a.IsMulticast() || a.IsInterfaceLocalMulticast():
		return "a multicast address"
	}
	for _, p := range refusedRanges {
		if p.Contains(a) {
			return "not a public address"
		}
	}
	return ""
}

// guardControl is a net.Dialer Control function that refuses connections
// to addresses refusal names.
func guardControl(allow []netip.Prefix) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("connect to %s: %w", address, err)
		}
		if why := refusal(ap.Addr(), allow); why != "" {
			return &AddressError{Addr: ap.Addr().Unmap(), Reason: why}
		}
		return nil
	}
}

// guardedClient is the HTTP client of the built-in operators: every
// connection it makes, redirects included, is checked by refusal. It does
// not use an HTTP proxy from the environment, whose own connections the
// check could not see.
func guardedClient(allow []netip.Prefix, timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 30 * time.Second, Control: guardControl(allow)}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{
		Timeout:   timeout,
		Transport: t,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			return nil
		},
	}
}
