package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
	"github.com/waymark-bpm/waymark/internal/auth"
	"github.com/waymark-bpm/waymark/internal/auth/oidctest"
	"github.com/waymark-bpm/waymark/internal/config"
	"github.com/waymark-bpm/waymark/internal/store"
)

// oidcPermissions has a password user who starts the approval model, a
// file user meant for sign-in through a provider (frank, no password), and
// an approver known only by email.
const oidcPermissions = `
default_group: everybody
users:
  alice:
    email: alice@example.com
    password: alice-secret
  frank:
    email: frank@example.com
groups:
  requester:
    users: [alice]
  approvers:
    users: [erin@example.com]
  auditors:
    users: [frank]
permissions:
  everybody-basic:
    groups: [everybody]
    actions: [all]
    uri: BASIC
  everybody-start:
    groups: [everybody]
    actions: [read, start]
    uri: PG:ALL
`

// oidcEnv is a running Waymark whose base URL is its real address, so a
// provider can send browsers back to it, and the test provider it trusts.
type oidcEnv struct {
	ta *testApp
	op *oidctest.Provider
	// url is Waymark's base URL, with its path prefix if any.
	url string
}

// The providers of the providers file: one well-behaved client and two
// whose ID tokens Waymark must refuse.
const oidcProvidersFile = `
providers:
  - id: test
    name: Test Provider
    issuer: %[1]s
    client_id: waymark
    client_secret_file: %[2]s
  - id: expired
    name: Expired Tokens
    issuer: %[1]s
    client_id: waymark-expired
    client_secret: expired-secret
  - id: elsewhere
    name: Other Audience
    issuer: %[1]s
    client_id: waymark-elsewhere
    client_secret: elsewhere-secret
  - id: replay
    name: Replayed Tokens
    issuer: %[1]s
    client_id: waymark-replay
    client_secret: replay-secret
`

// startOIDC starts the test provider with its users and clients and a
// Waymark that trusts it through a providers file. vars are added to the
// configuration.
func startOIDC(t *testing.T, vars map[string]string) *oidcEnv {
	t.Helper()
	op := oidctest.Start(t)
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "client-secret")
	writeFile(t, secretFile, "waymark-secret\n")
	providers := filepath.Join(dir, "providers.yml")
	writeFile(t, providers, fmt.Sprintf(oidcProvidersFile, op.Issuer, secretFile))
	perms := filepath.Join(dir, "permissions.yml")
	writeFile(t, perms, oidcPermissions)
	dataDir := t.TempDir()
	models := filepath.Join(dataDir, "models")
	if err := os.CopyFS(models, os.DirFS("testdata/models")); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"WAYMARK_PERMISSIONS_FILE":    perms,
		"WAYMARK_OIDC_PROVIDERS_FILE": providers,
		"WAYMARK_DATA_DIR":            dataDir,
		"WAYMARK_MODELS_DIR":          models,
		"WAYMARK_EXAMPLES":            "false",
	}
	for k, v := range vars {
		env[k] = v
	}
	ta := startAppAtOwnURL(t, env)
	base := ta.url + strings.TrimRight(env["WAYMARK_BASE_PATH"], "/")

	for _, c := range []oidctest.Client{
		{ID: "waymark", Secret: "waymark-secret"},
		{ID: "waymark-expired", Secret: "expired-secret", IDTokenLifetime: -time.Hour},
		{ID: "waymark-elsewhere", Secret: "elsewhere-secret", SubstituteAudience: "another-application"},
		{ID: "waymark-replay", Secret: "replay-secret", ReplayIDToken: true},
	} {
		for _, id := range []string{"test", "expired", "elsewhere", "replay", "oidc"} {
			c.RedirectURIs = append(c.RedirectURIs, base+"/sign-in/oidc/"+id+"/callback")
		}
		c.PostLogoutRedirectURIs = []string{base + "/sign-in"}
		op.AddClient(c)
	}
	for _, u := range []oidctest.User{
		{Subject: "sub-dora", Username: "dora", Password: "dora-pw", Email: "dora@example.com", Name: "Dora Approver", Groups: []string{"approvers", "/finance"}},
		{Subject: "sub-erin", Username: "erin", Password: "erin-pw", Email: "erin@example.com", Name: "Erin"},
		{Subject: "sub-mallory", Username: "mallory", Password: "mallory-pw", Email: "erin2@example.com", EmailUnverified: true, Name: "Mallory"},
		{Subject: "sub-frank", Username: "frank", Password: "frank-pw", Email: "frank@example.com", Name: "Frank"},
		{Subject: "sub-alice-elsewhere", Username: "alice", Password: "alice-pw", Email: "alice@example.net", Name: "Another Alice", Groups: []string{"admin"}},
		{Subject: "sub-zed", Username: "zed", Password: "zed-pw", Name: "Zed"},
	} {
		op.AddUser(u)
	}
	return &oidcEnv{ta: ta, op: op, url: base}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// startAppAtOwnURL is startApp on a port chosen first, with
