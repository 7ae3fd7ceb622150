package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeProxy is a connector proxy that answers the typeahead for category
// "employees" from a fixed list and records what it was asked.
type fakeProxy struct {
	*httptest.Server
	mu   sync.Mutex
	asks []string // escaped path and query of each typeahead request
}

var proxyEmployees = []map[string]any{
	{"name": "Ann Lee", "email": "ann@example.com", "id": 7.0},
	{"name": "Andy Roe", "email": "andy@example.com", "id": 8.0},
	{"name": "Bea Sun", "email": "bea@example.com", "id": 9.0},
}

func newFakeProxy(t *testing.T) *fakeProxy {
	t.Helper()
	p := &fakeProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/v1/commands":
			io.WriteString(w, "[]")
		case strings.HasPrefix(r.URL.Path, "/v1/type-ahead/"):
			p.mu.Lock()
			p.asks = append(p.asks, r.URL.EscapedPath()+"?"+r.URL.RawQuery)
			p.mu.Unlock()
			switch strings.TrimPrefix(r.URL.Path, "/v1/type-ahead/") {
			case "employees", "cost centres":
				prefix := strings.ToLower(r.URL.Query().Get("prefix"))
				out := []map[string]any{}
				for _, e := range proxyEmployees {
					if strings.HasPrefix(strings.ToLower(e["name"].(string)), prefix) {
						out = append(out, e)
					}
				}
				json.NewEncoder(w).Encode(out)
			case "broken":
				http.Error(w, "database down", http.StatusInternalServerError)
			case "odd":
				io.WriteString(w, `{"not": "a list"}`)
			default:
				io.WriteString(w, "[]")
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *fakeProxy) lastAsk() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.asks) == 0 {
		return ""
	}
	return p.asks[len(p.asks)-1]
}

// getJSON fetches u and decodes the JSON answer.
func getJSON(t *testing.T, c *http.Client, u string, out any) *http.Response {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("GET %s: content type %q", u, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp
}

// TestTypeaheadEndpoint checks GET /api/typeahead/{category}: it forwards
// to the connector proxy's /v1/type-ahead/{category} with prefix and limit
// (100 at most) and answers the proxy's records; without a proxy, or when
// the proxy fails, it answers a JSON error that says so.
func TestTypeaheadEndpoint(t *testing.T) {
	proxy := newFakeProxy(t)
	vars := withPermissions(t)
	vars["WAYMARK_CONNECTOR_PROXY_URL"] = proxy.URL
	ta := startApp(t, vars)
	c := browser(t)

	var e map[string]any
	resp := getJSON(t, c, ta.url+"/api/typeahead/employees?prefix=an", &e)
	wantStatus(t, resp, http.StatusUnauthorized)

	signIn(t, c, ta.url, "alice", "alice-secret")
	var got []map[string]any
	resp = getJSON(t, c, ta.url+"/api/typeahead/employees?prefix=An", &got)
	wantStatus(t, resp, http.StatusOK)
	if d := cmp.Diff(proxyEmployees[:2], got); d != "" {
		t.Errorf("records (-want +got):\n%s", d)
	}
	if ask := proxy.lastAsk(); ask != "/v1/type-ahead/employees?limit=100&prefix=An" {
		t.Errorf("proxy asked %q", ask)
	}

	limits := []struct{ query, ask string }{
		{"?prefix=b&limit=5", "/v1/type-ahead/employees?limit=5&prefix=b"},
		{"?prefix=b&limit=500", "/v1/type-ahead/employees?limit=100&prefix=b"},
		{"", "/v1/type-ahead/employees?limit=100&prefix="},
	}
	for _, l := range limits {
		resp = getJSON(t, c, ta.url+"/api/typeahead/employees"+l.query, &got)
		wantStatus(t, resp, http.StatusOK)
		if ask := proxy.lastAsk(); ask != l.ask {
			t.Errorf("%s: proxy asked %q, want %q", l.query, ask, l.ask)
		}
	}
	resp = getJSON(t, c, ta.url+"/api/typeahead/cost%20centres?prefix=bea%20s", &got)
	wantStatus(t, resp, http.StatusOK)
	if ask := proxy.lastAsk(); ask != "/v1/type-ahead/cost%20centres?limit=100&prefix=bea+s" || len(got) != 1 {
		t.Errorf("category with a space: proxy asked %q, records %v", ask, got)
	}

	resp = getJSON(t, c, ta.url+"/api/typeahead/employees?limit=many", &e)
	wantStatus(t, resp, http.StatusBadRequest)

	for _, cat := range []string{"broken", "odd"} {
		e = nil
		resp = getJSON(t, c, ta.url+"/api/typeahead/"+cat+"?prefix=x", &e)
		wantStatus(t, resp, http.StatusBadGateway)
		if e["error"] != "Connector proxy failed" || !strings.Contains(e["message"].(string), cat) {
			t.Errorf("%s: error %v", cat, e)
		}
		if strings.Contains(e["message"].(string), "database down") {
			t.Errorf("%s: the proxy's answer reached the user: %v", cat, e)
		}
	}
	if !strings.Contains(ta.logs.String(), "typeahead: connector proxy failed") {
		t.Error("a failing proxy is not logged")
	}

	// Without a connector proxy the answer says what is missing.
	bare := startApp(t, withPermissions(t))
	c2 := browser(t)
	signIn(t, c2, bare.url, "alice", "alice-secret")
	e = nil
	resp = getJSON(t, c2, bare.url+"/api/typeahead/employees?prefix=an", &e)
	wantStatus(t, resp, http.StatusServiceUnavailable)
	if e["error"] != "No connector proxy" || !strings.Contains(e["message"].(string), "WAYMARK_CONNECTOR_PROXY_URL") {
		t.Errorf("without a proxy: %v", e)
	}
}

// TestMarkdownPreviewEndpoint checks POST /api/markdown/preview: Markdown
// becomes sanitised HTML, and no template runs over what the user typed.
func TestMarkdownPreviewEndpoint(t *testing.T) {
	ta := startApp(t, withPermissions(t))
	c := browser(t)
	signIn(t, c, ta.url, "alice", "alice-secret")
	_, doc := get(t, c, ta.url+"/inbox")
	token := csrfToken(t, doc)
	post := func(md string, header http.Header) (int, map[string]string) {
		req, _ := http.NewRequest(http.MethodPost, ta.url+"/api/markdown/preview", strings.NewReader(url.Values{"markdown": {md}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]string
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	status, out := post("**Hi** {{ secret }} <script>alert(1)</script> [x](javascript:alert(1))", http.Header{"X-Csrf-Token": {token}})
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, out)
	}
	html := out["html"]
	if !strings.Contains(html, "<strong>Hi</strong>") || !strings.Contains(html, "{{ secret }}") {
		t.Errorf("preview %q", html)
	}
	if strings.Contains(html, "<script") || strings.Contains(html, "javascript:") {
		t.Errorf("preview not sanitised: %q", html)
	}
	if status, _ := post("x", nil); status != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d", status)
	}
}
