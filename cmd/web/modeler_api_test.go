package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// modelerAPICall sends a JSON request with the session's CSRF token and decodes
// the answer.
func modelerAPICall(t *testing.T, c *http.Client, method, url, token, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("X-CSRF-Token", token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, b)
		}
	}
	return resp.StatusCode
}

func TestScriptCheckAPI(t *testing.T) {
	ta := startApp(t, withPermissions(t))
	c := browser(t)
	signIn(t, c, ta.url, "alice", "alice-secret")
	_, doc := get(t, c, ta.url+"/models")
	token := csrfToken(t, doc)

	tests := []struct {
		name, body string
		status     int
		want       map[string]any
	}{
		{"valid script", `{"script": "total = 0\nfor i in items:\n    total += i\n", "kind": "script"}`, 200, map[string]any{"ok": true}},
		{"syntax error names the line", `{"script": "x = 1\nif x >:\n    y = 2\n", "kind": "script"}`, 200, map[string]any{"ok": false, "line": float64(2)}},
		{"valid expression", `{"script": "amount > 1000 and approved", "kind": "expression"}`, 200, map[string]any{"ok": true}},
		{"statement is not an expression", `{"script": "x = 1", "kind": "expression"}`, 200, map[string]any{"ok": false, "line": float64(1)}},
		{"unknown kind", `{"script": "x", "kind": "ruby"}`, 400, nil},
		{"not JSON", `script=x`, 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got map[string]any
			status := modelerAPICall(t, c, "POST", ta.url+"/api/scripts/check", token, tt.body, &got)
			if status != tt.status {
				t.Fatalf("status %d, want %d (%v)", status, tt.status, got)
			}
			if tt.want == nil {
				if got["message"] == "" || got["message"] == nil {
					t.Errorf("no message in %v", got)
				}
				return
			}
			if got["ok"] == false && got["message"] == "" {
				t.Errorf("a failed check needs a message: %v", got)
			}
			delete(got, "message")
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("answer (-want +got):\n%s", d)
			}
		})
	}

	t.Run("without the CSRF token", func(t *testing.T) {
		if status := modelerAPICall(t, c, "POST", ta.url+"/api/scripts/check", "", `{"script": "x = 1"}`, nil); status != http.StatusForbidden {
			t.Errorf("status %d, want 403", status)
		}
	})
	t.Run("not signed in", func(t *testing.T) {
		anon := browser(t)
		get(t, anon, ta.url+"/sign-in")
		var got map[string]any
		if status := modelerAPICall(t, anon, "GET", ta.url+"/api/connectors/commands", "", "", &got); status != http.StatusUnauthorized {
			t.Errorf("status %d, want 401", status)
		}
	})
}

// connectorList is the answer of GET /api/connectors/commands.
type connectorList struct {
	Commands []struct {
		ID         string `json:"id"`
		Parameters []struct {
			ID       string `json:"id"`
			Type     string `json:"type"`
			Required bool   `json:"required"`
		} `json:"parameters"`
	} `json:"commands"`
	Warning string `json:"warning"`
}

// ids lists the operator ids.
func (l connectorList) ids() []string {
	var out []string
	for _, c := range l.Commands {
		out = append(out, c.ID)
	}
	return out
}

// builtinOperators are the HTTP operators SpiffArena runs without a proxy.
var builtinOperators = []string{"http/DeleteRequest", "http/GetRequest", "http/HeadRequest", "http/PatchRequest", "http/PostRequest", "http/PutRequest"}

// missingOperators returns the built-in operators not in ids.
func missingOperators(ids []string) []string {
	var out []string
	for _, op := range builtinOperators {
		if !slices.Contains(ids, op) {
			out = append(out, op)
		}
	}
	return out
}

func TestConnectorCommandsAPI(t *testing.T) {
	ta := startApp(t, withPermissions(t))
	c := browser(t)
	signIn(t, c, ta.url, "alice", "alice-secret")
	var list connectorList
	if status := modelerAPICall(t, c, "GET", ta.url+"/api/connectors/commands", "", "", &list); status != 200 {
		t.Fatalf("status %d", status)
	}
	if list.Warning != "" {
		t.Errorf("warning %q without a connector proxy", list.Warning)
	}
	byID := map[string][]string{}
	for _, cmd := range list.Commands {
		for _, p := range cmd.Parameters {
			s := p.ID + ":" + p.Type
			if p.Required {
				s += "!"
			}
			byID[cmd.ID] = append(byID[cmd.ID], s)
		}
	}
	for _, op := range builtinOperators {
		ps, ok := byID[op]
		if !ok {
			t.Errorf("no operator %s in %v", op, byID)
			continue
		}
		if len(ps) == 0 || ps[0] != "url:str!" {
			t.Errorf("%s parameters %v, want url (str, required) first", op, ps)
		}
	}
	if !strings.Contains(strings.Join(byID["http/PostRequest"], " "), "data:any") {
		t.Errorf("http/PostRequest lacks data: %v", byID["http/PostRequest"])
	}
}

// closedURL is the URL of a port nothing listens on.
func closedURL(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// A connector proxy that is down leaves the built-in operators listed,
// with a warning for the analyst and the cause in the log.
func TestConnectorCommandsAPIProxyDown(t *testing.T) {
	vars := withPermissions(t)
	vars["WAYMARK_CONNECTOR_PROXY_URL"] = closedURL(t)
	ta := startApp(t, vars)
	c := browser(t)
	signIn(t, c, ta.url, "alice", "alice-secret")
	var list connectorList
	if status := modelerAPICall(t, c, "GET", ta.url+"/api/connectors/commands", "", "", &list); status != http.StatusOK {
		t.Fatalf("status %d, want 200 with the built-in operators", status)
	}
	if missing := missingOperators(list.ids()); len(missing) > 0 || len(list.Commands) == 0 {
		t.Errorf("operators with the proxy down %v lack the built-in %v", list.ids(), missing)
	}
	if !strings.Contains(list.Warning, "connector proxy") {
		t.Errorf("warning %q, want one naming the connector proxy", list.Warning)
	}
	if strings.Contains(list.Warning, "127.0.0.1") || strings.Contains(list.Warning, "refused") {
		t.Errorf("the warning shows internals: %q", list.Warning)
	}
	logs := ta.logs.String()
	if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "connector proxy") || !strings.Contains(logs, "/v1/commands") {
		t.Errorf("the cause is not in the log:\n%s", logs)
	}
}

// TestModelerConfigMetadataKeys: the modeler page offers the configured
// task metadata keys (WAYMARK_TASK_METADATA_KEYS) and then the model's
// metadata extraction keys, each once.
func TestModelerConfigMetadataKeys(t *testing.T) {
	vars := workflowVars(t, t.TempDir())
	vars["WAYMARK_TASK_METADATA_KEYS"] = "priority, item"
	ta := startApp(t, vars)
	c := browser(t)
	signIn(t, c, ta.url, "alice", "alice-secret")
	resp, doc := get(t, c, ta.url+"/process-models/purchases:approval/files/approval.bpmn/modeler")
	wantStatus(t, resp, http.StatusOK)
	var cfg struct {
		MetadataKeys []string `json:"metadataKeys"`
	}
	if err := json.Unmarshal([]byte(doc.Find("script#modeler-config").Text()), &cfg); err != nil {
		t.Fatalf("modeler config: %v", err)
	}
	if diff := cmp.Diff([]string{"priority", "item"}, cfg.MetadataKeys); diff != "" {
		t.Errorf("metadata keys (-want +got):\n%s", diff)
	}
}