// WAYMARK_BASE_URL set to that address and the path WAYMARK_BASE_PATH of
// vars (a name only these tests use): the provider must redirect
// browsers to the real callback URL. A port taken between choosing and
// listening is retried with another.
func startAppAtOwnURL(t *testing.T, vars map[string]string) *testApp {
	t.Helper()
	for attempt := 0; ; attempt++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		env := map[string]string{"WAYMARK_LOG_LEVEL": "debug"}
		for k, v := range vars {
			env[k] = v
		}
		env["WAYMARK_ADDR"] = addr
		env["WAYMARK_BASE_URL"] = "http://" + addr + env["WAYMARK_BASE_PATH"]
		cfg, err := config.FromEnv(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		logs := &syncBuffer{}
		a, err := newApp(context.Background(), cfg, newLogger(logs, cfg))
		if errors.Is(err, syscall.EADDRINUSE) && attempt < 5 {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- a.serve() }()
		var once sync.Once
		stop := func() {
			once.Do(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := a.Close(ctx); err != nil {
					t.Errorf("close: %v", err)
				}
				if err := <-done; err != nil {
					t.Errorf("serve: %v", err)
				}
			})
		}
		t.Cleanup(stop)
		return &testApp{app: a, url: "http://" + addr, dataDir: cfg.DataDir, logs: logs, stop: stop}
	}
}

// followRedirects follows the redirects of resp (GETs, as browsers do after 302
// and 303) and returns the last answer with every URL visited. stop, when
// it returns true for a redirect target, ends the walk before that request
// and returns the target unvisited.
func followRedirects(t *testing.T, c *http.Client, resp *http.Response, doc *goquery.Document, stop func(*url.URL) bool) (*http.Response, *goquery.Document, []string) {
	t.Helper()
	var visited []string
	for i := 0; resp.StatusCode >= 300 && resp.StatusCode < 400; i++ {
		if i == 15 {
			t.Fatalf("more than 15 redirects: %v", visited)
		}
		next, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		if stop != nil && stop(next) {
			return resp, doc, append(visited, next.String())
		}
		visited = append(visited, next.String())
		resp, doc = get(t, c, next.String())
	}
	return resp, doc, visited
}

// startSignIn opens the provider's button on Waymark's sign-in page and
// follows it to the provider's login form.
func (e *oidcEnv) startSignIn(t *testing.T, c *http.Client, provider string) (*goquery.Document, []string) {
	t.Helper()
	_, signInPage := get(t, c, e.url+"/sign-in")
	href, ok := signInPage.Find("#sign-in-" + provider).Attr("href")
	if !ok {
		t.Fatalf("sign-in page has no button for %s: %s", provider, signInPage.Find("main").Text())
	}
	resp, doc := get(t, c, e.ta.url+href)
	resp, doc, visited := followRedirects(t, c, resp, doc, nil)
	wantStatus(t, resp, http.StatusOK)
	if doc.Find("#op-login").Length() != 1 {
		t.Fatalf("no login form at the provider after %v: %s", visited, doc.Text())
	}
	return doc, visited
}

