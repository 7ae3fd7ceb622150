package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
	"github.com/waymark-bpm/waymark/internal/config"
)

// fakeClock is a clock tests move forward by hand, so time-outs and
// throttling are tested without sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// startAppClock is startApp with a fake clock for sessions, throttling
// and the audit log.
func startAppClock(t *testing.T, vars map[string]string, clock *fakeClock) *testApp {
	t.Helper()
	env := map[string]string{
		"WAYMARK_ADDR":      "127.0.0.1:0",
		"WAYMARK_DATA_DIR":  t.TempDir(),
		"WAYMARK_LOG_LEVEL": "debug",
	}
	for k, v := range vars {
		env[k] = v
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	a, err := newAppClock(context.Background(), cfg, newLogger(logs, cfg), clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := a.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return &testApp{app: a, url: "http://" + a.addr(), dataDir: cfg.DataDir, logs: logs}
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// sessionCookie returns the client's session cookie for base.
func sessionCookie(t *testing.T, c *http.Client, base string) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "waymark_session" {
			return ck
		}
	}
	t.Fatal("no session cookie")
	return nil
}

// replay requests path with nothing but the given cookie, as someone who
// copied it would, and returns the status.
func replay(t *testing.T, base, path string, ck *http.Cookie) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	req.AddCookie(ck)
	resp, _ := do(t, browser(t), req)
	return resp.StatusCode
}

// signedInAs signs a fresh client in and fails unless that worked.
func signedInAs(t *testing.T, base, username, password string) *http.Client {
	t.Helper()
	c := browser(t)
	resp, doc := signIn(t, c, base, username, password)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: status %d: %s", username, resp.StatusCode, text(doc, "#sign-in-error"))
	}
	return c
}

