package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
	"github.com/waymark-bpm/waymark/internal/config"
)

// testPermissions is a SpiffArena-style permissions file with two users.
const testPermissions = `
users:
  alice:
    email: alice@example.com
    password: alice-secret
    preferred_username: Alice Admin
  bob:
    email: bob@example.com
    password: bob-secret
groups:
  admin:
    users: [alice]
  approvers:
    users: [bob@example.com]
permissions:
  admin-everything:
    groups: [admin]
    actions: [all]
    uri: /*
  approvers-basic:
    groups: [approvers]
    actions: [all]
    uri: BASIC
  approvers-start:
    groups: [approvers]
    actions: [read, start]
    uri: PG:ALL
`

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testApp is the whole application running on a free port.
type testApp struct {
	app     *app
	url     string
	dataDir string
	logs    *syncBuffer
	stop    func()
}

// startApp starts the real wiring on 127.0.0.1:0 with a temporary data
// directory (unless vars names one) and stops it when the test ends.
func startApp(t testing.TB, vars map[string]string) *testApp {
	t.Helper()
	env := map[string]string{
		"WAYMARK_ADDR":      "127.0.0.1:0",
		"WAYMARK_DATA_DIR":  t.TempDir(),
		"WAYMARK_LOG_LEVEL": "debug",
	}
	for k, v := range vars {
		env[k] = v
	}
	if os.Getenv("WAYMARK_TEST_DATABASE") == "postgres" && env["WAYMARK_DATABASE_URL"] == "" {
		env["WAYMARK_DATABASE_URL"] = postgresFor(t, env["WAYMARK_DATA_DIR"])
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	a, err := newApp(context.Background(), cfg, newLogger(logs, cfg))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.serve() }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			// net/http's Shutdown waits up to five seconds for a
			// connection that was opened but never sent a request.
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
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
	return &testApp{app: a, url: "http://" + a.addr(), dataDir: cfg.DataDir, logs: logs, stop: stop}
}

// withPermissions writes testPermissions into a temporary file and returns
// the variables that point Waymark at it.
func withPermissions(t testing.TB) map[string]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "permissions.yml")
	if err := os.WriteFile(path, []byte(testPermissions), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"WAYMARK_PERMISSIONS_FILE": path}
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so tests can check them.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{
		Jar:     jar,
		Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// do sends a request and parses the HTML answer.
func do(t *testing.T, c *http.Client, req *http.Request) (*http.Response, *goquery.Document) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return resp, doc
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, *goquery.Document) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, c, req)
}

func postForm(t *testing.T, c *http.Client, u string, form url.Values, header http.Header) (*http.Response, *goquery.Document) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, vs := range header {
		req.Header[k] = vs
	}
	return do(t, c, req)
}

// csrfToken returns the token of the first form on the page.
func csrfToken(t *testing.T, doc *goquery.Document) string {
	t.Helper()
	tok := doc.Find(`form input[name="csrf_token"]`).First().AttrOr("value", "")
	if tok == "" {
		t.Fatal("page has no CSRF token")
	}
	return tok
}

// signIn opens the sign-in page and submits it.
func signIn(t *testing.T, c *http.Client, base, username, password string) (*http.Response, *goquery.Document) {
	t.Helper()
	_, doc := get(t, c, base+"/sign-in")
	return postForm(t, c, base+"/sign-in", url.Values{
		"csrf_token": {csrfToken(t, doc)},
		"username":   {username},
		"password":   {password},
	}, nil)
}

func wantStatus(t *testing.T, resp *http.Response, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want)
	}
}

func text(doc *goquery.Document, selector string) string {
	return strings.TrimSpace(doc.Find(selector).First().Text())
}

