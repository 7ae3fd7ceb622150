package connectors

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
)

// Built-in operators call public addresses only: loopback, private,
// link-local (cloud metadata) and other non-public addresses are refused
// when the connection is made, whether the URL names them directly,
// through a host name, or through a redirect from an allowed server.
func TestBuiltinOperatorsRefuseInternalAddresses(t *testing.T) {
	var hits atomic.Int32
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(`{"secret": "internal"}`))
	}))
	defer internal.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(internal.URL, "http://"))

	ctx := context.Background()
	call := func(r *Registry, url string) error {
		_, err := r.Do(ctx, Call{Operator: "http/GetRequestV2", Params: map[string]any{"url": url, "attempts": int64(3)}})
		return err
	}
	strict := New(Options{})
	for _, tc := range []struct{ name, url, reason string }{
		{"loopback", internal.URL + "/x", "loopback"},
		{"loopback by name", "http://localhost:" + port + "/x", "loopback"},
		{"IPv6 loopback", "http://[::1]:" + port + "/x", "loopback"},
		{"cloud metadata", "http://169.254.169.254/latest/meta-data/", "link-local"},
		{"private network", "http://10.1.2.3/", "private"},
		{"unspecified", "http://0.0.0.0:" + port + "/x", "unspecified"},
		{"IPv4-mapped loopback", "http://[::ffff:127.0.0.1]:" + port + "/x", "loopback"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := call(strict, tc.url)
			var ce *Error
			if !errors.As(err, &ce) || ce.Code != "AddressRefused" || !strings.Contains(ce.Message, tc.reason) {
				t.Fatalf("got %v, want AddressRefused naming %q", err, tc.reason)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the internal server was reached %d times", n)
	}

	// A server the operator allowed redirects to an address it did not.
	var redirects atomic.Int32
	allowedSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		redirects.Add(1)
		http.Redirect(w, r, "http://[::1]:"+port+"/x", http.StatusFound)
	}))
	defer allowedSrv.Close()
	onlyV4 := New(Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	err := call(onlyV4, allowedSrv.URL+"/start")
	var ce *Error
	if !errors.As(err, &ce) || ce.Code != "AddressRefused" || !strings.Contains(ce.Message, "::1") {
		t.Fatalf("redirect: got %v, want AddressRefused for ::1", err)
	}
	if redirects.Load() != 1 {
		t.Errorf("a refused address is not retried: the allowed server saw %d requests", redirects.Load())
	}
	if hits.Load() != 0 {
		t.Fatal("the redirect reached the internal server")
	}

	// What the operator allows is reached.
	if err := call(onlyV4, internal.URL+"/x"); err != nil {
		t.Fatalf("allowed address: %v", err)
	}
	if hits.Load() != 1 {
		t.Errorf("allowed address reached %d times", hits.Load())
	}
}

func TestRefusalPublicAddresses(t *testing.T) {
	for _, a := range []string{"93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"} {
		if why := refusal(netip.MustParseAddr(a), nil); why != "" {
			t.Errorf("%s refused: %s", a, why)
		}
	}
	for _, a := range []string{"100.100.100.200", "192.168.1.1", "172.16.0.1", "fd00::1", "fe80::1", "64:ff9b::a00:1", "255.255.255.255"} {
		if why := refusal(netip.MustParseAddr(a), nil); why == "" {
			t.Errorf("%s allowed", a)
		}
	}
}