// loginAtProvider submits the provider's login form and returns the
// redirect to Waymark's callback without following it.
func (e *oidcEnv) loginAtProvider(t *testing.T, c *http.Client, form *goquery.Document, username, password string) *url.URL {
	t.Helper()
	resp, doc := postForm(t, c, e.op.Issuer+"/login", url.Values{
		"id":       {form.Find(`#op-login input[name="id"]`).AttrOr("value", "")},
		"username": {username},
		"password": {password},
	}, nil)
	_, _, visited := followRedirects(t, c, resp, doc, func(u *url.URL) bool { return strings.HasPrefix(u.String(), e.url) })
	if len(visited) == 0 {
		t.Fatalf("the provider did not redirect after login: %d", resp.StatusCode)
	}
	callback, err := url.Parse(visited[len(visited)-1])
	if err != nil || !strings.HasPrefix(callback.String(), e.url+"/sign-in/oidc/") {
		t.Fatalf("provider redirected to %v, want Waymark's callback", visited)
	}
	return callback
}

// signIn signs in through the provider and returns the page Waymark lands
// on.
func (e *oidcEnv) signIn(t *testing.T, c *http.Client, provider, username, password string) (*http.Response, *goquery.Document) {
	t.Helper()
	form, _ := e.startSignIn(t, c, provider)
	callback := e.loginAtProvider(t, c, form, username, password)
	resp, doc := get(t, c, callback.String())
	resp, doc, _ = followRedirects(t, c, resp, doc, nil)
	return resp, doc
}