func TestSignIn(t *testing.T) {
	ta := startApp(t, withPermissions(t))

	t.Run("YAMLUser", func(t *testing.T) {
		c := browser(t)
		resp, _ := signIn(t, c, ta.url, "alice", "alice-secret")
		wantStatus(t, resp, http.StatusSeeOther)
		if loc := resp.Header.Get("Location"); loc != "/inbox" {
			t.Errorf("redirect to %q, want /inbox", loc)
		}
		resp, doc := get(t, c, ta.url+"/inbox")
		wantStatus(t, resp, http.StatusOK)
		if got := text(doc, ".account strong"); got != "Alice Admin" {
			t.Errorf("signed in as %q", got)
		}
		current := doc.Find(`nav.main-nav a[aria-current="page"]`).Clone()
		current.Find(".count").Remove() // the inbox badge
		if got := strings.TrimSpace(current.Text()); got != "Inbox" {
			t.Errorf("current nav item %q", got)
		}
		if got := text(doc, "h1"); got != "Inbox" {
			t.Errorf("h1 %q", got)
		}
	})

	failures := map[string]string{}
	for _, tt := range []struct{ name, user, password string }{
		{"WrongPassword", "alice", "not-her-password"},
		{"UnknownUser", "mallory", "alice-secret"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := browser(t)
			resp, doc := signIn(t, c, ta.url, tt.user, tt.password)
			wantStatus(t, resp, http.StatusUnprocessableEntity)
			failures[tt.name] = text(doc, "#sign-in-error")
			if got := doc.Find(`input[name="username"]`).AttrOr("value", ""); got != tt.user {
				t.Errorf("username field %q, want it kept", got)
			}
			resp, _ = get(t, c, ta.url+"/inbox")
			wantStatus(t, resp, http.StatusSeeOther)
		})
	}
	if failures["WrongPassword"] == "" || failures["WrongPassword"] != failures["UnknownUser"] {
		t.Errorf("messages differ or are empty: wrong password %q, unknown user %q", failures["WrongPassword"], failures["UnknownUser"])
	}

	t.Run("ReturnsToRequestedPage", func(t *testing.T) {
		c := browser(t)
		_, doc := get(t, c, ta.url+"/sign-in?next=/instances")
		resp, _ := postForm(t, c, ta.url+"/sign-in", url.Values{
			"csrf_token": {csrfToken(t, doc)},
			"username":   {"bob"},
			"password":   {"bob-secret"},
			"next":       {doc.Find(`input[name="next"]`).AttrOr("value", "")},
		}, nil)
		if loc := resp.Header.Get("Location"); loc != "/instances" {
			t.Errorf("redirect to %q, want /instances", loc)
		}
	})

	t.Run("RefusesForeignNext", func(t *testing.T) {
		c := browser(t)
		_, doc := get(t, c, ta.url+"/sign-in?next=//evil.example/")
		if got := doc.Find(`input[name="next"]`).AttrOr("value", "x"); got != "" {
			t.Errorf("next kept as %q", got)
		}
	})

	t.Run("PasswordNotInLog", func(t *testing.T) {
		if strings.Contains(ta.logs.String(), "alice-secret") {
			t.Error("a password from the permissions file reached the log")
		}
	})
}

func TestSignOut(t *testing.T) {
	ta := startApp(t, withPermissions(t))
	c := browser(t)
	signIn(t, c, ta.url, "bob", "bob-secret")
	_, doc := get(t, c, ta.url+"/inbox")
	form := doc.Find(`.account form`)
	if form.AttrOr("action", "") != "/sign-out" || form.AttrOr("method", "") != "post" {
		t.Fatalf("sign-out form: action %q method %q", form.AttrOr("action", ""), form.AttrOr("method", ""))
	}
	resp, _ := postForm(t, c, ta.url+"/sign-out", url.Values{"csrf_token": {csrfToken(t, doc)}}, nil)
	wantStatus(t, resp, http.StatusSeeOther)
	resp, doc = get(t, c, ta.url+"/sign-in")
	if got := text(doc, ".flash"); got != "You have signed out." {
		t.Errorf("flash %q", got)
	}
	resp, _ = get(t, c, ta.url+"/inbox")
	wantStatus(t, resp, http.StatusSeeOther)
}

