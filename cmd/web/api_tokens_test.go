package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// apiPermissions are the workflow users plus dave, a service account (no
// password: only tokens), who may read models and use the inbox but start
// nothing.
const apiPermissions = workflowPermissions + `
  readers-read:
    groups: [readers]
    actions: [read]
    uri: PG:ALL
  readers-basic:
    groups: [readers]
    actions: [all]
    uri: BASIC
`

// bearerCall sends a JSON request, with the bearer token when given, and
// decodes the JSON answer.
func bearerCall(t *testing.T, c *http.Client, method, u, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s: %d with Content-Type %q, want JSON: %s", method, u, resp.StatusCode, ct, raw)
	}
	if strings.Contains(u, "/api/v1/") {
		resp.Body = io.NopCloser(bytes.NewReader(raw))
		if ok, errs := openAPIValidator(t, u).ValidateHttpResponse(req, resp); !ok {
			for _, e := range errs {
				t.Errorf("%s %s: %d answer does not fit openapi.json: %s: %s", method, u, resp.StatusCode, e.Message, e.Reason)
				for _, se := range e.SchemaValidationErrors {
					t.Errorf("  at %s: %s", se.FieldPath, se.Reason)
				}
			}
		}
	}
	out := map[string]any{}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: %d, body is not a JSON object: %v: %s", method, u, resp.StatusCode, err, raw)
	}
	return resp.StatusCode, out
}

var (
	openAPIOnce sync.Once
	openAPIVal  validator.Validator
)

// openAPIValidator checks answers against the OpenAPI document the server
// serves, fetched once.
func openAPIValidator(t *testing.T, u string) validator.Validator {
	t.Helper()
	openAPIOnce.Do(func() {
		base, _, _ := strings.Cut(u, "/api/v1/")
		resp, err := http.Get(base + "/api/v1/openapi.json")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		doc, err := libopenapi.NewDocument(raw)
		if err != nil {
			t.Fatal(err)
		}
		v, errs := validator.NewValidator(doc)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		openAPIVal = v
	})
	if openAPIVal == nil {
		t.Fatal("no OpenAPI validator")
	}
	return openAPIVal
}

// webCLI runs a sub-command against the data directory.
func webCLI(t *testing.T, vars map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"web"}, args...), &out, &errOut, func(k string) string { return vars[k] })
	return out.String(), errOut.String(), code
}