func TestOIDCSignIn(t *testing.T) {
	e := startOIDC(t, nil)
	c := browser(t)

	_, page := get(t, c, e.url+"/sign-in")
	var buttons []string
	page.Find("#sign-in-providers a").Each(func(_ int, s *goquery.Selection) { buttons = append(buttons, strings.TrimSpace(s.Text())) })
	if diff := cmp.Diff([]string{"Sign in with Test Provider", "Sign in with Expired Tokens", "Sign in with Other Audience", "Sign in with Replayed Tokens"}, buttons); diff != "" {
		t.Errorf("provider buttons (-want +got):\n%s", diff)
	}
	if page.Find(`#sign-in-form input[name="password"]`).Length() != 1 {
		t.Error("the password form is gone while password sign-in is on")
	}

	form, visited := e.startSignIn(t, c, "test")
	authorize, err := url.Parse(visited[0])
	if err != nil {
		t.Fatal(err)
	}
	q := authorize.Query()
	if !strings.HasPrefix(visited[0], e.op.Issuer) || q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) < 43 ||
		len(q.Get("state")) < 32 || len(q.Get("nonce")) < 32 || q.Get("response_type") != "code" || q.Get("client_id") != "waymark" ||
		q.Get("redirect_uri") != e.url+"/sign-in/oidc/test/callback" || q.Get("scope") != "openid profile email" {
		t.Errorf("authorization request: %s", visited[0])
	}

	callback := e.loginAtProvider(t, c, form, "dora", "dora-pw")
	resp, doc := get(t, c, callback.String())
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/inbox" {
		t.Fatalf("callback: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == "waymark_oidc" && ck.MaxAge >= 0 {
			t.Errorf("the pending sign-in cookie is kept: %+v", ck)
		}
	}
	resp, doc, _ = followRedirects(t, c, resp, doc, nil)
	wantStatus(t, resp, http.StatusOK)
	if got := text(doc, ".account strong"); got != "Dora Approver" {
		t.Errorf("signed in as %q", got)
	}

	ctx := context.Background()
	u, err := e.ta.app.store.UserByUsername(ctx, "dora")
	if err != nil {
		t.Fatal(err)
	}
	if u.Source != store.SourceLocal || u.Email != "dora@example.com" || u.PasswordHash != "" {
		t.Errorf("created user: %+v", u)
	}

	t.Run("the callback URL works once", func(t *testing.T) {
		other := browser(t)
		resp, doc := get(t, other, callback.String())
		wantStatus(t, resp, http.StatusBadRequest)
		if msg := text(doc, "#sign-in-error"); !strings.Contains(msg, "no sign-in was started in this browser") {
			t.Errorf("message %q", msg)
		}
		resp, _ = get(t, c, callback.String())
		wantStatus(t, resp, http.StatusBadRequest)
	})

	t.Run("a second sign-in finds the same user", func(t *testing.T) {
		before, err := e.ta.app.store.CountUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c2 := browser(t)
		resp, doc := e.signIn(t, c2, "test", "dora", "dora-pw")
		wantStatus(t, resp, http.StatusOK)
		if got := text(doc, ".account strong"); got != "Dora Approver" {
			t.Errorf("signed in as %q", got)
		}
		after, _ := e.ta.app.store.CountUsers(ctx)
		if after != before {
			t.Errorf("users %d → %d", before, after)
		}
	})

	t.Run("next leads back to the page asked for", func(t *testing.T) {
		c3 := browser(t)
		resp, _ := get(t, c3, e.url+"/instances")
		if loc := resp.Header.Get("Location"); loc != "/sign-in?next=%2Finstances" {
			t.Fatalf("signed out /instances redirects to %q", loc)
		}
		_, page := get(t, c3, e.url+"/sign-in?next=%2Finstances")
		href := page.Find("#sign-in-test").AttrOr("href", "")
		if href != "/sign-in/oidc/test?next=%2Finstances" {
			t.Fatalf("button href %q", href)
		}
		resp, doc := get(t, c3, e.ta.url+href)
		_, doc, _ = followRedirects(t, c3, resp, doc, nil)
		callback := e.loginAtProvider(t, c3, doc, "erin", "erin-pw")
		resp, _ = get(t, c3, callback.String())
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/instances" {
			t.Errorf("after sign-in: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

// signedOut reports whether the client has no Waymark session.
func (e *oidcEnv) signedOut(t *testing.T, c *http.Client) bool {
	t.Helper()
	resp, _ := get(t, c, e.url+"/inbox")
	return resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/sign-in")
}

func TestOIDCRefusals(t *testing.T) {
	e := startOIDC(t, nil)
	ctx := context.Background()
	noUser := func(t *testing.T, username string) {
		t.Helper()
		if _, err := e.ta.app.store.UserByUsername(ctx, username); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("user %s exists after a refused sign-in: %v", username, err)
		}
	}
	refused := func(t *testing.T, c *http.Client, callback string, status int, want string) {
		t.Helper()
		resp, doc := get(t, c, callback)
		wantStatus(t, resp, status)
		if msg := text(doc, "#sign-in-error"); !strings.Contains(msg, want) {
			t.Errorf("message %q, want it to contain %q", msg, want)
		}
		if !e.signedOut(t, c) {
			t.Error("signed in after a refused sign-in")
		}
	}

	t.Run("tampered state", func(t *testing.T) {
		c := browser(t)
		form, _ := e.startSignIn(t, c, "test")
		callback := e.loginAtProvider(t, c, form, "zed", "zed-pw")
		q := callback.Query()
		q.Set("state", q.Get("state")+"x")
		tampered := *callback
		tampered.RawQuery = q.Encode()
		refused(t, c, tampered.String(), http.StatusBadRequest, "state mismatch")
		// The pending sign-in is spent: the genuine answer no longer works.
		refused(t, c, callback.String(), http.StatusBadRequest, "no sign-in was started in this browser")
		noUser(t, "zed")
	})

	t.Run("answer from another browser", func(t *testing.T) {
		// The attacker's own code and state, replayed in the victim's
		// browser (login CSRF): the victim's browser has no matching
		// pending sign-in.
		attacker, victim := browser(t), browser(t)
		form, _ := e.startSignIn(t, attacker, "test")
		callback := e.loginAtProvider(t, attacker, form, "zed", "zed-pw")
		e.startSignIn(t, victim, "test")
		refused(t, victim, callback.String(), http.StatusBadRequest, "state mismatch")
		noUser(t, "zed")
	})

	t.Run("expired ID token", func(t *testing.T) {
		c := browser(t)
		form, _ := e.startSignIn(t, c, "expired")
		refused(t, c, e.loginAtProvider(t, c, form, "zed", "zed-pw").String(), http.StatusBadRequest, "the ID token has expired")
		noUser(t, "zed")
	})

	t.Run("wrong audience", func(t *testing.T) {
		c := browser(t)
		form, _ := e.startSignIn(t, c, "elsewhere")
		refused(t, c, e.loginAtProvider(t, c, form, "zed", "zed-pw").String(), http.StatusBadRequest, "issued for another application (audience)")
		noUser(t, "zed")
	})

	t.Run("replayed ID token", func(t *testing.T) {
		// The first sign-in gets a genuine token; the second gets the
		// first one again, whose nonce belongs to the first sign-in.
		first := browser(t)
		if resp, _ := e.signIn(t, first, "replay", "erin", "erin-pw"); resp.StatusCode != http.StatusOK {
			t.Fatalf("first sign-in: %d", resp.StatusCode)
		}
		c := browser(t)
		form, _ := e.startSignIn(t, c, "replay")
		refused(t, c, e.loginAtProvider(t, c, form, "erin", "erin-pw").String(), http.StatusBadRequest, "does not carry the nonce of this sign-in")
	})

	t.Run("provider error", func(t *testing.T) {
		// The user cancels at the provider, which answers with an error
		// and the sign-in's state.
		c := browser(t)
		_, visited := e.startSignIn(t, c, "test")
		authorize, _ := url.Parse(visited[0])
		refused(t, c, e.url+"/sign-in/oidc/test/callback?"+url.Values{"error": {"access_denied"}, "error_description": {"User cancelled"},
			"state": {authorize.Query().Get("state")}}.Encode(), http.StatusBadRequest, "the provider refused: access_denied (User cancelled)")
	})

	t.Run("username of a password account", func(t *testing.T) {
		// The provider's "alice" is not Waymark's alice, who has a
		// password: no provider takes over a password account.
		c := browser(t)
		form, _ := e.startSignIn(t, c, "test")
		refused(t, c, e.loginAtProvider(t, c, form, "alice", "alice-pw").String(), http.StatusBadRequest, `the username "alice" belongs to another account`)
		alice, err := e.ta.app.store.UserByUsername(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		groups, _ := e.ta.app.store.SignInGroups(ctx, alice.ID)
		if len(groups) != 0 {
			t.Errorf("alice got the provider's groups: %v", groups)
		}
	})

	t.Run("unknown provider", func(t *testing.T) {
		c := browser(t)
		resp, _ := get(t, c, e.url+"/sign-in/oidc/nope")
		wantStatus(t, resp, http.StatusNotFound)
		resp, _ = get(t, c, e.url+"/sign-in/oidc/nope/callback?code=x&state=y")
		wantStatus(t, resp, http.StatusNotFound)
	})

	t.Run("provider down", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		down := "http://" + ln.Addr().String()
		ln.Close()
		ta := startApp(t, map[string]string{"WAYMARK_OIDC_ISSUER": down, "WAYMARK_OIDC_CLIENT_ID": "waymark", "WAYMARK_OIDC_NAME": "Company SSO"})
		c := browser(t)
		resp, doc := get(t, c, ta.url+"/sign-in/oidc/oidc")
		wantStatus(t, resp, http.StatusBadGateway)
		if msg := text(doc, "#sign-in-error"); msg != "Sign-in with Company SSO failed: the provider could not be reached." {
			t.Errorf("message %q", msg)
		}
	})
}

// TestOIDCGroupsAndLanes: groups from the provider's claim, and the
// permissions file's groups for a verified email or a file username, put
// people in lanes; nobody else sees the lane's task.
func TestOIDCGroupsAndLanes(t *testing.T) {
	e := startOIDC(t, nil)
	ctx := context.Background()

	alice := browser(t)
	signIn(t, alice, e.url, "alice", "alice-secret")
	task := startInstance(t, e.ta, alice, "purchases:approval")
	_, page := get(t, alice, e.url+task)
	resp, _ := postForm(t, alice, e.url+task+"/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "item": {"Laptop"}, "amount": {"1200"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete the request: %d", resp.StatusCode)
	}

	inbox := func(c *http.Client) []string {
		_, doc := get(t, c, e.url+"/inbox?view=mine")
		return attrs(doc, "tr.task a.task-link", "href")
	}
	groupsOf := func(username string) []string {
		u, err := e.ta.app.store.UserByUsername(ctx, username)
		if err != nil {
			t.Fatal(err)
		}
		au, err := auth.NewDirectory(e.ta.app.store).User(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return au.Groups
	}

	for _, tt := range []struct {
		username, password string
		groups             []string
		sees               bool
	}{
		// The claim's groups; Keycloak's "/finance" path loses its slash.
		{"dora", "dora-pw", []string{"approvers", "everybody", "finance"}, true},
		// The file lists erin's verified email under approvers.
		{"erin", "erin-pw", []string{"approvers", "everybody"}, true},
		// An unverified email grants nothing from the file.
		{"mallory", "mallory-pw", []string{"everybody"}, false},
		// frank is a file user without password: the provider account is
		// linked to him and he keeps his file groups.
		{"frank", "frank-pw", []string{"auditors", "everybody"}, false},
	} {
		t.Run(tt.username, func(t *testing.T) {
			c := browser(t)
			resp, _ := e.signIn(t, c, "test", tt.username, tt.password)
			wantStatus(t, resp, http.StatusOK)
			if diff := cmp.Diff(tt.groups, groupsOf(tt.username)); diff != "" {
				t.Errorf("groups (-want +got):\n%s", diff)
			}
			got := inbox(c)
			if tt.sees && (len(got) != 1 || got[0] != "/tasks/1/3") {
				t.Errorf("inbox %v, want the approval task", got)
			}
			if !tt.sees && len(got) != 0 {
				t.Errorf("inbox %v, want nothing", got)
			}
			resp, _ = get(t, c, e.url+"/tasks/1/3")
			if want := map[bool]int{true: http.StatusOK, false: http.StatusForbidden}[tt.sees]; resp.StatusCode != want {
				t.Errorf("task page: %d, want %d", resp.StatusCode, want)
			}
		})
	}

	frank, err := e.ta.app.store.UserByUsername(ctx, "frank")
	if err != nil {
		t.Fatal(err)
	}
	if frank.Source != store.SourceFile {
		t.Errorf("frank was not linked to the file user: %+v", frank)
	}

	t.Run("the claim is read again at every sign-in", func(t *testing.T) {
		e.op.AddUser(oidctest.User{Subject: "sub-dora", Username: "dora", Password: "dora-pw", Email: "dora@example.com", Name: "Dora Moved", Groups: []string{"auditors"}})
		c := browser(t)
		resp, doc := e.signIn(t, c, "test", "dora", "dora-pw")
		wantStatus(t, resp, http.StatusOK)
		if diff := cmp.Diff([]string{"auditors", "everybody"}, groupsOf("dora")); diff != "" {
			t.Errorf("groups (-want +got):\n%s", diff)
		}
		if got := text(doc, ".account strong"); got != "Dora Moved" {
			t.Errorf("name %q", got)
		}
		if got := inbox(c); len(got) != 0 {
			t.Errorf("inbox %v after leaving approvers", got)
		}
	})

	// Dora, back in approvers, completes the task.
	e.op.AddUser(oidctest.User{Subject: "sub-dora", Username: "dora", Password: "dora-pw", Name: "Dora Approver", Groups: []string{"approvers"}})
	dora := browser(t)
	e.signIn(t, dora, "test", "dora", "dora-pw")
	_, page = get(t, dora, e.url+"/tasks/1/3")
	resp, _ = postForm(t, dora, e.url+"/tasks/1/3/complete", url.Values{"csrf_token": {csrfToken(t, page)}, "approved": {"true"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("dora completes the approval: %d", resp.StatusCode)
	}
}

func TestOIDCSignOutAtProvider(t *testing.T) {
	e := startOIDC(t, nil)
	c := browser(t)
	resp, doc := e.signIn(t, c, "test", "erin", "erin-pw")
	wantStatus(t, resp, http.StatusOK)

	resp, page := postForm(t, c, e.url+"/sign-out", url.Values{"csrf_token": {csrfToken(t, doc)}}, nil)
	wantStatus(t, resp, http.StatusOK)
	if !e.signedOut(t, c) {
		t.Fatal("the Waymark session outlived sign-out")
	}
	href := page.Find("#provider-sign-out").AttrOr("href", "")
	refresh := page.Find(`meta[http-equiv="refresh"]`).AttrOr("content", "")
	if refresh != "0;url="+href {
		t.Errorf("refresh %q does not lead to %q", refresh, href)
	}
	end, err := url.Parse(href)
	if err != nil || !strings.HasPrefix(href, e.op.Issuer) {
		t.Fatalf("sign-out link %q does not lead to the provider", href)
	}
	q := end.Query()
	if q.Get("id_token_hint") == "" || q.Get("client_id") != "waymark" || q.Get("post_logout_redirect_uri") != e.url+"/sign-in" {
		t.Errorf("end-session request: %s", href)
	}

	resp, doc = get(t, c, href)
	resp, doc, visited := followRedirects(t, c, resp, doc, nil)
	wantStatus(t, resp, http.StatusOK)
	if len(visited) == 0 || visited[len(visited)-1] != e.url+"/sign-in" {
		t.Errorf("the provider sent the browser to %v", visited)
	}
	if got := text(doc, ".flash"); !strings.Contains(got, "You have signed out") {
		t.Errorf("flash %q", got)
	}
	if diff := cmp.Diff([]string{"sub-erin"}, e.op.SignedOut()); diff != "" {
		t.Errorf("sessions ended at the provider (-want +got):\n%s", diff)
	}
	// The provider's session is over too: signing in again asks for the
	// password instead of passing straight through.
	e.startSignIn(t, c, "test")

	t.Run("password users sign out without the provider", func(t *testing.T) {
		c := browser(t)
		_, doc := signIn(t, c, e.url, "alice", "alice-secret")
		_, doc = get(t, c, e.url+"/inbox")
		resp, _ := postForm(t, c, e.url+"/sign-out", url.Values{"csrf_token": {csrfToken(t, doc)}}, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/sign-in" {
			t.Errorf("sign-out: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

func TestOIDCPasswordSignInOff(t *testing.T) {
	op := oidctest.Start(t)
	ta := startAppAtOwnURL(t, map[string]string{
		"WAYMARK_DATA_DIR":           t.TempDir(),
		"WAYMARK_PASSWORD_SIGN_IN":   "false",
		"WAYMARK_OIDC_ISSUER":        op.Issuer,
		"WAYMARK_OIDC_CLIENT_ID":     "waymark",
		"WAYMARK_OIDC_CLIENT_SECRET": "env-secret",
		"WAYMARK_OIDC_NAME":          "Company SSO",
	})
	op.AddClient(oidctest.Client{ID: "waymark", Secret: "env-secret", RedirectURIs: []string{ta.url + "/sign-in/oidc/oidc/callback"}})
	op.AddUser(oidctest.User{Subject: "sub-ada", Username: "ada", Password: "ada-pw", Name: "Ada", Groups: []string{"admin"}})
	e := &oidcEnv{ta: ta, op: op, url: ta.url}

	c := browser(t)
	_, page := get(t, c, ta.url+"/sign-in")
	if page.Find(`input[name="password"]`).Length() != 0 {
		t.Error("the sign-in page offers a password form")
	}
	if got := text(page, "#sign-in-oidc"); got != "Sign in with Company SSO" {
		t.Errorf("button %q", got)
	}
	if n, err := ta.app.store.CountUsers(context.Background()); err != nil || n != 0 {
		t.Errorf("users at start: %d, %v; want no first-start admin", n, err)
	}
	var headers struct {
		Token string `json:"X-CSRF-Token"`
	}
	if err := jsonUnmarshal(page.Find("body").AttrOr("hx-headers", ""), &headers); err != nil || headers.Token == "" {
		t.Fatalf("no CSRF token on the page: %v", err)
	}
	resp, doc := postForm(t, c, ta.url+"/sign-in", url.Values{"csrf_token": {headers.Token}, "username": {"admin"}, "password": {"whatever"}}, nil)
	wantStatus(t, resp, http.StatusForbidden)
	if got := text(doc, "h1"); got != "Password sign-in is off" {
		t.Errorf("refusal %q", got)
	}

	// The provider's admin group makes ada an administrator.
	resp, doc = e.signIn(t, c, "oidc", "ada", "ada-pw")
	wantStatus(t, resp, http.StatusOK)
	if got := text(doc, ".account strong"); got != "Ada" {
		t.Errorf("signed in as %q", got)
	}
	resp, _ = get(t, c, ta.url+"/admin")
	wantStatus(t, resp, http.StatusOK)
}

func TestOIDCProvidersFromConfig(t *testing.T) {
	file := filepath.Join(t.TempDir(), "providers.yml")
	writeFile(t, file, "providers:\n  - {id: oidc, issuer: 'https://b.example.com', client_id: b}\n")
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{"WAYMARK_OIDC_ISSUER": "https://a.example.com", "WAYMARK_OIDC_CLIENT_ID": "a", "WAYMARK_OIDC_PROVIDERS_FILE": file}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oidcProviders(cfg); err == nil || !strings.Contains(err.Error(), `id "oidc" is taken by the provider of WAYMARK_OIDC_ISSUER`) {
		t.Errorf("clashing ids: %v", err)
	}
	writeFile(t, file, "providers:\n  - {id: second, issuer: 'https://b.example.com', client_id: b}\n")
	ps, err := oidcProviders(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID+" "+p.Issuer+" "+p.Name)
	}
	if diff := cmp.Diff([]string{"oidc https://a.example.com Single sign-on", "second https://b.example.com second"}, ids); diff != "" {
		t.Errorf("providers (-want +got):\n%s", diff)
	}
}

// TestOIDCBadProvidersFile: a providers file with mistakes stops the start
// with every mistake named, before anything is written.
func TestOIDCBadProvidersFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "providers.yml")
	writeFile(t, file, "providers:\n  - {id: Bad, client_id: c}\n  - {id: ok, issuer: 'https://x.example.com', client_id: c, colour: blue}\n")
	dataDir := filepath.Join(t.TempDir(), "data")
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{"WAYMARK_DATA_DIR": dataDir, "WAYMARK_ADDR": "127.0.0.1:0", "WAYMARK_OIDC_PROVIDERS_FILE": file}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = newApp(context.Background(), cfg, newLogger(&syncBuffer{}, cfg))
	if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), "field colour not found") {
		t.Errorf("error %v, want the file and the unknown key named", err)
	}
	writeFile(t, file, "providers:\n  - {id: Bad, client_id: c}\n")
	_, err = newApp(context.Background(), cfg, newLogger(&syncBuffer{}, cfg))
	if err == nil || !strings.Contains(err.Error(), `provider 1 (Bad): id "Bad"`) || !strings.Contains(err.Error(), `provider 1 (Bad): issuer ""`) {
		t.Errorf("error %v, want both mistakes named", err)
	}
	if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
		t.Errorf("the data directory was created: %v", err)
	}
}

// TestOIDCUnderBasePath: behind a path prefix the callback, the pending
// cookie's path and the sign-out return all carry the prefix.
func TestOIDCUnderBasePath(t *testing.T) {
	e := startOIDC(t, map[string]string{"WAYMARK_BASE_PATH": "/waymark"})
	c := browser(t)

	_, page := get(t, c, e.url+"/sign-in")
	href := page.Find("#sign-in-test").AttrOr("href", "")
	if href != "/waymark/sign-in/oidc/test" {
		t.Fatalf("button href %q", href)
	}
	resp, _ := get(t, c, e.ta.url+href)
	var pending *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "waymark_oidc" {
			pending = ck
		}
	}
	if pending == nil || pending.Path != "/waymark/sign-in/oidc/" || !pending.HttpOnly || pending.SameSite != http.SameSiteLaxMode || pending.MaxAge != 600 {
		t.Errorf("pending sign-in cookie: %+v", pending)
	}
	authorize, _ := url.Parse(resp.Header.Get("Location"))
	if got := authorize.Query().Get("redirect_uri"); got != e.url+"/sign-in/oidc/test/callback" {
		t.Errorf("redirect_uri %q", got)
	}

	resp, doc := e.signIn(t, c, "test", "erin", "erin-pw")
	wantStatus(t, resp, http.StatusOK)
	if resp.Request.URL.Path != "/waymark/inbox" || text(doc, ".account strong") != "Erin" {
		t.Errorf("landed on %s as %q", resp.Request.URL, text(doc, ".account strong"))
	}
	resp, page = postForm(t, c, e.url+"/sign-out", url.Values{"csrf_token": {csrfToken(t, doc)}}, nil)
	wantStatus(t, resp, http.StatusOK)
	resp, doc = get(t, c, page.Find("#provider-sign-out").AttrOr("href", ""))
	resp, _, visited := followRedirects(t, c, resp, doc, nil)
	wantStatus(t, resp, http.StatusOK)
	if len(visited) == 0 || visited[len(visited)-1] != e.url+"/sign-in" {
		t.Errorf("after sign-out at the provider: %v", visited)
	}
}
