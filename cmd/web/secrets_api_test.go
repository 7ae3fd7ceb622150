package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretsAPI: an admin's token lists, creates, replaces and deletes
// secrets under /api/v1/secrets; no answer holds a value, each change is
// in the audit log, and a user without the secrets permission is refused
// and changes nothing.
func TestSecretsAPI(t *testing.T) {
	const first, second = "v1-s3cr3t-77aa", "v2-s3cr3t-88bb"
	dataDir := t.TempDir()
	vars := withPermissions(t)
	vars["WAYMARK_DATA_DIR"] = dataDir
	if os.Getenv("WAYMARK_TEST_DATABASE") == "postgres" {
		vars["WAYMARK_DATABASE_URL"] = postgresFor(t, dataDir)
	}
	ta := startApp(t, vars)
	adminToken, msg, code := webCLI(t, vars, "token", "create", "--user", "alice", "--name", "ops")
	bobToken, _, code2 := webCLI(t, vars, "token", "create", "--user", "bob", "--name", "ops")
	if code != 0 || code2 != 0 {
		t.Fatalf("token create: %d %d %s", code, code2, msg)
	}
	adminToken, bobToken = strings.TrimSpace(adminToken), strings.TrimSpace(bobToken)
	c := &http.Client{}
	api := ta.url + "/api/v1/secrets"
	var answers []string
	call := func(method, u, token string, body any) (int, map[string]any) {
		t.Helper()
		status, out := bearerCall(t, c, method, u, token, body)
		answers = append(answers, strings.Join([]string{method, u, strings.ReplaceAll(strings.TrimSpace(jsonText(t, out)), "\n", " ")}, " "))
		return status, out
	}

	if status, out := call("GET", api, adminToken, nil); status != http.StatusOK || len(out["results"].([]any)) != 0 {
		t.Fatalf("empty list: %d %v", status, out)
	}
	status, out := call("POST", api, adminToken, map[string]any{"name": "crm_key", "value": first})
	if status != http.StatusCreated || out["name"] != "crm_key" || out["created_by"] != "alice" {
		t.Fatalf("create: %d %v", status, out)
	}
	if status, _ := call("POST", api, adminToken, map[string]any{"name": "crm_key", "value": second}); status != http.StatusConflict {
		t.Errorf("create a taken name: %d, want 409", status)
	}
	for name, body := range map[string]any{
		"bad name":      map[string]any{"name": "crm-key", "value": first},
		"no value":      map[string]any{"name": "other"},
		"empty value":   map[string]any{"name": "other", "value": ""},
		"unknown field": map[string]any{"name": "other", "value": first, "owner": "x"},
	} {
		if status, out := call("POST", api, adminToken, body); status != http.StatusBadRequest || !strings.Contains(out["message"].(string), "name") && !strings.Contains(out["message"].(string), "value") {
			t.Errorf("%s: %d %v, want 400 saying what is wrong", name, status, out)
		}
	}
	if v, _ := ta.app.secrets.Value(context.Background(), "crm_key"); v != first {
		t.Fatalf("stored %q after refused requests", v)
	}

	// bob has no secrets permission: refused, nothing changes.
	if status, _ := call("GET", api, bobToken, nil); status != http.StatusForbidden {
		t.Errorf("bob lists secrets: %d", status)
	}
	if status, _ := call("PUT", api+"/crm_key", bobToken, map[string]any{"value": "mallory"}); status != http.StatusForbidden {
		t.Errorf("bob sets a secret: %d", status)
	}
	req, _ := http.NewRequest("DELETE", api+"/crm_key", nil)
	req.Header.Set("Authorization", "Bearer "+bobToken)
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("bob deletes a secret: %v %v", resp, err)
	}
	if v, _ := ta.app.secrets.Value(context.Background(), "crm_key"); v != first {
		t.Fatalf("bob's requests changed the secret to %q", v)
	}

	status, out = call("PUT", api+"/crm_key", adminToken, map[string]any{"value": second})
	if status != http.StatusOK || out["updated_by"] != "alice" {
		t.Fatalf("replace: %d %v", status, out)
	}
	if v, _ := ta.app.secrets.Value(context.Background(), "crm_key"); v != second {
		t.Fatalf("stored %q after PUT", v)
	}
	if status, out := call("GET", api, adminToken, nil); status != http.StatusOK || len(out["results"].([]any)) != 1 {
		t.Fatalf("list: %d %v", status, out)
	}
	req, _ = http.NewRequest("DELETE", api+"/crm_key", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v %v", resp, err)
	}
	req, _ = http.NewRequest("DELETE", api+"/crm_key", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("delete again: %v %v", resp, err)
	}

	admin := signedInAs(t, ta.url, "alice", "alice-secret")
	_, doc := get(t, admin, ta.url+"/admin/audit")
	if n, m := doc.Find(`#audit tr[data-event="secret-set"]`).Length(), doc.Find(`#audit tr[data-event="secret-deleted"]`).Length(); n != 2 || m != 1 {
		t.Errorf("audit log has %d sets and %d deletes, want 2 and 1", n, m)
	}
	all := strings.Join(answers, "\n")
	ta.stop()
	for _, v := range []string{first, second} {
		if strings.Contains(all, v) {
			t.Errorf("an API answer holds a value:\n%s", all)
		}
		if strings.Contains(ta.logs.String(), v) {
			t.Error("the log holds a value")
		}
		for _, f := range []string{"waymark.db", "waymark.db-wal"} {
			b, _ := os.ReadFile(filepath.Join(dataDir, f))
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s holds a value", f)
			}
		}
	}
}

// jsonText is a decoded JSON answer as text again, for searching.
func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