func TestCSRF(t *testing.T) {
	ta := startApp(t, withPermissions(t))

	t.Run("PostWithoutToken", func(t *testing.T) {
		c := browser(t)
		get(t, c, ta.url+"/sign-in") // has a session, and so a token
		resp, doc := postForm(t, c, ta.url+"/sign-in", url.Values{"username": {"alice"}, "password": {"alice-secret"}}, nil)
		wantStatus(t, resp, http.StatusForbidden)
		if doc.Find("#error").Length() != 1 {
			t.Error("no error page")
		}
		resp, _ = get(t, c, ta.url+"/inbox")
		wantStatus(t, resp, http.StatusSeeOther) // not signed in
	})

	t.Run("PostWithoutSession", func(t *testing.T) {
		resp, _ := postForm(t, browser(t), ta.url+"/sign-in", url.Values{"csrf_token": {"guess"}, "username": {"alice"}, "password": {"alice-secret"}}, nil)
		wantStatus(t, resp, http.StatusForbidden)
	})

	t.Run("WrongToken", func(t *testing.T) {
		c := browser(t)
		get(t, c, ta.url+"/sign-in")
		resp, _ := postForm(t, c, ta.url+"/sign-in", url.Values{"csrf_token": {"0000"}, "username": {"alice"}, "password": {"alice-secret"}}, nil)
		wantStatus(t, resp, http.StatusForbidden)
	})

	t.Run("SignOutWithoutToken", func(t *testing.T) {
		c := browser(t)
		signIn(t, c, ta.url, "bob", "bob-secret")
		resp, _ := postForm(t, c, ta.url+"/sign-out", nil, nil)
		wantStatus(t, resp, http.StatusForbidden)
		resp, _ = get(t, c, ta.url+"/inbox")
		wantStatus(t, resp, http.StatusOK) // still signed in
	})

	t.Run("TokenInHeader", func(t *testing.T) {
		c := browser(t)
		signIn(t, c, ta.url, "bob", "bob-secret")
		_, doc := get(t, c, ta.url+"/inbox")
		var hx map[string]string
		if err := jsonUnmarshal(doc.Find("body").AttrOr("hx-headers", ""), &hx); err != nil {
			t.Fatalf("hx-headers on body: %v", err)
		}
		resp, _ := postForm(t, c, ta.url+"/sign-out", nil, http.Header{"X-Csrf-Token": {hx["X-CSRF-Token"]}})
		wantStatus(t, resp, http.StatusSeeOther)
	})

	t.Run("CrossSiteRefusedEvenWithToken", func(t *testing.T) {
		c := browser(t)
		_, doc := get(t, c, ta.url+"/sign-in")
		resp, _ := postForm(t, c, ta.url+"/sign-in", url.Values{
			"csrf_token": {csrfToken(t, doc)}, "username": {"alice"}, "password": {"alice-secret"},
		}, http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}})
		wantStatus(t, resp, http.StatusForbidden)
	})
}

func TestSignedOutRedirectsToSignIn(t *testing.T) {
	ta := startApp(t, nil)
	for _, path := range []string{"/models", "/inbox", "/instances", "/admin"} {
		t.Run(path, func(t *testing.T) {
			resp, _ := get(t, browser(t), ta.url+path)
			wantStatus(t, resp, http.StatusSeeOther)
			want := "/sign-in?next=" + url.QueryEscape(path)
			if loc := resp.Header.Get("Location"); loc != want {
				t.Errorf("Location %q, want %q", loc, want)
			}
		})
	}
	t.Run("HTMX", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, ta.url+"/inbox", nil)
		req.Header.Set("HX-Request", "true")
		resp, _ := do(t, browser(t), req)
		if got := resp.Header.Get("HX-Redirect"); got != "/sign-in?next=%2Finbox" {
			t.Errorf("HX-Redirect %q", got)
		}
	})
}

