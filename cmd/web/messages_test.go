package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const messagePermissions = `
users:
  alice:
    password: alice-secret
  bob:
    password: bob-secret
groups:
  senders:
    users: [alice]
  others:
    users: [bob]
permissions:
  basic:
    groups: [senders, others]
    actions: [all]
    uri: BASIC
  send-messages:
    groups: [senders]
    actions: [create]
    uri: /messages/*
`

// messageVars is an app whose repository holds the waiter model: started
// by order_request, then waiting for order_reply with the same order and
// customer.
func messageVars(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	perms := filepath.Join(dir, "permissions.yml")
	if err := os.WriteFile(perms, []byte(messagePermissions), 0o600); err != nil {
		t.Fatal(err)
	}
	models := filepath.Join(dir, "models")
	bpmn, err := os.ReadFile("../../internal/runner/testdata/msgwaiter/waiter.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"orders/process_group.json":        `{"display_name": "Orders"}`,
		"orders/waiter/process_model.json": `{"display_name": "Waiter", "primary_file_name": "waiter.bpmn", "primary_process_id": "waiter"}`,
		"orders/waiter/waiter.bpmn":        string(bpmn),
	}
	for name, content := range files {
		p := filepath.Join(models, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return map[string]string{"WAYMARK_PERMISSIONS_FILE": perms, "WAYMARK_MODELS_DIR": models, "WAYMARK_EXAMPLES": "false"}
}

// postJSON posts body to url with the session's CSRF token and decodes
// the JSON answer.
func postJSON(t *testing.T, c *http.Client, url, token, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
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
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		// The CSRF check refuses before the API answers, with a page.
		return resp.StatusCode, map[string]any{"body": string(b)}
	}
	return resp.StatusCode, out
}

// TestMessagesAPI: a message through the API starts the waiter, a second
// with the same correlation values reaches that instance, and one no one
// waits for is refused with a JSON error naming it.
func TestMessagesAPI(t *testing.T) {
	ta := startApp(t, messageVars(t))
	alice, bob := browser(t), browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	signIn(t, bob, ta.url, "bob", "bob-secret")
	_, page := get(t, alice, ta.url+"/inbox")
	token := csrfToken(t, page)
	_, bobPage := get(t, bob, ta.url+"/inbox")

	code, out := postJSON(t, alice, ta.url+"/api/v1/messages/order_request", token, `{"payload": {"order_id": 11, "customer_id": "c1"}}`)
	pi, _ := out["process_instance"].(map[string]any)
	if code != http.StatusOK || pi["status"] != "running" || pi["id"] == nil {
		t.Fatalf("first message: %d %v, want a running instance", code, out)
	}
	first := pi["id"]

	// The instance page says what it waits for, with the correlation
	// values the reply must carry.
	_, doc := get(t, alice, ta.url+"/instances/"+strconv.Itoa(int(first.(float64))))
	if got := strings.Join(strings.Fields(doc.Find("li.subscription").Text()), " "); got != `message order_reply with customer_id = "c1", order_id = 11 at get_reply` {
		t.Fatalf("instance page waits for %q", got)
	}

	// The wrong customer: no one waits, no model starts with order_reply.
	code, out = postJSON(t, alice, ta.url+"/api/v1/messages/order_reply", token, `{"payload": {"order_id": 11, "customer_id": "c2"}}`)
	if code != http.StatusBadRequest || out["error_code"] == nil || !strings.Contains(out["message"].(string), `"order_reply"`) {
		t.Fatalf("unmatched reply: %d %v, want 400 naming the message", code, out)
	}

	// SpiffArena's address, the right correlation values.
	code, out = postJSON(t, alice, ta.url+"/v1.0/messages/order_reply", token, `{"payload": {"order_id": 11, "customer_id": "c1", "ok": true}}`)
	pi, _ = out["process_instance"].(map[string]any)
	if code != http.StatusOK || pi["id"] != first || pi["status"] != "completed" {
		t.Fatalf("reply: %d %v, want instance %v completed", code, out, first)
	}

	for _, c := range []struct {
		name   string
		client *http.Client
		token  string
		body   string
		want   int
	}{
		{"no CSRF token", alice, "", `{"payload": {}}`, http.StatusForbidden},
		{"no permission", bob, csrfToken(t, bobPage), `{"payload": {"order_id": 12, "customer_id": "c1"}}`, http.StatusForbidden},
		{"not JSON", alice, token, `{"payload": `, http.StatusBadRequest},
		{"payload not an object", alice, token, `{"payload": [1, 2]}`, http.StatusBadRequest},
	} {
		code, out := postJSON(t, c.client, ta.url+"/api/v1/messages/order_request", c.token, c.body)
		if code != c.want {
			t.Errorf("%s: %d %v, want %d", c.name, code, out, c.want)
		}
	}
	// None of the refused requests started anything: the only instance is
	// the first one.
	resp, _ := get(t, alice, ta.url+"/instances/2")
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("instance 2 exists (%d): a refused message started one", resp.StatusCode)
	}
}
