package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/internal/web"
)

// walkPermissions: an admin, carol with read and start on one group and
// nothing else, and nora with no rule at all.
const walkPermissions = `
users:
  alice: {password: alice-secret}
  carol: {password: carol-secret, email: carol@example.com}
  nora: {password: nora-secret}
groups:
  admin: {users: [alice]}
  purchasers: {users: [carol]}
permissions:
  admin-everything: {groups: [admin], actions: [all], uri: ALL}
  purchases: {groups: [purchasers], actions: [read, start], uri: PG:purchases}
`

// startWalkApp starts an app with the purchases test models, the demo
// examples group beside them and the given permissions.
func startWalkApp(t *testing.T, perms string) *testApp {
	t.Helper()
	dataDir := t.TempDir()
	models := filepath.Join(dataDir, "models")
	if err := os.CopyFS(models, os.DirFS("testdata/models")); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(models, "examples"), os.DirFS("../../examples/models/examples")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "permissions.yml")
	if err := os.WriteFile(path, []byte(perms), 0o600); err != nil {
		t.Fatal(err)
	}
	return startApp(t, map[string]string{
		"WAYMARK_PERMISSIONS_FILE": path,
		"WAYMARK_DATA_DIR":         dataDir,
		"WAYMARK_MODELS_DIR":       models,
		"WAYMARK_EXAMPLES":         "false",
	})
}

// pageToken returns the CSRF token any signed-in page carries for htmx.
func pageToken(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	_, doc := get(t, c, base+"/models")
	var hx map[string]string
	if err := json.Unmarshal([]byte(doc.Find("body").AttrOr("hx-headers", "")), &hx); err != nil || hx["X-CSRF-Token"] == "" {
		t.Fatalf("no CSRF token on /models: %v", err)
	}
	return hx["X-CSRF-Token"]
}

// walkIDs are the values put into route patterns.
type walkIDs struct {
	group, model          string // ids as URLs write them
	instance, task, name  string
	missingGroup, missing string // for unsafe requests, so nothing changes
}

var placeholder = regexp.MustCompile(`\{[a-z]+\}`)

// walkURL fills in a route pattern.
func walkURL(pattern string, ids walkIDs) (method, path string) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		return http.MethodGet, "/no-such-page"
	}
	if path == "/{$}" {
		return method, "/"
	}
	unsafe := method != http.MethodGet
	group, model := ids.group, ids.model
	if unsafe && !strings.Contains(path, "/start") {
		group, model = ids.missingGroup, ids.missing
	}
	path = placeholder.ReplaceAllStringFunc(path, func(p string) string {
		switch p {
		case "{id}":
			switch {
			case strings.Contains(path, "/process-groups/"):
				return group
			case strings.Contains(path, "/process-models/"):
				return model
			case strings.Contains(path, "/instances/"), strings.Contains(path, "/process-instances/"):
				return ids.instance
			}
			return "x"
		case "{instance}":
			return ids.instance
		case "{task}":
			return ids.task
		case "{name}":
			return ids.name
		case "{version}":
			return "1"
		}
		return "x"
	})
	return method, path
}

// outcome sends one request and says whether the permission check let it
// through: "allowed", or why not.
func outcome(t *testing.T, c *http.Client, base, token, method, path string) string {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-CSRF-Token", token)
	if strings.HasPrefix(path, "/api/") {
		req.Header.Set("Content-Type", "application/json")
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/sign-in"):
		return "sign-in"
	case resp.StatusCode == http.StatusUnauthorized:
		return "401"
	case resp.StatusCode == http.StatusForbidden && strings.Contains(string(body), `"error_code":"not_authorized"`) &&
		strings.Contains(string(body), "You need the permission"):
		return "403 " + string(body)
	case resp.StatusCode == http.StatusForbidden && strings.Contains(string(body), "You need the permission"):
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
		return "403 " + strings.TrimSpace(doc.Find("main").Text())
	}
	return "allowed"
}