func TestSectionsAndAdmin(t *testing.T) {
	ta := startApp(t, withPermissions(t))
	navLabels := func(doc *goquery.Document) []string {
		var out []string
		doc.Find("nav.main-nav a").Each(func(_ int, s *goquery.Selection) {
			c := s.Clone()
			c.Find(".count").Remove() // the inbox badge
			out = append(out, strings.TrimSpace(c.Text()))
		})
		return out
	}

	admin := browser(t)
	signIn(t, admin, ta.url, "alice", "alice-secret")
	for _, tt := range []struct{ path, h1 string }{
		{"/start", "Start new"}, {"/models", "Models"}, {"/inbox", "Inbox"}, {"/instances", "Instances"}, {"/admin", "Admin"},
	} {
		t.Run(tt.h1, func(t *testing.T) {
			resp, doc := get(t, admin, ta.url+tt.path)
			wantStatus(t, resp, http.StatusOK)
			if got := text(doc, "main h1"); got != tt.h1 {
				t.Errorf("h1 %q", got)
			}
			if diff := cmp.Diff([]string{"Start new", "Models", "Inbox", "Instances", "Admin"}, navLabels(doc)); diff != "" {
				t.Errorf("nav (-want +got):\n%s", diff)
			}
			// The models and Start new pages list the demo models; the others
			// start empty.
			if tt.path != "/admin" && tt.path != "/models" && tt.path != "/start" && doc.Find("main .empty-state h2").Length() != 1 {
				t.Error("no empty state")
			}
		})
	}

	t.Run("AdminListsUsers", func(t *testing.T) {
		_, doc := get(t, admin, ta.url+"/admin")
		var users []string
		doc.Find("#users tbody tr td:first-child").Each(func(_ int, s *goquery.Selection) { users = append(users, s.Text()) })
		if diff := cmp.Diff([]string{"alice", "bob"}, users); diff != "" {
			t.Errorf("users (-want +got):\n%s", diff)
		}
	})

	t.Run("ModelsPageNamesTheRepository", func(t *testing.T) {
		_, doc := get(t, admin, ta.url+"/models")
		if got := text(doc, "#models-dir"); got != filepath.Join(ta.dataDir, "models") {
			t.Errorf("models dir shown as %q", got)
		}
		if doc.Find(`#model-tree li.tree-model[data-id="examples/expense-approval"]`).Length() != 1 {
			t.Error("the demo model is not in the tree")
		}
		if _, err := os.Stat(filepath.Join(ta.dataDir, "models", "examples", "expense-approval", "process_model.json")); err != nil {
			t.Errorf("demo models not copied: %v", err)
		}
	})

	t.Run("NonAdmin", func(t *testing.T) {
		bob := browser(t)
		signIn(t, bob, ta.url, "bob", "bob-secret")
		_, doc := get(t, bob, ta.url+"/inbox")
		if diff := cmp.Diff([]string{"Start new", "Models", "Inbox", "Instances"}, navLabels(doc)); diff != "" {
			t.Errorf("nav (-want +got):\n%s", diff)
		}
		resp, doc := get(t, bob, ta.url+"/admin")
		wantStatus(t, resp, http.StatusForbidden)
		if got := text(doc, "#error h1"); got != "Not allowed" {
			t.Errorf("error title %q", got)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		resp, doc := get(t, admin, ta.url+"/no/such/page")
		wantStatus(t, resp, http.StatusNotFound)
		if id := text(doc, "#error code"); id == "" || id != resp.Header.Get("X-Request-Id") {
			t.Errorf("request id on page %q, header %q", id, resp.Header.Get("X-Request-Id"))
		}
	})
}

func TestReadyz(t *testing.T) {
	ta := startApp(t, nil)
	c := browser(t)
	resp, _ := get(t, c, ta.url+"/readyz")
	wantStatus(t, resp, http.StatusOK)

	if ta.app.cfg.DatabaseURL != "" {
		spoilPostgres(t, ta.app.cfg.DatabaseURL)
	} else {
		// Make the database file unreadable as a database. (Changing its
		// mode would not do: tests may run as root, who reads anything.)
		f, err := os.OpenFile(filepath.Join(ta.dataDir, databaseFile), os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt(bytes.Repeat([]byte{0xff}, 100), 0); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}

	resp, _ = get(t, c, ta.url+"/readyz")
	wantStatus(t, resp, http.StatusServiceUnavailable)
	resp, _ = get(t, c, ta.url+"/healthz")
	wantStatus(t, resp, http.StatusOK)
}

// TestRestartKeepsData starts the app twice on one data directory: the
// first-start admin, its password, sessions, the models directory and the
// session key all survive, and nothing is created twice.
func TestRestartKeepsData(t *testing.T) {
	dataDir := t.TempDir()
	vars := map[string]string{"WAYMARK_DATA_DIR": dataDir}

	first := startApp(t, vars)
	m := regexp.MustCompile(`password=(\S+)`).FindStringSubmatch(first.logs.String())
	if m == nil {
		t.Fatalf("no generated admin password in the log:\n%s", first.logs.String())
	}
	password := m[1]
	c := browser(t)
	resp, _ := signIn(t, c, first.url, "admin", password)
	wantStatus(t, resp, http.StatusSeeOther)
	modelFile := filepath.Join(dataDir, "models", "examples", "process_group.json")
	if err := os.WriteFile(modelFile, []byte(`{"display_name": "Edited"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join(dataDir, "session.key"))
	if err != nil {
		t.Fatal(err)
	}
	firstURL, _ := url.Parse(first.url)
	cookies := c.Jar.Cookies(firstURL)
	first.stop()

	second := startApp(t, vars)
	if strings.Contains(second.logs.String(), "password=") {
		t.Error("second start created another admin")
	}
	secondURL, _ := url.Parse(second.url)
	c.Jar.SetCookies(secondURL, cookies) // the port changed; the cookie did not
	resp, doc := get(t, c, second.url+"/admin")
	wantStatus(t, resp, http.StatusOK)
	if got := text(doc, ".account strong"); got != "Administrator" {
		t.Errorf("session from the first run: signed in as %q", got)
	}
	resp, _ = signIn(t, browser(t), second.url, "admin", password)
	wantStatus(t, resp, http.StatusSeeOther)
	if b, _ := os.ReadFile(modelFile); string(b) != `{"display_name": "Edited"}` {
		t.Errorf("models were copied again over an edit: %s", b)
	}
	if key2, _ := os.ReadFile(filepath.Join(dataDir, "session.key")); !bytes.Equal(key, key2) {
		t.Error("session key changed")
	}
}

func TestBasePath(t *testing.T) {
	ta := startApp(t, map[string]string{"WAYMARK_BASE_URL": "http://localhost:8000/waymark/"})
	c := browser(t)

	resp, doc := get(t, c, ta.url+"/waymark/sign-in")
	wantStatus(t, resp, http.StatusOK)
	for sel, attr := range map[string]string{
		`link[rel="stylesheet"]`: "href",
		"script":                 "src",
		"#sign-in-form":          "action",
		"a.brand":                "href",
	} {
		if v := doc.Find(sel).AttrOr(attr, ""); !strings.HasPrefix(v, "/waymark/") {
			t.Errorf("%s %s = %q, want it under /waymark/", sel, attr, v)
		}
	}
	for _, c := range resp.Cookies() {
		if c.Path != "/waymark" {
			t.Errorf("cookie %s path %q", c.Name, c.Path)
		}
	}

	resp, _ = get(t, c, ta.url+"/waymark/inbox")
	if loc := resp.Header.Get("Location"); loc != "/waymark/sign-in?next=%2Finbox" {
		t.Errorf("redirect to %q", loc)
	}
	resp, _ = get(t, c, ta.url+"/waymark")
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/waymark/" {
		t.Errorf("/waymark: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = get(t, c, ta.url+"/sign-in")
	wantStatus(t, resp, http.StatusNotFound)
	resp, _ = get(t, c, ta.url+"/healthz")
	wantStatus(t, resp, http.StatusOK)
	resp, _ = get(t, c, ta.url+"/readyz")
	wantStatus(t, resp, http.StatusOK)
	asset := doc.Find(`link[rel="stylesheet"]`).AttrOr("href", "")
	resp, _ = get(t, c, ta.url+asset)
	wantStatus(t, resp, http.StatusOK)
}

func TestURLInfoAndTrustedProxies(t *testing.T) {
	facts := func(doc *goquery.Document) map[string]string {
		m := map[string]string{}
		doc.Find("#url-info dt").Each(func(_ int, dt *goquery.Selection) {
			m[dt.Text()] = dt.Next().Text()
		})
		return m
	}
	forwarded := http.Header{
		"X-Forwarded-For":   {"203.0.113.9"},
		"X-Forwarded-Proto": {"https"},
		"X-Forwarded-Host":  {"flows.example.com"},
	}
	// The page is for admins. The base URL is https, so the session
	// cookie is Secure and a cookie jar would not send it over http:
	// carry it by hand.
	request := func(t *testing.T, base string) map[string]string {
		c := browser(t)
		c.Jar = nil
		var cookies []*http.Cookie
		send := func(req *http.Request) (*http.Response, *goquery.Document) {
			for _, ck := range cookies {
				req.AddCookie(ck)
			}
			resp, doc := do(t, c, req)
			if got := resp.Cookies(); len(got) > 0 {
				cookies = got
			}
			return resp, doc
		}
		req, _ := http.NewRequest(http.MethodGet, base+"/sign-in", nil)
		_, doc := send(req)
		form := url.Values{"csrf_token": {csrfToken(t, doc)}, "username": {"alice"}, "password": {"alice-secret"}}
		req, _ = http.NewRequest(http.MethodPost, base+"/sign-in", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, _ := send(req)
		wantStatus(t, resp, http.StatusSeeOther)

		req, _ = http.NewRequest(http.MethodGet, base+"/debug/url-info", nil)
		for k, v := range forwarded {
			req.Header[k] = v
		}
		resp, doc = send(req)
		wantStatus(t, resp, http.StatusOK)
		return facts(doc)
	}
	vars := func(t *testing.T, more map[string]string) map[string]string {
		v := withPermissions(t)
		for k, val := range more {
			v[k] = val
		}
		return v
	}

	t.Run("Trusted", func(t *testing.T) {
		ta := startApp(t, vars(t, map[string]string{"WAYMARK_TRUSTED_PROXIES": "127.0.0.0/8", "WAYMARK_BASE_URL": "https://flows.example.com"}))
		f := request(t, ta.url)
		if f["Client IP"] != "203.0.113.9" || f["Request as the browser sent it"] != "https://flows.example.com/debug/url-info" || f["Origin matches the base URL"] != "yes" {
			t.Errorf("facts: %v", f)
		}
	})
	t.Run("Untrusted", func(t *testing.T) {
		ta := startApp(t, vars(t, map[string]string{"WAYMARK_BASE_URL": "https://flows.example.com"}))
		f := request(t, ta.url)
		if f["Client IP"] != "127.0.0.1" || !strings.HasPrefix(f["Request as the browser sent it"], "http://127.0.0.1:") || !strings.HasPrefix(f["Origin matches the base URL"], "no") {
			t.Errorf("facts: %v", f)
		}
	})
	t.Run("AdminsOnly", func(t *testing.T) {
		ta := startApp(t, withPermissions(t))
		resp, _ := get(t, browser(t), ta.url+"/debug/url-info")
		wantStatus(t, resp, http.StatusSeeOther)
		bob := browser(t)
		signIn(t, bob, ta.url, "bob", "bob-secret")
		resp, doc := get(t, bob, ta.url+"/debug/url-info")
		wantStatus(t, resp, http.StatusForbidden)
		if doc.Find("#url-info").Length() != 0 {
			t.Error("the refusal shows the facts")
		}
	})
}

func TestHTMX(t *testing.T) {
	ta := startApp(t, withPermissions(t))
	c := browser(t)
	_, doc := get(t, c, ta.url+"/sign-in")
	token := csrfToken(t, doc)
	hx := http.Header{"Hx-Request": {"true"}}

	t.Run("FailedSignInReturnsTheForm", func(t *testing.T) {
		resp, doc := postForm(t, c, ta.url+"/sign-in", url.Values{"csrf_token": {token}, "username": {"alice"}, "password": {"wrong"}}, hx)
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if doc.Find("nav, header, footer").Length() != 0 || doc.Find("form#sign-in-form #sign-in-error").Length() != 1 {
			t.Errorf("want the form fragment alone, got %d forms, %d headers", doc.Find("form").Length(), doc.Find("header").Length())
		}
		if !slices.Contains(resp.Header.Values("Vary"), "HX-Request") {
			t.Errorf("Vary %q", resp.Header.Values("Vary"))
		}
	})

	t.Run("BoostedGetsWholePage", func(t *testing.T) {
		resp, doc := postForm(t, c, ta.url+"/sign-in", url.Values{"csrf_token": {token}, "username": {"alice"}, "password": {"wrong"}},
			http.Header{"Hx-Request": {"true"}, "Hx-Boosted": {"true"}})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if doc.Find("header.site-header").Length() != 1 {
			t.Error("boosted request got a fragment")
		}
	})

	t.Run("SignInRedirectsThroughHTMX", func(t *testing.T) {
		resp, _ := postForm(t, c, ta.url+"/sign-in", url.Values{"csrf_token": {token}, "username": {"alice"}, "password": {"alice-secret"}}, hx)
		if got := resp.Header.Get("HX-Redirect"); got != "/inbox" {
			t.Errorf("HX-Redirect %q", got)
		}
	})
}

func TestSecurityHeadersAndAssets(t *testing.T) {
	ta := startApp(t, nil)
	c := browser(t)
	resp, doc := get(t, c, ta.url+"/sign-in")
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("headers %v", resp.Header)
	}
	if doc.Find("script:not([src])").Length() != 0 {
		t.Error("inline script on the page; the CSP would block it")
	}
	for _, c := range resp.Cookies() {
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure {
			t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, not Secure over http", c)
		}
	}

	src := doc.Find("script[src]").AttrOr("src", "")
	resp, _ = get(t, c, ta.url+src)
	wantStatus(t, resp, http.StatusOK)
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("versioned asset Cache-Control %q", cc)
	}
	stale, _, _ := strings.Cut(src, "?")
	resp, _ = get(t, c, ta.url+stale+"?v=old")
	if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("stale asset Cache-Control %q", cc)
	}
}

func TestRun(t *testing.T) {
	noEnv := func(string) string { return "" }
	t.Run("Version", func(t *testing.T) {
		var out bytes.Buffer
		if code := run(context.Background(), []string{"web", "version"}, &out, io.Discard, noEnv); code != 0 {
			t.Fatalf("exit %d", code)
		}
		if !strings.HasPrefix(out.String(), "waymark ") {
			t.Errorf("output %q", out.String())
		}
	})
	t.Run("UnknownCommand", func(t *testing.T) {
		var errOut bytes.Buffer
		if code := run(context.Background(), []string{"web", "frobnicate"}, io.Discard, &errOut, noEnv); code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
		if !strings.Contains(errOut.String(), "serve") {
			t.Errorf("usage does not list commands: %q", errOut.String())
		}
	})
	t.Run("BadFlag", func(t *testing.T) {
		if code := run(context.Background(), []string{"web", "serve", "-nope"}, io.Discard, io.Discard, noEnv); code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
	})
	t.Run("BadConfigNamesVariable", func(t *testing.T) {
		var errOut bytes.Buffer
		getenv := func(k string) string {
			if k == "WAYMARK_LOG_LEVEL" {
				return "loud"
			}
			return ""
		}
		if code := run(context.Background(), []string{"web"}, io.Discard, &errOut, getenv); code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		if !strings.Contains(errOut.String(), "WAYMARK_LOG_LEVEL") {
			t.Errorf("error %q does not name the variable", errOut.String())
		}
	})
	t.Run("ServeUntilCancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var logs syncBuffer
		dataDir := t.TempDir()
		code := make(chan int, 1)
		go func() {
			code <- run(ctx, []string{"web", "serve", "-addr", "127.0.0.1:0", "-data-dir", dataDir}, io.Discard, &logs, noEnv)
		}()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(logs.String(), "msg=listening") {
			if time.Now().After(deadline) {
				t.Fatalf("server did not start:\n%s", logs.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		addr := regexp.MustCompile(`msg=listening addr=(\S+)`).FindStringSubmatch(logs.String())[1]
		if err := runHealthcheck(addr); err != nil {
			t.Errorf("healthcheck: %v", err)
		}
		cancel()
		select {
		case c := <-code:
			if c != 0 {
				t.Errorf("exit %d:\n%s", c, logs.String())
			}
		case <-time.After(15 * time.Second):
			t.Fatal("serve did not stop")
		}
		if _, err := os.Stat(filepath.Join(dataDir, databaseFile)); err != nil {
			t.Errorf("-data-dir ignored: %v", err)
		}
	})
}

// runHealthcheck runs the healthcheck command against addr.
func runHealthcheck(addr string) error {
	var errOut bytes.Buffer
	getenv := func(k string) string {
		if k == "WAYMARK_ADDR" {
			return addr
		}
		return ""
	}
	if code := run(context.Background(), []string{"web", "healthcheck"}, io.Discard, &errOut, getenv); code != 0 {
		return &healthcheckError{errOut.String()}
	}
	return nil
}

type healthcheckError struct{ msg string }

func (e *healthcheckError) Error() string { return e.msg }

func jsonUnmarshal(s string, v any) error {
	return json.Unmarshal([]byte(s), v)
}
