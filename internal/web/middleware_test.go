package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/internal/config"
)

// The access log writes one line per request with what inner layers
// learned; with the level above info it writes nothing.
func TestAccessLogFollowsLevel(t *testing.T) {
	for _, c := range []struct {
		level slog.Level
		want  []string
	}{
		{slog.LevelInfo, []string{"msg=request", "method=POST", "path=/x", "status=201", "bytes=2", "user=ann", "client_ip=192.0.2.1"}},
		{slog.LevelError, nil},
	} {
		var logs bytes.Buffer
		s := &Server{cfg: config.Config{BaseURL: &url.URL{Scheme: "http", Host: "localhost:8000"}},
			log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: c.level}))}
		h := chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			state(r).user = &auth.User{Username: "ann"}
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte("ok"))
		}), s.requestID, s.accessLog)
		req := httptest.NewRequest(http.MethodPost, "/x", nil)
		req.RemoteAddr = "192.0.2.1:4000"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		line := logs.String()
		if c.want == nil && line != "" {
			t.Errorf("level %v: logged %q", c.level, line)
		}
		for _, f := range c.want {
			if !strings.Contains(line, f) {
				t.Errorf("level %v: %q missing from %q", c.level, f, line)
			}
		}
		if id := w.Header().Get("X-Request-Id"); c.want != nil && !strings.Contains(line, "request_id="+id) {
			t.Errorf("request id %q not in %q", id, line)
		}
	}
}

// Every response carries the security headers, HSTS only over https; a
// handler that adds to one of them changes that response only.
func TestSecurityHeadersPerResponse(t *testing.T) {
	for _, scheme := range []string{"http", "https"} {
		s := &Server{cfg: config.Config{BaseURL: &url.URL{Scheme: scheme, Host: "localhost:8000"}}}
		h := s.securityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/add" {
				w.Header().Add("Referrer-Policy", "no-referrer")
				w.Header().Set("X-Frame-Options", "SAMEORIGIN")
			}
		}))
		for _, path := range []string{"/add", "/plain", "/add", "/plain"} {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
			want := http.Header{
				"Content-Security-Policy":    {contentSecurityPolicy},
				"X-Content-Type-Options":     {"nosniff"},
				"X-Frame-Options":            {"DENY"},
				"Referrer-Policy":            {"same-origin"},
				"Cross-Origin-Opener-Policy": {"same-origin"},
			}
			if scheme == "https" {
				want["Strict-Transport-Security"] = []string{"max-age=31536000"}
			}
			if path == "/add" {
				want["Referrer-Policy"] = []string{"same-origin", "no-referrer"}
				want["X-Frame-Options"] = []string{"SAMEORIGIN"}
			}
			got := w.Header()
			if len(got) != len(want) {
				t.Errorf("%s %s: headers %v, want %v", scheme, path, got, want)
			}
			for k, v := range want {
				if !slices.Equal(got.Values(k), v) {
					t.Errorf("%s %s: %s = %q, want %q", scheme, path, k, got.Values(k), v)
				}
			}
		}
	}
}

// A JSON answer has its type and cache headers, the status and the body;
// the completion's answer is {"ok":true}.
func TestWriteJSON(t *testing.T) {
	w := httptest.NewRecorder()
	if err := writeJSON(w, http.StatusAccepted, map[string]any{"ok": true}); err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusAccepted || w.Body.String() != string(jsonOK) || w.Body.String() != "{\"ok\":true}\n" {
		t.Errorf("status %d, body %q", w.Code, w.Body.String())
	}
	if ct, cc := w.Header().Get("Content-Type"), w.Header().Get("Cache-Control"); ct != "application/json; charset=utf-8" || cc != "private, no-cache" {
		t.Errorf("Content-Type %q, Cache-Control %q", ct, cc)
	}
}