// TestRouteWalkThreeUsers walks every registered route as an admin, as a
// user with read and start on one group, and as a user with no rule.
func TestRouteWalkThreeUsers(t *testing.T) {
	ta := startWalkApp(t, walkPermissions)
	alice := browser(t)
	signIn(t, alice, ta.url, "alice", "alice-secret")
	loc := startInstance(t, ta, alice, "purchases:approval")
	m := regexp.MustCompile(`^/(?:tasks|instances)/(\d+)(?:/(\d+))?$`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("start led to %q, want a task or the instance", loc)
	}
	if m[2] == "" {
		m[2] = "1"
	}
	own := walkIDs{group: "purchases", model: "purchases:approval", instance: m[1], task: m[2], name: "approval.bpmn",
		missingGroup: "purchases:zz-missing", missing: "purchases:zz-missing"}
	other := own
	other.group, other.model, other.name = "examples", "examples:hello-waymark", "hello-waymark.bpmn"
	other.missingGroup, other.missing = "examples:zz-missing", "examples:zz-missing"

	rules := web.RouteRules()
	var open []string // public and signed-in routes
	for _, r := range rules {
		if r[1] == "public" || r[1] == "signed-in" {
			open = append(open, r[0])
		}
	}
	// What carol's read and start on PG:purchases give her, beyond the
	// open routes.
	carolGets := []string{
		"GET /process-groups/{id}", "GET /process-groups/{id}/download", "GET /process-groups/{id}/history",
		"GET /process-groups/{id}/history/compare", "GET /process-groups/{id}/history/{version}",
		"GET /process-models/{id}", "GET /process-models/{id}/download", "GET /process-models/{id}/files/{name}",
		"GET /process-models/{id}/files/{name}/raw",
		"GET /process-models/{id}/files/{name}/history", "GET /process-models/{id}/files/{name}/history/compare",
		"GET /process-models/{id}/files/{name}/history/{version}",
		"GET /api/process-models/{id}/files", "GET /api/process-models/{id}/files/{name}",
		"GET /api/process-models/{id}/callers", "GET /api/process-models/{id}/messages",
		"GET /api/process-models/{id}/data-stores",
		"POST /process-models/{id}/start",
		"GET /api/v1/process-models/{id}", "POST /api/v1/process-models/{id}/process-instances",
		// Reading a model's settings, trying its tables, previewing its
		// forms and test runs in the editor read the model.
		"GET /process-models/{id}/settings", "POST /api/process-models/{id}/sandbox/form", "POST /api/process-models/{id}/sandbox/run",
		"POST /process-models/{id}/files/{name}/decisions/{decision}/try", "POST /process-models/{id}/files/{name}/preview",
	}
	users := []struct {
		name, password string
		allowed        []string // on the purchases group
		allowedOther   []string // on the examples group
	}{
		{"nora", "nora-secret", open, open},
		{"carol", "carol-secret", append(slices.Clone(open), carolGets...), open},
		{"alice", "alice-secret", nil, nil}, // everything
	}
	for _, u := range users {
		t.Run(u.name, func(t *testing.T) {
			c := browser(t)
			if u.name == "alice" {
				c = alice
			} else {
				signIn(t, c, ta.url, u.name, u.password)
			}
			token := pageToken(t, c, ta.url)
			for _, r := range rules {
				pattern := r[0]
				if pattern == "POST /sign-out" {
					continue // would end the walk; tested below
				}
				for _, side := range []struct {
					ids     walkIDs
					allowed []string
				}{{own, u.allowed}, {other, u.allowedOther}} {
					if side.ids.group == "examples" && !strings.Contains(pattern, "{id}") {
						continue
					}
					method, path := walkURL(pattern, side.ids)
					got := outcome(t, c, ta.url, token, method, path)
					want := u.allowed == nil || slices.Contains(side.allowed, pattern)
					if want && got != "allowed" {
						t.Errorf("%s: %s %s (%s) refused: %s", u.name, method, path, r[1], got)
					}
					if !want && got == "allowed" {
						t.Errorf("%s: %s %s (%s) allowed, want refused", u.name, method, path, r[1])
					}
					if testing.Verbose() && got != "allowed" {
						t.Logf("%s %s %s: %.120s", u.name, method, path, got)
					}
				}
			}
			// Signing out is open to all and ends the session.
			outcome(t, c, ta.url, token, http.MethodPost, "/sign-out")
			if got := outcome(t, c, ta.url, token, http.MethodGet, "/models"); got != "sign-in" {
				t.Errorf("%s: after sign-out /models is %s", u.name, got)
			}
		})
	}
}