// A token's whole life over real HTTP: made with the command line, it
// starts an instance with data, finds and completes its task (keys the
// form lacks refused), reads the instance; revoked, it is refused. A token
// of a user without start on the model is refused with the permission
// named.
func TestAPITokenLife(t *testing.T) {
	dataDir := t.TempDir()
	vars := workflowVars(t, dataDir)
	perms := filepath.Join(t.TempDir(), "permissions.yml")
	withDave := strings.Replace(apiPermissions, "groups:\n", "  dave: {}\ngroups:\n  readers:\n    users: [dave]\n", 1)
	if err := os.WriteFile(perms, []byte(withDave), 0o600); err != nil {
		t.Fatal(err)
	}
	vars["WAYMARK_PERMISSIONS_FILE"] = perms
	if os.Getenv("WAYMARK_TEST_DATABASE") == "postgres" {
		// The command line must reach the server's database.
		vars["WAYMARK_DATABASE_URL"] = postgresFor(t, dataDir)
	}
	ta := startApp(t, vars)
	c := &http.Client{}
	api := ta.url + "/api/v1"

	aliceToken, msg, code := webCLI(t, vars, "token", "create", "--user", "alice", "--name", "ci", "--expires", "24h")
	aliceToken = strings.TrimSpace(aliceToken)
	if code != 0 || !strings.HasPrefix(aliceToken, "wm_") || !strings.Contains(msg, `"ci" of alice`) {
		t.Fatalf("token create: %d %q %q", code, aliceToken, msg)
	}
	if _, msg, code := webCLI(t, vars, "token", "create", "--user", "alice", "--name", "ci"); code == 0 || !strings.Contains(msg, `already has a token labelled "ci"`) {
		t.Errorf("second token labelled ci: %d %q", code, msg)
	}
	if _, msg, code := webCLI(t, vars, "token", "create", "--user", "nobody"); code == 0 || !strings.Contains(msg, `no user "nobody"`) {
		t.Errorf("token of an unknown user: %d %q", code, msg)
	}
	daveToken, _, code := webCLI(t, vars, "token", "create", "--user", "dave")
	daveToken = strings.TrimSpace(daveToken)
	if code != 0 {
		t.Fatalf("dave's token: %d", code)
	}

	// Start with data; no CSRF token is needed with a bearer token.
	status, in := bearerCall(t, c, "POST", api+"/process-models/purchases:approval/process-instances", aliceToken,
		map[string]any{"data": map[string]any{"ticket": "CI-7", "priority": 2.5, "tags": []string{"a"}}})
	if status != http.StatusCreated || in["model"] != "purchases/approval" || in["started_by"] != "alice" || in["id"] == nil {
		t.Fatalf("start: %d %v", status, in)
	}
	id := int64(in["id"].(float64))
	if status, bad := bearerCall(t, c, "POST", api+"/process-models/purchases:approval/process-instances", aliceToken, map[string]any{"data": 5}); status != http.StatusBadRequest || bad["error_code"] != "bad_request" || !strings.Contains(fmt.Sprint(bad["message"]), "JSON object") {
		t.Errorf("data that is not an object: %d %v", status, bad)
	}
	if status, bad := bearerCall(t, c, "POST", api+"/process-models/purchases:nothing/process-instances", aliceToken, nil); status != http.StatusNotFound || bad["error_code"] != "not_found" {
		t.Errorf("start a missing model: %d %v", status, bad)
	}

	status, tasks := bearerCall(t, c, "GET", api+"/tasks", aliceToken, nil)
	var task int64
	for _, r := range tasks["results"].([]any) {
		if m := r.(map[string]any); int64(m["process_instance_id"].(float64)) == id {
			task = int64(m["id"].(float64))
		}
	}
	if status != http.StatusOK || task == 0 {
		t.Fatalf("tasks: %d %v, want the request task of instance %d", status, tasks, id)
	}
	taskURL := fmt.Sprintf("%s/tasks/%d/%d", api, id, task)
	status, shown := bearerCall(t, c, "GET", taskURL, aliceToken, nil)
	if status != http.StatusOK || shown["bpmn_identifier"] != "request" || shown["can_complete"] != true {
		t.Fatalf("task: %d %v", status, shown)
	}
	status, refused := bearerCall(t, c, "POST", taskURL, aliceToken, map[string]any{"item": "Laptop", "amount": 1200, "approved": true})
	if status != http.StatusUnprocessableEntity || refused["error_code"] != "undefined_fields" || !strings.Contains(fmt.Sprint(refused["message"]), "approved") {
		t.Fatalf("undefined key: %d %v", status, refused)
	}
	status, bad := bearerCall(t, c, "POST", taskURL, aliceToken, map[string]any{"item": "Laptop", "amount": 0})
	if status != http.StatusUnprocessableEntity || bad["error_code"] != "invalid" || !strings.Contains(fmt.Sprint(bad["errors"]), "amount") {
		t.Fatalf("invalid amount: %d %v", status, bad)
	}
	if status, done := bearerCall(t, c, "POST", taskURL, aliceToken, map[string]any{"item": "Laptop", "amount": 1200}); status != http.StatusOK {
		t.Fatalf("complete: %d %v", status, done)
	}

	status, detail := bearerCall(t, c, "GET", fmt.Sprintf("%s/process-instances/%d", api, id), aliceToken, nil)
	data, _ := detail["data"].(map[string]any)
	waiting, _ := detail["waiting_for"].(map[string]any)
	if status != http.StatusOK || detail["status"] != "running" || data["item"] != "Laptop" || data["ticket"] != "CI-7" || data["priority"] != 2.5 {
		t.Fatalf("instance: %d %v", status, detail)
	}
	if wt, _ := waiting["tasks"].([]any); len(wt) != 1 || wt[0].(map[string]any)["bpmn_identifier"] != "approve" {
		t.Errorf("waits for %v, want the approval task", waiting)
	}

	status, list := bearerCall(t, c, "GET", api+"/process-instances?model=purchases:approval&status=running&per_page=10", aliceToken, nil)
	results, _ := list["results"].([]any)
	page, _ := list["pagination"].(map[string]any)
	if status != http.StatusOK || len(results) != 1 || page["total"] != float64(1) || page["pages"] != float64(1) {
		t.Fatalf("list: %d %v", status, list)
	}
	if r := results[0].(map[string]any); r["started_by"] != "alice" || r["ended_at"] != nil || r["started_at"] == nil {
		t.Errorf("listed %v", r)
	}
	if status, bad := bearerCall(t, c, "GET", api+"/process-instances?status=sleeping", aliceToken, nil); status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(bad["message"]), `status="sleeping" is not one of`) {
		t.Errorf("bad status filter: %d %v", status, bad)
	}
	// What instances wait for: the approval waits for a person, not a timer.
	for query, want := range map[string]int{"waiting=task": 1, "waiting=timer": 0} {
		status, list := bearerCall(t, c, "GET", api+"/process-instances?model=purchases:approval&"+query, aliceToken, nil)
		if results, _ := list["results"].([]any); status != http.StatusOK || len(results) != want {
			t.Errorf("%s: %d, %d results, want %d", query, status, len(results), want)
		}
	}
	if status, _ := bearerCall(t, c, "GET", api+"/process-instances?waiting=ghosts", aliceToken, nil); status != http.StatusBadRequest {
		t.Errorf("an unknown waiting kind: %d, want 400", status)
	}

	// Suspend, resume, terminate; what the state forbids is 409.
	inst := fmt.Sprintf("%s/process-instances/%d", api, id)
	for _, step := range []struct {
		action, status string
		code           int
	}{{"suspend", "suspended", 200}, {"suspend", "", 409}, {"resume", "running", 200}, {"retry", "", 409}, {"terminate", "terminated", 200}, {"resume", "", 409}} {
		status, got := bearerCall(t, c, "POST", inst+"/"+step.action, aliceToken, nil)
		if status != step.code || (step.status != "" && got["status"] != step.status) || (step.code == 409 && got["error_code"] != "conflict") {
			t.Errorf("%s: %d %v, want %d %s", step.action, status, got, step.code, step.status)
		}
	}
	if status, got := bearerCall(t, c, "GET", inst, aliceToken, nil); status != http.StatusOK || got["ended_at"] == nil {
		t.Errorf("terminated instance: %d %v", status, got)
	}
	if status, no := bearerCall(t, c, "POST", inst+"/suspend", daveToken, nil); status != http.StatusForbidden || no["error_code"] != "not_authorized" {
		t.Errorf("dave suspends: %d %v", status, no)
	}

	// An instance in error (its script reads a variable nobody set) is
	// retried: the script fails again, and the answer says so.
	status, checks := bearerCall(t, c, "POST", api+"/process-models/purchases:checks/process-instances", aliceToken, nil)
	if status != http.StatusCreated {
		t.Fatalf("start checks: %d %v", status, checks)
	}
	checksURL := fmt.Sprintf("%s/process-instances/%d", api, int64(checks["id"].(float64)))
	_, checksDetail := bearerCall(t, c, "GET", checksURL, aliceToken, nil)
	manual, _ := checksDetail["waiting_for"].(map[string]any)["tasks"].([]any)
	if len(manual) != 1 {
		t.Fatalf("checks waits for %v, want the manual task", checksDetail["waiting_for"])
	}
	manualURL := fmt.Sprintf("%s/tasks/%d/%d", api, int64(checks["id"].(float64)), int64(manual[0].(map[string]any)["id"].(float64)))
	if status, e := bearerCall(t, c, "POST", manualURL, aliceToken, nil); status != http.StatusOK {
		t.Fatalf("complete the manual task: %d %v", status, e)
	}
	if status, e := bearerCall(t, c, "POST", checksURL+"/retry", aliceToken, nil); status != http.StatusOK || e["status"] != "error" || !strings.Contains(fmt.Sprint(e["error"]), "count") {
		t.Errorf("retry: %d %v, want the instance in error again, naming count", status, e)
	}

	// Dave may read the model but not start it.
	if status, m := bearerCall(t, c, "GET", api+"/process-models/purchases:approval", daveToken, nil); status != http.StatusOK || m["primary_process_id"] != "approval" {
		t.Errorf("dave reads the model: %d %v", status, m)
	}
	status, no := bearerCall(t, c, "POST", api+"/process-models/purchases:approval/process-instances", daveToken, map[string]any{"data": map[string]any{}})
	if status != http.StatusForbidden || no["error_code"] != "not_authorized" || !strings.Contains(fmt.Sprint(no["message"]), `"create" on "/process-instances/purchases:approval"`) {
		t.Errorf("dave starts: %d %v", status, no)
	}
	if status, other := bearerCall(t, c, "GET", fmt.Sprintf("%s/process-instances/%d", api, id), daveToken, nil); status != http.StatusForbidden {
		t.Errorf("dave reads alice's instance: %d %v", status, other)
	}

	out, _, code := webCLI(t, vars, "token", "list")
	if code != 0 || !strings.Contains(out, "alice\tci\tcreated ") || !strings.Contains(out, "dave\tdefault\t") || strings.Contains(out, aliceToken) {
		t.Errorf("token list: %d %q", code, out)
	}
	if strings.Contains(strings.Split(out, "\n")[0], "last used never") {
		t.Errorf("alice's token is not marked used: %q", out)
	}
	if _, _, code := webCLI(t, vars, "token", "revoke", "--user", "alice", "--name", "ci"); code != 0 {
		t.Fatalf("revoke: %d", code)
	}
	status, gone := bearerCall(t, c, "GET", api+"/tasks", aliceToken, nil)
	if status != http.StatusUnauthorized || gone["error_code"] != "invalid_token" {
		t.Errorf("revoked token: %d %v", status, gone)
	}

	expired, _, _ := webCLI(t, vars, "token", "create", "--user", "alice", "--name", "short", "--expires", "1ns")
	if status, e := bearerCall(t, c, "GET", api+"/tasks", strings.TrimSpace(expired), nil); status != http.StatusUnauthorized || e["error_code"] != "invalid_token" {
		t.Errorf("expired token: %d %v", status, e)
	}
	if status, e := bearerCall(t, c, "GET", api+"/tasks", "wm_forged", nil); status != http.StatusUnauthorized {
		t.Errorf("forged token: %d %v", status, e)
	}
	// SpiffArena's /v1.0 addresses check tokens the same way.
	if status, e := bearerCall(t, c, "POST", ta.url+"/v1.0/messages/anything", "wm_forged", map[string]any{}); status != http.StatusUnauthorized || e["error_code"] != "invalid_token" {
		t.Errorf("forged token on /v1.0: %d %v", status, e)
	}
	if status, e := bearerCall(t, c, "GET", api+"/tasks", "", nil); status != http.StatusUnauthorized || e["error_code"] != "not_authenticated" {
		t.Errorf("no token: %d %v", status, e)
	}
	if strings.Contains(ta.logs.String(), aliceToken) {
		t.Error("the log holds a token")
	}
}