// submit posts a form found on the page at pagePath by selector, with the
// given fields added to its hidden ones.
func submit(t *testing.T, c *http.Client, base, pagePath, selector string, fields url.Values) (*http.Response, *goquery.Document) {
	t.Helper()
	resp, doc := get(t, c, base+pagePath)
	wantStatus(t, resp, http.StatusOK)
	form := doc.Find(selector)
	if form.Length() != 1 {
		t.Fatalf("%s: %d forms match %q", pagePath, form.Length(), selector)
	}
	vals := url.Values{}
	form.Find(`input[type="hidden"]`).Each(func(_ int, s *goquery.Selection) {
		vals.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	for k, v := range fields {
		vals[k] = v
	}
	return postForm(t, c, base+form.AttrOr("action", ""), vals, nil)
}

// userPath finds a user's admin page from the users table.
func userPath(t *testing.T, admin *http.Client, base, username string) string {
	t.Helper()
	_, doc := get(t, admin, base+"/admin")
	href := doc.Find(`#users tr[data-user="`+username+`"] a`).AttrOr("href", "")
	if href == "" {
		t.Fatalf("no admin page link for %s", username)
	}
	return href
}

func TestSessionRevocation(t *testing.T) {
	ta := startApp(t, withPermissions(t))
	admin := signedInAs(t, ta.url, "alice", "alice-secret")

	t.Run("ReplayAfterSignOut", func(t *testing.T) {
		c := signedInAs(t, ta.url, "bob", "bob-secret")
		ck := sessionCookie(t, c, ta.url)
		if got := replay(t, ta.url, "/inbox", ck); got != http.StatusOK {
			t.Fatalf("copied cookie before sign-out: status %d", got)
		}
		_, doc := get(t, c, ta.url+"/inbox")
		resp, _ := postForm(t, c, ta.url+"/sign-out", url.Values{"csrf_token": {csrfToken(t, doc)}}, nil)
		wantStatus(t, resp, http.StatusSeeOther)
		if got := replay(t, ta.url, "/inbox", ck); got != http.StatusSeeOther {
			t.Errorf("cookie replayed after sign-out: status %d, want 303 to sign-in", got)
		}
	})

	// dana is added in the app and must change her first password.
	resp, _ := submit(t, admin, ta.url, "/admin", "#add-user-form", url.Values{
		"username": {"dana"}, "display_name": {"Dana"}, "email": {"dana@example.com"}, "password": {"first-password"}})
	wantStatus(t, resp, http.StatusSeeOther)
	danaPage := resp.Header.Get("Location")

	t.Run("ReplayAfterPasswordChange", func(t *testing.T) {
		a := browser(t)
		resp, _ := signIn(t, a, ta.url, "dana", "first-password")
		if loc := resp.Header.Get("Location"); loc != "/account" {
			t.Fatalf("first sign-in leads to %q, want the account page", loc)
		}
		resp, _ = get(t, a, ta.url+"/inbox")
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/account" {
			t.Errorf("before changing the password /inbox gives %d %q, want 303 /account", resp.StatusCode, loc)
		}
		_, doc := get(t, a, ta.url+"/account")
		if doc.Find("#must-change").Length() != 1 {
			t.Error("account page does not say the password must change")
		}
		b := browser(t)
		signIn(t, b, ta.url, "dana", "first-password")
		other := sessionCookie(t, b, ta.url)

		resp, doc = submit(t, a, ta.url, "/account", "#password-form", url.Values{"current": {"wrong"}, "password": {"dana-own-password"}})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if got := text(doc, "#password-error"); got != "The current password is not right." {
			t.Errorf("error %q", got)
		}
		resp, _ = submit(t, a, ta.url, "/account", "#password-form", url.Values{"current": {"first-password"}, "password": {"dana-own-password"}})
		wantStatus(t, resp, http.StatusSeeOther)
		resp, _ = get(t, a, ta.url+"/account")
		wantStatus(t, resp, http.StatusOK) // the session that changed it stays
		if got := replay(t, ta.url, "/inbox", other); got != http.StatusSeeOther {
			t.Errorf("other session after password change: status %d, want 303", got)
		}
		if resp, _ := signIn(t, browser(t), ta.url, "dana", "first-password"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("old password still works: %d", resp.StatusCode)
		}

		// An admin's reset ends every session, and the next sign-in must
		// change the password again.
		mine := sessionCookie(t, a, ta.url)
		resp, _ = submit(t, admin, ta.url, danaPage, "#password-set-form", url.Values{"password": {"reset-by-admin"}})
		wantStatus(t, resp, http.StatusSeeOther)
		if got := replay(t, ta.url, "/inbox", mine); got != http.StatusSeeOther {
			t.Errorf("session after admin reset: status %d, want 303", got)
		}
		resp, _ = signIn(t, browser(t), ta.url, "dana", "reset-by-admin")
		if loc := resp.Header.Get("Location"); loc != "/account" {
			t.Errorf("sign-in after reset leads to %q, want /account", loc)
		}
	})

	t.Run("ReplayAfterDisable", func(t *testing.T) {
		c := signedInAs(t, ta.url, "bob", "bob-secret")
		ck := sessionCookie(t, c, ta.url)
		resp, _ := submit(t, admin, ta.url, userPath(t, admin, ta.url, "bob"), "#disable-form", nil)
		wantStatus(t, resp, http.StatusSeeOther)
		if got := replay(t, ta.url, "/inbox", ck); got != http.StatusSeeOther {
			t.Errorf("cookie of a disabled user: status %d, want 303", got)
		}
		resp, doc := signIn(t, browser(t), ta.url, "bob", "bob-secret")
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if got := text(doc, "#sign-in-error"); got != "Incorrect username or password." {
			t.Errorf("disabled user's sign-in says %q", got)
		}
		_, doc = get(t, admin, ta.url+"/admin")
		if got := text(doc, `#users tr[data-user="bob"] td.status`); got != "disabled" {
			t.Errorf("bob's status %q", got)
		}
		resp, _ = submit(t, admin, ta.url, userPath(t, admin, ta.url, "bob"), "#enable-form", nil)
		wantStatus(t, resp, http.StatusSeeOther)
		signedInAs(t, ta.url, "bob", "bob-secret")
	})

	t.Run("SignOutEverywhere", func(t *testing.T) {
		c1 := signedInAs(t, ta.url, "bob", "bob-secret")
		c2 := signedInAs(t, ta.url, "bob", "bob-secret")
		bobPage := userPath(t, admin, ta.url, "bob")
		_, doc := get(t, admin, ta.url+bobPage)
		if n := doc.Find("#sessions tbody tr").Length(); n < 2 {
			t.Errorf("admin sees %d sessions of bob, want at least 2", n)
		}
		resp, _ := submit(t, admin, ta.url, bobPage, "#sessions-delete-form", nil)
		wantStatus(t, resp, http.StatusSeeOther)
		for i, c := range []*http.Client{c1, c2} {
			if resp, _ := get(t, c, ta.url+"/inbox"); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("browser %d still signed in: %d", i+1, resp.StatusCode)
			}
		}
		resp, _ = get(t, admin, ta.url+"/admin")
		wantStatus(t, resp, http.StatusOK) // the admin's own session is untouched
	})

	t.Run("OwnSessions", func(t *testing.T) {
		c1 := signedInAs(t, ta.url, "bob", "bob-secret")
		c2 := signedInAs(t, ta.url, "bob", "bob-secret")
		_, doc := get(t, c1, ta.url+"/account")
		rows := doc.Find("#sessions tbody tr")
		if rows.Length() != 2 || doc.Find("#sessions tbody tr.current").Length() != 1 {
			t.Fatalf("account lists %d sessions (%d current), want 2 (1)", rows.Length(), doc.Find("#sessions tbody tr.current").Length())
		}
		other := doc.Find("#sessions tbody tr:not(.current)")
		resp, _ := submit(t, c1, ta.url, "/account", `#sessions tbody tr[data-session-id="`+other.AttrOr("data-session-id", "")+`"] form`, nil)
		wantStatus(t, resp, http.StatusSeeOther)
		if resp, _ := get(t, c2, ta.url+"/inbox"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("ended session still works: %d", resp.StatusCode)
		}

		// Another user's session id is not found, and stays.
		_, doc = get(t, admin, ta.url+"/account")
		adminSession := doc.Find("#sessions tbody tr.current").AttrOr("data-session-id", "")
		_, doc = get(t, c1, ta.url+"/account")
		resp, _ = postForm(t, c1, ta.url+"/account/sessions/"+adminSession+"/delete", url.Values{"csrf_token": {csrfToken(t, doc)}}, nil)
		wantStatus(t, resp, http.StatusNotFound)
		if resp, _ := get(t, admin, ta.url+"/admin"); resp.StatusCode != http.StatusOK {
			t.Errorf("admin signed out by another user: %d", resp.StatusCode)
		}
	})
}