// visibilityPermissions: bob starts purchases, cathy approves them, vera
// may read every purchases instance, nora has BASIC only.
const visibilityPermissions = `
default_group: everybody
users:
  bob: {password: bob-secret}
  cathy: {password: cathy-secret}
  vera: {password: vera-secret}
  nora: {password: nora-secret}
groups:
  requester: {users: [bob]}
  approvers: {users: [cathy]}
  auditors: {users: [vera]}
permissions:
  basic: {groups: [everybody], actions: [all], uri: BASIC}
  start-purchases: {groups: [requester], actions: [read, start], uri: PG:purchases}
  audit-purchases: {groups: [auditors], actions: [read], uri: "/process-instances/purchases:*"}
`

// TestInstanceVisibility: starters and lane members see their instances
// through BASIC's for-me path; read on a model's instances shows them to
// others; everyone else is refused, for the page, its diagram states and
// its files alike.
func TestInstanceVisibility(t *testing.T) {
	ta := startWalkApp(t, visibilityPermissions)
	users := map[string]*http.Client{}
	for _, u := range []string{"bob", "cathy", "vera", "nora"} {
		users[u] = browser(t)
		signIn(t, users[u], ta.url, u, u+"-secret")
	}
	loc := startInstance(t, ta, users["bob"], "purchases:approval")
	if loc != "/tasks/1/2" && !strings.HasPrefix(loc, "/tasks/1/") {
		t.Fatalf("start led to %q, want bob's request task", loc)
	}
	check := func(when string, want map[string]int) {
		t.Helper()
		for u, status := range want {
			for _, path := range []string{"/instances/1", "/api/instances/1/states"} {
				resp, _ := get(t, users[u], ta.url+path)
				if resp.StatusCode != status {
					t.Errorf("%s: %s GET %s: %d, want %d", when, u, path, resp.StatusCode, status)
				}
			}
		}
	}
	listed := func(u, query string) bool {
		t.Helper()
		_, doc := get(t, users[u], ta.url+"/instances"+query)
		return doc.Find(`a[href="/instances/1"]`).Length() > 0
	}
	check("started", map[string]int{"bob": 200, "vera": 200, "cathy": 403, "nora": 403})

	// bob sends the request on; the approval lands in cathy's lane.
	token := pageToken(t, users["bob"], ta.url)
	status, body := send(t, users["bob"], http.MethodPost, ta.url+"/api"+loc, "application/json", `{"item": "Chair", "amount": 80}`, token)
	if status != http.StatusOK {
		t.Fatalf("complete the request: %d %s", status, body)
	}
	check("waiting for approval", map[string]int{"bob": 200, "vera": 200, "cathy": 200, "nora": 403})

	for u, want := range map[string]bool{"bob": true, "cathy": true, "vera": false, "nora": false} {
		if got := listed(u, ""); got != want {
			t.Errorf("%s's instance list shows instance 1: %v, want %v", u, got, want)
		}
	}
	for u, want := range map[string]bool{"vera": true, "nora": false} {
		if got := listed(u, "?model=purchases:approval"); got != want {
			t.Errorf("%s's list of purchases:approval shows instance 1: %v, want %v", u, got, want)
		}
	}
}

// TestDenyAndEscapedIDs: a DENY rule holds against ids written with an
// escaped slash, which the routes read as one id.
func TestDenyAndEscapedIDs(t *testing.T) {
	ta := startWalkApp(t, `
users:
  dana: {password: dana-secret}
groups:
  editors: {users: [dana]}
permissions:
  everything: {groups: [editors], actions: [all], uri: ALL}
  keep-approval: {groups: [editors], actions: ['DENY:delete'], uri: PM:purchases/approval}
`)
	c := browser(t)
	signIn(t, c, ta.url, "dana", "dana-secret")
	token := pageToken(t, c, ta.url)
	for _, path := range []string{"/process-models/purchases:approval/delete", "/process-models/purchases%2Fapproval/delete"} {
		status, body := send(t, c, http.MethodPost, ta.url+path, "application/x-www-form-urlencoded", "", token)
		if status != http.StatusForbidden || !strings.Contains(body, "keep-approval") {
			t.Errorf("POST %s: %d, want 403 naming the DENY rule: %.300s", path, status, body)
		}
	}
	if _, err := os.Stat(filepath.Join(ta.dataDir, "models", "purchases", "approval", "approval.bpmn")); err != nil {
		t.Errorf("the model is gone: %v", err)
	}
	// Everything else is still allowed.
	if status, body := send(t, c, http.MethodPost, ta.url+"/process-models/purchases:checks/delete", "application/x-www-form-urlencoded", "", token); status != http.StatusSeeOther {
		t.Errorf("deleting another model: %d %.200s", status, body)
	}
}

