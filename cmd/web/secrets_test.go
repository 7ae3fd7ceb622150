package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// secretCallModel calls an API twice with a secret token: the first call
// answers with what it received, the second is refused and its error names
// the URL, which holds the token too.
const secretCallModel = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_secret" targetNamespace="http://waymark.test/secret">
  <bpmn:process id="secret_call" name="Secret call" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fetch" />
    <bpmn:serviceTask id="fetch" name="Fetch">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="http/GetRequestV2" resultVariable="fetched">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="url" type="str" value="&quot;API_URL/echo&quot;" />
            <spiffworkflow:parameter id="headers" type="any" value="{&quot;Authorization&quot;: &quot;Bearer SPIFF_SECRET:api_token&quot;}" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="fetch" targetRef="refused" />
    <bpmn:serviceTask id="refused" name="Refused">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="http/GetRequestV2" resultVariable="never">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="url" type="str" value="&quot;API_URL/refuse?key=SPIFF_SECRET:api_token&quot;" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="refused" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// A secret reaches the service it is meant for and nowhere else: not task
// data, not the stored job or the event log (the database file is searched
// byte by byte), not the error shown on the instance page, not the log.
func TestSecretNeverLeaves(t *testing.T) {
	const token = "tok-5ecret-a1b2c3d4"
	var received []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received = append(received, r.Header.Get("Authorization")+"|"+r.URL.Query().Get("key"))
		if r.URL.Path == "/refuse" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"you_sent": r.Header.Get("Authorization")})
	}))
	defer api.Close()

	dataDir := t.TempDir()
	vars := workflowVars(t, dataDir)
	vars["WAYMARK_CONNECTOR_ALLOW"] = "127.0.0.1/32"
	// alice is an admin too, so the API shows her everything it would.
	perms := filepath.Join(t.TempDir(), "permissions.yml")
	if err := os.WriteFile(perms, []byte(withAdmin(workflowPermissions, "alice")), 0o600); err != nil {
		t.Fatal(err)
	}
	vars["WAYMARK_PERMISSIONS_FILE"] = perms
	dir := filepath.Join(vars["WAYMARK_MODELS_DIR"], "purchases", "secret-call")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "process_model.json"), []byte(`{"display_name": "Secret call", "description": "", "display_order": 0, "primary_file_name": "call.bpmn", "primary_process_id": "secret_call"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "call.bpmn"), []byte(strings.ReplaceAll(secretCallModel, "API_URL", api.URL)), 0o644)

	// The secret is set through the command line, as an operator would.
	stdin = strings.NewReader(token + "\n")
	defer func() { stdin = os.Stdin }()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return map[string]string{"WAYMARK_DATA_DIR": dataDir}[k] }
	if code := run(context.Background(), []string{"web", "secret", "set", "api_token"}, &out, &errOut, getenv); code != 0 {
		t.Fatalf("web secret set: %d %s", code, errOut.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"web", "secret", "list"}, &out, &errOut, getenv); code != 0 || !strings.HasPrefix(out.String(), "api_token\t") || strings.Contains(out.String(), token) {
		t.Fatalf("web secret list: %d %q", code, out.String())
	}

	ta := startApp(t, vars)
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	_, inbox := get(t, alice, ta.url+"/inbox")
	resp, _ := postForm(t, alice, ta.url+"/process-models/purchases:secret-call/start", map[string][]string{"csrf_token": {csrfToken(t, inbox)}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d", resp.StatusCode)
	}

	deadline := time.Now().Add(30 * time.Second)
	var status string
	for time.Now().Before(deadline) {
		_, doc := get(t, alice, ta.url+"/instances/1")
		if status = text(doc, "#instance-status"); status == "error" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if status != "error" {
		t.Fatalf("instance status %q, want error at the refused call", status)
	}
	if len(received) != 2 || received[0] != "Bearer "+token+"|" || received[1] != "|"+token {
		t.Errorf("the API received %q, want the token in the header, then in the query", received)
	}

	r, err := alice.Get(ta.url + "/instances/1")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if bytes.Contains(page, []byte(token)) {
		t.Error("the instance page shows the secret")
	}
	if !bytes.Contains(page, []byte("key=***")) {
		t.Errorf("the error does not show the redacted URL: %s", page)
	}
	// Nor does any answer of the JSON API: the secrets, the instance with
	// its data and tasks, and setting the secret again.
	apiToken, msg, code := webCLI(t, vars, "token", "create", "--user", "alice", "--name", "leak-check")
	if code != 0 {
		t.Fatalf("token create: %d %s", code, msg)
	}
	apiToken = strings.TrimSpace(apiToken)
	v1 := ta.url + "/api/v1"
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/secrets", nil},
		{"PUT", "/secrets/api_token", map[string]any{"value": token}},
		{"GET", "/secrets", nil},
		{"GET", "/process-instances", nil},
		{"GET", "/process-instances/1", nil},
		{"GET", "/tasks", nil},
	} {
		status, out := bearerCall(t, &http.Client{}, c.method, v1+c.path, apiToken, c.body)
		if status != http.StatusOK {
			t.Errorf("%s %s: %d %v", c.method, c.path, status, out)
		}
		if b, _ := json.Marshal(out); bytes.Contains(b, []byte(token)) {
			t.Errorf("%s %s answers the secret: %s", c.method, c.path, b)
		}
	}
	ta.stop()
	if strings.Contains(ta.logs.String(), token) {
		t.Error("the log holds the secret")
	}
	for _, f := range []string{"waymark.db", "waymark.db-wal"} {
		b, err := os.ReadFile(filepath.Join(dataDir, f))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(token)) {
			t.Errorf("%s holds the secret", f)
		}
	}
}

// Admins set, list and delete secrets on a page that never shows a value;
// others are refused, and nothing they send is stored.
func TestSecretsAdminPage(t *testing.T) {
	const value = "pw-9a8b7c6d5e4f"
	dataDir := t.TempDir()
	vars := withPermissions(t)
	vars["WAYMARK_DATA_DIR"] = dataDir
	ta := startApp(t, vars)
	admin := signedInAs(t, ta.url, "alice", "alice-secret")

	resp, doc := submit(t, admin, ta.url, "/admin/secrets", "#secret-form", url.Values{"name": {"bad-name"}, "value": {value}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if text(doc, "#secret-error") == "" || doc.Find(`#secret-name`).AttrOr("value", "") != "bad-name" {
		t.Errorf("a refused name is not explained, or the typed name is lost")
	}
	resp, _ = submit(t, admin, ta.url, "/admin/secrets", "#secret-form", url.Values{"name": {"smtp_password"}, "value": {value}})
	wantStatus(t, resp, http.StatusSeeOther)
	r, err := admin.Get(ta.url + "/admin/secrets")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if bytes.Contains(page, []byte(value)) {
		t.Error("the secrets page shows a value")
	}
	if !bytes.Contains(page, []byte(`data-secret="smtp_password"`)) {
		t.Errorf("the secret is not listed:\n%s", page)
	}
	v, err := ta.app.secrets.Value(context.Background(), "smtp_password")
	if err != nil || v != value {
		t.Fatalf("stored value %q, %v", v, err)
	}

	bob := signedInAs(t, ta.url, "bob", "bob-secret")
	if resp, _ := get(t, bob, ta.url+"/admin/secrets"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bob reads the secrets page: %d", resp.StatusCode)
	}
	_, inbox := get(t, bob, ta.url+"/inbox")
	if resp, _ := postForm(t, bob, ta.url+"/admin/secrets", url.Values{"csrf_token": {csrfToken(t, inbox)}, "name": {"smtp_password"}, "value": {"mallory"}}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bob sets a secret: %d", resp.StatusCode)
	}
	if resp, _ := postForm(t, bob, ta.url+"/admin/secrets/smtp_password/delete", url.Values{"csrf_token": {csrfToken(t, inbox)}}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bob deletes a secret: %d", resp.StatusCode)
	}
	if v, _ := ta.app.secrets.Value(context.Background(), "smtp_password"); v != value {
		t.Errorf("bob's requests changed the secret to %q", v)
	}

	resp, _ = submit(t, admin, ta.url, "/admin/secrets", `tr[data-secret="smtp_password"] form`, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	if _, doc := get(t, admin, ta.url+"/admin/secrets"); doc.Find("#no-secrets").Length() != 1 {
		t.Error("the deleted secret is still listed")
	}
	_, doc = get(t, admin, ta.url+"/admin/audit")
	if doc.Find(`#audit tr[data-event="secret-set"]`).Length() != 1 || doc.Find(`#audit tr[data-event="secret-deleted"]`).Length() != 1 {
		t.Error("setting and deleting the secret are not in the audit log")
	}
	ta.stop()
	for _, f := range []string{"waymark.db", "waymark.db-wal"} {
		b, err := os.ReadFile(filepath.Join(dataDir, f))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(value)) {
			t.Errorf("%s holds the secret", f)
		}
	}
}
