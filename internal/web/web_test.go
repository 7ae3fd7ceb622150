package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/waymark-bpm/waymark/internal/config"
)

func testServer(t *testing.T, logs *bytes.Buffer, proxies ...string) *Server {
	t.Helper()
	cfg := config.Config{BaseURL: &url.URL{Scheme: "http", Host: "localhost:8000"}}
	for _, p := range proxies {
		cfg.TrustedProxies = append(cfg.TrustedProxies, netip.MustParsePrefix(p))
	}
	return &Server{cfg: cfg, log: slog.New(slog.NewTextHandler(logs, nil))}
}

func TestRecoverPanics(t *testing.T) {
	var logs bytes.Buffer
	s := testServer(t, &logs)
	h := chain(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("kaboom") }),
		s.requestID, s.accessLog, s.recoverPanics)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/x", nil))

	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", w.Code)
	}
	doc, err := goquery.NewDocumentFromReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	page := doc.Find("#error").Text()
	if strings.Contains(page, "kaboom") {
		t.Error("the panic value reached the page")
	}
	if id := strings.TrimSpace(doc.Find("#error code").Text()); id == "" || id != w.Header().Get("X-Request-Id") {
		t.Errorf("request id %q on the page, %q in the header", id, w.Header().Get("X-Request-Id"))
	}
	if !strings.Contains(logs.String(), "kaboom") || !strings.Contains(logs.String(), "status=500") {
		t.Errorf("log does not record the panic and the 500:\n%s", logs.String())
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/inbox":                 "/inbox",
		"/models?x=1":            "/models?x=1",
		"":                       "",
		"inbox":                  "",
		"//evil.example/":        "",
		"/\\evil.example":        "",
		"https://evil.example/":  "",
		"/ok\r\nSet-Cookie: x=1": "",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClientIP(t *testing.T) {
	s := testServer(t, &bytes.Buffer{}, "10.0.0.0/8")
	tests := []struct {
		name, remote, xff, want string
	}{
		{"DirectClient", "198.51.100.7:5000", "", "198.51.100.7"},
		{"UntrustedPeerCannotForge", "198.51.100.7:5000", "203.0.113.1", "198.51.100.7"},
		{"TrustedProxy", "10.0.0.2:5000", "203.0.113.1", "203.0.113.1"},
		{"ForgedLeftEntryIgnored", "10.0.0.2:5000", "1.2.3.4, 203.0.113.1", "203.0.113.1"},
		{"ProxyChain", "10.0.0.2:5000", "203.0.113.1, 10.0.0.9", "203.0.113.1"},
		{"TrustedProxyWithoutHeader", "10.0.0.2:5000", "", "10.0.0.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if got := s.clientIP(r); got != tt.want {
				t.Errorf("clientIP = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	if k := classify(errCSRFToken); k.status != http.StatusForbidden {
		t.Errorf("CSRF error status %d", k.status)
	}
	if k := classify(bytes.ErrTooLarge); k.status != http.StatusInternalServerError {
		t.Errorf("unknown error status %d", k.status)
	}
}