// TestSpecPermissionsFileAsIs starts Waymark with the permissions file
// the extensions spec shows, unchanged: alice, in its admin group, may use
// every page, and the pages of its finance model exist for nobody else.
func TestSpecPermissionsFileAsIs(t *testing.T) {
	spec, err := os.ReadFile("../../../shared/spec/EXTENSIONS.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(users:.*?permissions:.*?)```").FindSubmatch(spec)
	if m == nil {
		t.Fatal("EXTENSIONS.md has no permissions example")
	}
	ta := startWalkApp(t, string(m[1]))
	alice := browser(t)
	resp, _ := signIn(t, alice, ta.url, "alice", "change-me")
	wantStatus(t, resp, http.StatusSeeOther)
	for _, path := range []string{"/admin", "/debug/url-info", "/models", "/process-groups/purchases", "/inbox", "/instances"} {
		resp, _ := get(t, alice, ta.url+path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("alice GET %s: %d", path, resp.StatusCode)
		}
	}
	token := pageToken(t, alice, ta.url)
	if status, body := send(t, alice, http.MethodPost, ta.url+"/process-groups", "application/x-www-form-urlencoded",
		url.Values{"id": {"finance"}, "display_name": {"Finance"}}.Encode(), token); status != http.StatusSeeOther {
		t.Errorf("alice creates a group: %d %.200s", status, body)
	}
}

// TestNavigationFollowsPermissions: the main navigation and the home
// redirect offer only pages the user's permissions open.
func TestNavigationFollowsPermissions(t *testing.T) {
	ta := startWalkApp(t, walkPermissions)
	for _, u := range []struct {
		name, password, home string
		links                []string
	}{
		// Start new is open to all: it lists only what the user may start.
		{"nora", "nora-secret", "/models", []string{"/start", "/models"}},
		{"carol", "carol-secret", "/models", []string{"/start", "/models"}},
		{"alice", "alice-secret", "/inbox", []string{"/start", "/models", "/inbox", "/instances", "/admin"}},
	} {
		c := browser(t)
		signIn(t, c, ta.url, u.name, u.password)
		resp, _ := get(t, c, ta.url+"/")
		if loc := resp.Header.Get("Location"); loc != u.home {
			t.Errorf("%s: home leads to %q, want %q", u.name, loc, u.home)
		}
		_, doc := get(t, c, ta.url+"/models")
		var links []string
		doc.Find("nav.main-nav a").Each(func(_ int, a *goquery.Selection) { links = append(links, a.AttrOr("href", "")) })
		if !slices.Equal(links, u.links) {
			t.Errorf("%s: navigation %v, want %v", u.name, links, u.links)
		}
	}
}

// TestSetPermissionsTakesEffect: rules swapped in (a reloaded file) decide
// the next request.
func TestSetPermissionsTakesEffect(t *testing.T) {
	ta := startWalkApp(t, walkPermissions)
	nora := browser(t)
	signIn(t, nora, ta.url, "nora", "nora-secret")
	if resp, _ := get(t, nora, ta.url+"/process-groups/purchases"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("before: %d", resp.StatusCode)
	}
	p, err := auth.ParsePermissions([]byte(walkPermissions+"  nora-reads: {users: [nora], actions: [read], uri: PG:purchases}\n"), "reloaded.yml")
	if err != nil {
		t.Fatal(err)
	}
	ta.app.server.Handler.(*web.Server).SetPermissions(p)
	if resp, _ := get(t, nora, ta.url+"/process-groups/purchases"); resp.StatusCode != http.StatusOK {
		t.Errorf("after: %d", resp.StatusCode)
	}
}

// TestSearchShowsReadableModels: process search on the models page lists
// only processes of models the user may read.
func TestSearchShowsReadableModels(t *testing.T) {
	ta := startWalkApp(t, walkPermissions)
	for _, u := range []struct {
		name, password string
		want           int
	}{{"carol", "carol-secret", 0}, {"alice", "alice-secret", 1}} {
		c := browser(t)
		signIn(t, c, ta.url, u.name, u.password)
		resp, doc := get(t, c, ta.url+"/models?q=Process_hello_waymark")
		wantStatus(t, resp, http.StatusOK)
		if n := doc.Find(`tr.process-match[data-process-id="Process_hello_waymark"]`).Length(); n != u.want {
			t.Errorf("%s finds the examples process %d times, want %d", u.name, n, u.want)
		}
	}
}