func TestSessionTimeouts(t *testing.T) {
	clock := newFakeClock()
	ta := startAppClock(t, merge(withPermissions(t), map[string]string{
		"WAYMARK_SESSION_IDLE": "30m", "WAYMARK_SESSION_MAX": "2h"}), clock)

	t.Run("Idle", func(t *testing.T) {
		c := signedInAs(t, ta.url, "bob", "bob-secret")
		clock.Advance(29 * time.Minute)
		if resp, _ := get(t, c, ta.url+"/inbox"); resp.StatusCode != http.StatusOK {
			t.Fatalf("after 29 idle minutes: %d", resp.StatusCode)
		}
		clock.Advance(29 * time.Minute) // 58 minutes in, 29 since last use
		if resp, _ := get(t, c, ta.url+"/inbox"); resp.StatusCode != http.StatusOK {
			t.Fatalf("used within the idle time: %d", resp.StatusCode)
		}
		clock.Advance(30 * time.Minute)
		if resp, _ := get(t, c, ta.url+"/inbox"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("after 30 idle minutes: %d, want 303", resp.StatusCode)
		}
	})

	t.Run("Absolute", func(t *testing.T) {
		c := signedInAs(t, ta.url, "bob", "bob-secret")
		ck := sessionCookie(t, c, ta.url)
		for i := 0; i < 5; i++ { // used every 20 minutes: 100 minutes in
			clock.Advance(20 * time.Minute)
			if resp, _ := get(t, c, ta.url+"/inbox"); resp.StatusCode != http.StatusOK {
				t.Fatalf("%d minutes in: %d", (i+1)*20, resp.StatusCode)
			}
		}
		clock.Advance(20 * time.Minute) // 2 hours
		if resp, _ := get(t, c, ta.url+"/inbox"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("after 2 hours: %d, want 303", resp.StatusCode)
		}
		if got := replay(t, ta.url, "/inbox", ck); got != http.StatusSeeOther {
			t.Errorf("copied cookie after the time-out: %d", got)
		}
	})
}