// A browser session may call the API too, but an unsafe call must carry
// the session's CSRF token; the refusal is JSON.
func TestAPISessionNeedsCSRF(t *testing.T) {
	ta := startApp(t, workflowVars(t, t.TempDir()))
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	u := ta.url + "/api/v1/process-models/purchases:approval/process-instances"
	status, e := bearerCall(t, alice, "POST", u, "", map[string]any{"data": map[string]any{}})
	if status != http.StatusForbidden || e["error_code"] != "invalid_csrf_token" {
		t.Errorf("without CSRF token: %d %v", status, e)
	}
	req, _ := http.NewRequest("POST", u, strings.NewReader(`{"data": {}}`))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://elsewhere.example")
	resp, err := alice.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(raw), `"error_code":"cross_origin"`) {
		t.Errorf("cross-site: %d %s", resp.StatusCode, raw)
	}
	status, models := bearerCall(t, alice, "GET", ta.url+"/api/v1/process-models", "", nil)
	if results, _ := models["results"].([]any); status != http.StatusOK || len(results) != 3 {
		t.Errorf("models: %d %v", status, models)
	}
}

// Tokens made on the pages: bob makes his own on /account and sees it
// once; it works until he revokes it. The admin makes one for bob; bob
// cannot open the admin page, nor revoke another user's token by naming
// them in his form.
func TestAPITokenPages(t *testing.T) {
	ta := startApp(t, withPermissions(t))
	bob := browser(t)
	signIn(t, bob, ta.url, "bob", "bob-secret")
	_, account := get(t, bob, ta.url+"/account")
	csrf := csrfToken(t, account)
	if text(account, "#no-api-tokens") == "" {
		t.Fatalf("bob's account lists tokens already")
	}

	resp, made := postForm(t, bob, ta.url+"/account/api-tokens", url.Values{"csrf_token": {csrf}, "label": {"laptop"}, "expires": {"720h"}}, nil)
	token := text(made, "#new-token-value")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(token, "wm_") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("make a token: %d %q", resp.StatusCode, token)
	}
	if status, tasks := bearerCall(t, &http.Client{}, "GET", ta.url+"/api/v1/tasks", token, nil); status != http.StatusOK {
		t.Fatalf("bob's new token: %d %v", status, tasks)
	}
	_, again := get(t, bob, ta.url+"/account")
	if html, _ := again.Html(); strings.Contains(html, token) || !strings.Contains(text(again, "#api-tokens"), "laptop") {
		t.Errorf("the account page shows the token again, or not its label")
	}
	resp, dup := postForm(t, bob, ta.url+"/account/api-tokens", url.Values{"csrf_token": {csrf}, "label": {"laptop"}, "expires": {"0"}}, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(dup, "#api-token-error"), `labelled "laptop"`) {
		t.Errorf("duplicate label: %d %q", resp.StatusCode, text(dup, "#api-token-error"))
	}
	resp, _ = postForm(t, bob, ta.url+"/account/api-tokens", url.Values{"csrf_token": {csrf}, "label": {"x"}, "expires": {"soon"}}, nil)
	wantStatus(t, resp, http.StatusUnprocessableEntity)

	// The admin makes a token for bob; bob's form naming alice revokes
	// only bob's own token of that label.
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	_, adminPage := get(t, alice, ta.url+"/admin/api-tokens")
	resp, forBob := postForm(t, alice, ta.url+"/admin/api-tokens", url.Values{"csrf_token": {csrfToken(t, adminPage)}, "username": {"bob"}, "label": {"ci"}, "expires": {"0"}}, nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(text(forBob, "#new-token-value"), "wm_") || !strings.Contains(text(forBob, "#api-tokens"), "ci") {
		t.Fatalf("admin makes bob a token: %d", resp.StatusCode)
	}
	resp, _ = get(t, bob, ta.url+"/admin/api-tokens")
	wantStatus(t, resp, http.StatusForbidden)
	resp, _ = postForm(t, bob, ta.url+"/account/api-tokens/delete", url.Values{"csrf_token": {csrf}, "username": {"alice"}, "label": {"laptop"}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	if status, e := bearerCall(t, &http.Client{}, "GET", ta.url+"/api/v1/tasks", token, nil); status != http.StatusUnauthorized {
		t.Errorf("revoked on the account page, the token still works: %d %v", status, e)
	}
	_, list := get(t, alice, ta.url+"/admin/api-tokens")
	if rows := text(list, "#api-tokens"); !strings.Contains(rows, "ci") || strings.Contains(rows, "laptop") {
		t.Errorf("admin list after bob's revoke: %q", rows)
	}
	// Bob disabled, the token the admin made him is refused.
	bobsToken := text(forBob, "#new-token-value")
	if status, _ := bearerCall(t, &http.Client{}, "GET", ta.url+"/api/v1/tasks", bobsToken, nil); status != http.StatusOK {
		t.Fatalf("the admin's token for bob: %d", status)
	}
	_, admin := get(t, alice, ta.url+"/admin")
	bobPage := admin.Find(`#users tr[data-user="bob"] a`).AttrOr("href", "")
	resp, _ = postForm(t, alice, ta.url+bobPage+"/disable", url.Values{"csrf_token": {csrfToken(t, admin)}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	if status, e := bearerCall(t, &http.Client{}, "GET", ta.url+"/api/v1/tasks", bobsToken, nil); status != http.StatusUnauthorized || e["error_code"] != "invalid_token" {
		t.Errorf("token of a disabled user: %d %v", status, e)
	}

	_, audit := get(t, alice, ta.url+"/admin/audit")
	if a := text(audit, "main"); !strings.Contains(a, "api-token-created") || !strings.Contains(a, "api-token-revoked") {
		t.Errorf("the audit log lacks the token events")
	}
}
