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
`

// oidcEnv is a running Waymark whose base URL is its real address, so a
// provider can send browsers back to it, and the test provider it trusts.
type oidcEnv struct {
	ta *testApp
	op *oidctest.Provider
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

	for _, c := range []oidctest.Client{
		{ID: "waymark", Secret: "waymark-secret"},
		{ID: "waymark-expired", Secret: "expired-secret", IDTokenLifetime: -time.Hour},
		{ID: "waymark-elsewhere", Secret: "elsewhere-secret", Audience: []string{"another-application"}},
	} {
		for _, id := range []string{"test", "expired", "elsewhere", "oidc"} {
			c.RedirectURIs = append(c.RedirectURIs, ta.url+"/sign-in/oidc/"+id+"/callback")
		}
		c.PostLogoutRedirectURIs = []string{ta.url + "/sign-in"}
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
	return &oidcEnv{ta: ta, op: op}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// startAppAtOwnURL is startApp on a port chosen first, with
// WAYMARK_BASE_URL set to that address: the provider must redirect
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
		env["WAYMARK_BASE_URL"] = "http://" + addr
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
	_, signInPage := get(t, c, e.ta.url+"/sign-in")
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
	_, _, visited := followRedirects(t, c, resp, doc, func(u *url.URL) bool { return strings.HasPrefix(u.String(), e.ta.url) })
	if len(visited) == 0 {
		t.Fatalf("the provider did not redirect after login: %d", resp.StatusCode)
	}
	callback, err := url.Parse(visited[len(visited)-1])
	if err != nil || !strings.HasPrefix(callback.String(), e.ta.url+"/sign-in/oidc/") {
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

	_, page := get(t, c, e.ta.url+"/sign-in")
	var buttons []string
	page.Find("#sign-in-providers a").Each(func(_ int, s *goquery.Selection) { buttons = append(buttons, strings.TrimSpace(s.Text())) })
	if diff := cmp.Diff([]string{"Sign in with Test Provider", "Sign in with Expired Tokens", "Sign in with Other Audience"}, buttons); diff != "" {
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
		q.Get("redirect_uri") != e.ta.url+"/sign-in/oidc/test/callback" || q.Get("scope") != "openid profile email" {
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
		resp, _ := get(t, c3, e.ta.url+"/instances")
		if loc := resp.Header.Get("Location"); loc != "/sign-in?next=%2Finstances" {
			t.Fatalf("signed out /instances redirects to %q", loc)
		}
		_, page := get(t, c3, e.ta.url+"/sign-in?next=%2Finstances")
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