// attemptResult is what a sign-in attempt shows from outside.
type attemptResult struct {
	Status     int
	Message    string
	RetryAfter string
}

func attempt(t *testing.T, base, username, password string) attemptResult {
	t.Helper()
	resp, doc := signIn(t, browser(t), base, username, password)
	return attemptResult{resp.StatusCode, text(doc, "#sign-in-error"), resp.Header.Get("Retry-After")}
}

func TestSignInThrottle(t *testing.T) {
	clock := newFakeClock()
	ta := startAppClock(t, merge(withPermissions(t), map[string]string{
		"WAYMARK_SIGNIN_DELAY_AFTER": "2", "WAYMARK_SIGNIN_LOCK_AFTER": "4",
		"WAYMARK_SIGNIN_IP_LOCK_AFTER": "40", "WAYMARK_SIGNIN_LOCK_FOR": "15m"}), clock)

	// The same story for a real user and for one that does not exist: the
	// answers must not tell them apart.
	story := func(username, right string) []attemptResult {
		var out []attemptResult
		out = append(out, attempt(t, ta.url, username, "guess-1"))
		out = append(out, attempt(t, ta.url, username, "guess-2"))
		out = append(out, attempt(t, ta.url, username, right)) // must wait 1s, even when right
		clock.Advance(time.Second)
		out = append(out, attempt(t, ta.url, username, "guess-3"))
		clock.Advance(2 * time.Second)
		out = append(out, attempt(t, ta.url, username, "guess-4")) // the fourth failure locks
		clock.Advance(5 * time.Minute)
		out = append(out, attempt(t, ta.url, username, right)) // locked: the right password waits
		clock.Advance(10 * time.Minute)
		return out
	}
	failed := attemptResult{http.StatusUnprocessableEntity, "Incorrect username or password.", ""}
	want := []attemptResult{
		failed, failed,
		{http.StatusTooManyRequests, "Too many failed sign-ins. Try again in a second.", "1"},
		failed, failed,
		{http.StatusTooManyRequests, "Too many failed sign-ins. Try again in 10 minutes.", "600"},
	}
	alice := story("alice", "alice-secret")
	if diff := cmp.Diff(want, alice); diff != "" {
		t.Errorf("alice (-want +got):\n%s", diff)
	}
	// The lock has run out: the right password works again.
	if got := attempt(t, ta.url, "alice", "alice-secret"); got.Status != http.StatusSeeOther {
		t.Errorf("after the lock: %+v", got)
	}
	mallory := story("mallory", "anything")
	if diff := cmp.Diff(alice, mallory); diff != "" {
		t.Errorf("an unknown user is answered differently (-alice +mallory):\n%s", diff)
	}

	t.Run("AuditLog", func(t *testing.T) {
		admin := signedInAs(t, ta.url, "alice", "alice-secret")
		_, doc := get(t, admin, ta.url+"/admin/audit?user=alice")
		var events []string
		doc.Find("#audit tbody tr").Each(func(_ int, s *goquery.Selection) { events = append(events, s.AttrOr("data-event", "")) })
		// Newest first.
		wantEvents := []string{"sign-in", "sign-in", "sign-in-refused", "locked", "sign-in-failed", "sign-in-failed",
			"sign-in-refused", "sign-in-failed", "sign-in-failed"}
		if diff := cmp.Diff(wantEvents, events); diff != "" {
			t.Errorf("alice's audit events (-want +got):\n%s", diff)
		}
		if got := text(doc, `#audit tr[data-event="locked"] td.detail`); !strings.Contains(got, "user:alice locked for 15m") {
			t.Errorf("lock detail %q", got)
		}
		if got := text(doc, `#audit tr[data-event="sign-in-failed"] td.ip`); got != "127.0.0.1" {
			t.Errorf("client address %q", got)
		}
		_, doc = get(t, admin, ta.url+"/admin/audit?user=mallory")
		if doc.Find(`#audit tr[data-event="locked"]`).Length() != 1 {
			t.Error("the lock of an unknown username is not in the audit log")
		}
		bob := signedInAs(t, ta.url, "bob", "bob-secret")
		if resp, _ := get(t, bob, ta.url+"/admin/audit"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("non-admin reads the audit log: %d", resp.StatusCode)
		}
	})
}

func TestSignInThrottlePerAddress(t *testing.T) {
	clock := newFakeClock()
	ta := startAppClock(t, merge(withPermissions(t), map[string]string{
		"WAYMARK_SIGNIN_DELAY_AFTER": "10", "WAYMARK_SIGNIN_LOCK_AFTER": "10",
		"WAYMARK_SIGNIN_IP_LOCK_AFTER": "4", "WAYMARK_SIGNIN_LOCK_FOR": "15m"}), clock)
	// Password spraying: one guess each for many usernames.
	for _, u := range []string{"u1", "u2", "u3", "u4"} {
		if got := attempt(t, ta.url, u, "Spring2026!"); got.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %+v", u, got)
		}
	}
	if got := attempt(t, ta.url, "bob", "bob-secret"); got.Status != http.StatusTooManyRequests || got.RetryAfter != "900" {
		t.Errorf("from a locked address: %+v, want 429 with Retry-After 900", got)
	}
	clock.Advance(15 * time.Minute)
	if got := attempt(t, ta.url, "bob", "bob-secret"); got.Status != http.StatusSeeOther {
		t.Errorf("after the address lock: %+v", got)
	}
}

func TestPasswordChangeThrottled(t *testing.T) {
	clock := newFakeClock()
	ta := startAppClock(t, merge(withPermissions(t), map[string]string{"WAYMARK_SIGNIN_DELAY_AFTER": "2"}), clock)
	admin := signedInAs(t, ta.url, "alice", "alice-secret")
	resp, _ := submit(t, admin, ta.url, "/admin", "#add-user-form", url.Values{"username": {"erin"}, "password": {"erin-first"}})
	wantStatus(t, resp, http.StatusSeeOther)
	erin := browser(t)
	signIn(t, erin, ta.url, "erin", "erin-first")
	change := func(current string) (*http.Response, *goquery.Document) {
		return submit(t, erin, ta.url, "/account", "#password-form", url.Values{"current": {current}, "password": {"erin-chosen"}})
	}
	for i := 0; i < 2; i++ {
		resp, _ := change("guess")
		wantStatus(t, resp, http.StatusUnprocessableEntity)
	}
	resp, doc := change("erin-first")
	wantStatus(t, resp, http.StatusTooManyRequests)
	if got := text(doc, "#password-error"); got != "Too many wrong passwords. Try again in a second." {
		t.Errorf("error %q", got)
	}
	clock.Advance(time.Second)
	resp, _ = change("erin-first")
	wantStatus(t, resp, http.StatusSeeOther)
	_, doc = get(t, admin, ta.url+"/admin/audit?user=erin")
	if n := doc.Find(`#audit tr[data-event="sign-in-failed"]`).Length(); n != 2 {
		t.Errorf("%d wrong current passwords in the audit log, want 2", n)
	}
}
