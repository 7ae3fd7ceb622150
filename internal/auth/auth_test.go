package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/waymark-bpm/waymark/internal/store"
	"golang.org/x/crypto/bcrypt"
)

const samplePermissions = `
default_group: everybody
users:
  alice:
    email: alice@example.com
    password: alice-password
    preferred_username: Alice Approver
  bob:
    service: https://idp.example.com
    email: bob@example.com
  carol:
    email: carol@example.com
    password: $2a$04$Dy5mBoWz6Syq4cBM24D1yu0YZl5eQ4Zy4oAeoPbvdb4qrP1zH1wOW
groups:
  admin:
    users: [alice@example.com]
  finance:
    users: [bob, dave@example.com]
permissions:
  admin:
    groups: [admin]
    users: []
    allowed_permissions: [create, read, update, delete]
    uri: /*
  start-finance:
    groups: [finance]
    actions: [read, start]
    uri: PM:finance
`

func newDirectory(t testing.TB) (*Directory, *store.Store) {
	t.Helper()
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	d := NewDirectory(s)
	d.cost = bcrypt.MinCost
	return d, s
}

func TestParsePermissions(t *testing.T) {
	p, err := ParsePermissions([]byte(samplePermissions), "sample.yml")
	if err != nil {
		t.Fatal(err)
	}
	if p.DefaultGroup != "everybody" || len(p.Users) != 3 || len(p.Groups) != 2 || len(p.Rules) != 2 {
		t.Errorf("parsed %+v", p)
	}
	if diff := cmp.Diff([]string{"create", "read", "update", "delete"}, p.Rules["admin"].RuleActions()); diff != "" {
		t.Errorf("allowed_permissions (-want +got):\n%s", diff)
	}

	bad := []struct{ name, yaml, want string }{
		{"UnknownAction", "permissions:\n  x: {groups: [a], actions: [fly], uri: /*}\n", `unknown action "fly"`},
		{"MissingURI", "permissions:\n  x: {groups: [a], actions: [read]}\n", "missing uri"},
		{"NoActions", "permissions:\n  x: {groups: [a], uri: /*}\n", "no actions"},
		{"NotYAML", "users: [", "parse bad.yml"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePermissions([]byte(tt.yaml), "bad.yml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}

	if _, err := LoadPermissions(""); err != nil {
		t.Errorf("built-in permissions: %v", err)
	}
}

func TestLoadUsersAndGroups(t *testing.T) {
	ctx := context.Background()
	d, s := newDirectory(t)
	p, err := ParsePermissions([]byte(samplePermissions), "sample.yml")
	if err != nil {
		t.Fatal(err)
	}
	unknown, err := d.Load(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"finance: dave@example.com"}, unknown); diff != "" {
		t.Errorf("unknown members (-want +got):\n%s", diff)
	}

	t.Run("PasswordsHashed", func(t *testing.T) {
		alice, err := s.UserByUsername(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if alice.PasswordHash == "alice-password" || bcrypt.CompareHashAndPassword([]byte(alice.PasswordHash), []byte("alice-password")) != nil {
			t.Errorf("alice's stored password is not a bcrypt hash of hers: %q", alice.PasswordHash)
		}
		carol, err := s.UserByUsername(ctx, "carol")
		if err != nil {
			t.Fatal(err)
		}
		if carol.PasswordHash != p.Users["carol"].Password {
			t.Errorf("a bcrypt hash in the file was not kept as is")
		}
	})

	t.Run("Groups", func(t *testing.T) {
		groups, err := s.Groups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, g := range groups {
			got[g.Name] = g.Members
		}
		want := map[string][]string{
			"admin":     {"alice"},
			"everybody": {"alice", "bob", "carol"},
			"finance":   {"bob"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("groups (-want +got):\n%s", diff)
		}
	})

	t.Run("ReloadReplaces", func(t *testing.T) {
		smaller, err := ParsePermissions([]byte("users:\n  alice: {email: alice@example.com, password: new-password}\ngroups:\n  finance: {users: [alice]}\n"), "smaller.yml")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Load(ctx, smaller); err != nil {
			t.Fatal(err)
		}
		users, err := s.Users(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(users) != 1 || users[0].Username != "alice" {
			t.Errorf("users after reload: %+v", users)
		}
		if _, err := d.Authenticate(ctx, "alice", "alice-password"); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("old password still works: %v", err)
		}
		u, err := d.Authenticate(ctx, "alice", "new-password")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"finance"}, u.Groups); diff != "" {
			t.Errorf("alice's groups after reload (-want +got):\n%s", diff)
		}
	})
}

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	d, _ := newDirectory(t)
	p, err := ParsePermissions([]byte(samplePermissions), "sample.yml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Load(ctx, p); err != nil {
		t.Fatal(err)
	}
	u, err := d.Authenticate(ctx, "alice", "alice-password")
	if err != nil {
		t.Fatalf("right password: %v", err)
	}
	if u.Name() != "Alice Approver" || !u.IsAdmin() {
		t.Errorf("alice = %+v", u)
	}

	for _, tt := range []struct{ name, user, password string }{
		{"WrongPassword", "alice", "nope"},
		{"UnknownUser", "mallory", "alice-password"},
		{"NoPasswordInFile", "bob", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := d.Authenticate(ctx, tt.user, tt.password)
			if !errors.Is(err, ErrBadCredentials) || err.Error() != ErrBadCredentials.Error() {
				t.Errorf("got %v, want exactly ErrBadCredentials", err)
			}
		})
	}
}

func TestEnsureAdmin(t *testing.T) {
	ctx := context.Background()

	t.Run("GeneratedPassword", func(t *testing.T) {
		d, _ := newDirectory(t)
		created, generated, err := d.EnsureAdmin(ctx, "")
		if err != nil || !created || len(generated) < 20 {
			t.Fatalf("EnsureAdmin = %v, %q, %v", created, generated, err)
		}
		u, err := d.Authenticate(ctx, AdminUsername, generated)
		if err != nil || !u.IsAdmin() {
			t.Fatalf("admin sign-in: %+v, %v", u, err)
		}
		created, again, err := d.EnsureAdmin(ctx, "")
		if err != nil || created || again != "" {
			t.Errorf("second EnsureAdmin = %v, %q, %v; want nothing created", created, again, err)
		}
	})

	t.Run("ConfiguredPassword", func(t *testing.T) {
		d, _ := newDirectory(t)
		created, generated, err := d.EnsureAdmin(ctx, "configured-pw")
		if err != nil || !created || generated != "" {
			t.Fatalf("EnsureAdmin = %v, %q, %v", created, generated, err)
		}
		if _, err := d.Authenticate(ctx, AdminUsername, "configured-pw"); err != nil {
			t.Error(err)
		}
	})

	t.Run("NotWhenUsersExist", func(t *testing.T) {
		d, s := newDirectory(t)
		p, _ := ParsePermissions([]byte(samplePermissions), "sample.yml")
		if _, err := d.Load(ctx, p); err != nil {
			t.Fatal(err)
		}
		created, _, err := d.EnsureAdmin(ctx, "")
		if err != nil || created {
			t.Errorf("EnsureAdmin with users = %v, %v", created, err)
		}
		if _, err := s.UserByUsername(ctx, AdminUsername); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("admin exists: %v", err)
		}
	})
}

func TestSessionSecretKeptInDataDir(t *testing.T) {
	dir := t.TempDir()
	first, err := SessionSecret("", dir)
	if err != nil {
		t.Fatal(err)
	}
	second, err := SessionSecret("", dir)
	if err != nil {
		t.Fatal(err)
	}
	if first != second || len(first) < 32 {
		t.Errorf("secret changed between calls or is short: %q %q", first, second)
	}
	info, err := os.Stat(filepath.Join(dir, SessionKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", info.Mode().Perm())
	}
	if got, _ := SessionSecret("configured-secret-configured-secret", dir); got != "configured-secret-configured-secret" {
		t.Errorf("configured secret ignored: %q", got)
	}
}

func TestSessions(t *testing.T) {
	d, st := newDirectory(t)
	ctx := context.Background()
	u, err := d.CreateUser(ctx, NewAccount{Username: "erin", Password: "erin-password"})
	if err != nil {
		t.Fatal(err)
	}
	ss := NewSessions(strings.Repeat("s", 32), st, SessionOptions{Path: "/waymark", Secure: true})

	r := httptest.NewRequest("GET", "/", nil)
	w := httptest.NewRecorder()
	sess := ss.Load(r)
	if id, _, err := ss.Resolve(ctx, sess); err != nil || id != 0 {
		t.Fatalf("new session: user %d, err %v", id, err)
	}
	before, _ := sess.CSRFToken()
	if err := ss.SignIn(ctx, sess, u.ID, "192.0.2.1", "test"); err != nil {
		t.Fatal(err)
	}
	after, created := sess.CSRFToken()
	if created || after == "" || after == before {
		t.Errorf("sign-in must issue a new CSRF token: before %q after %q", before, after)
	}
	sess.SetFlash("hello")
	if err := ss.Save(w, r, sess); err != nil {
		t.Fatal(err)
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies: %v", cookies)
	}
	c := cookies[0]
	if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/waymark" {
		t.Errorf("cookie attributes: %+v", c)
	}
	if strings.Contains(c.Value, "hello") {
		t.Error("cookie content is readable")
	}

	r2 := httptest.NewRequest("GET", "/", nil)
	r2.AddCookie(c)
	sess2 := ss.Load(r2)
	if id, _, _ := ss.Resolve(ctx, sess2); id != u.ID {
		t.Errorf("user id after round trip: %d", id)
	}
	if tok, _ := sess2.CSRFToken(); tok != after {
		t.Errorf("csrf token after round trip: %q, want %q", tok, after)
	}
	if msg, ok := sess2.TakeFlash(); !ok || msg != "hello" {
		t.Errorf("flash: %q %v", msg, ok)
	}
	if _, ok := sess2.TakeFlash(); ok {
		t.Error("flash shown twice")
	}

	t.Run("OtherKeyRejected", func(t *testing.T) {
		other := NewSessions(strings.Repeat("o", 32), st, SessionOptions{})
		if id, _, _ := other.Resolve(ctx, other.Load(r2)); id != 0 {
			t.Error("a cookie signed with another key was accepted")
		}
	})

	t.Run("SignOutEndsTheServerSession", func(t *testing.T) {
		if err := ss.SignOut(ctx, sess2); err != nil {
			t.Fatal(err)
		}
		if id, _, _ := ss.Resolve(ctx, sess2); id != 0 {
			t.Error("still signed in")
		}
		// The cookie as it was before signing out is worthless now.
		replayed := ss.Load(r2)
		id, cleared, err := ss.Resolve(ctx, replayed)
		if err != nil || id != 0 || !cleared {
			t.Errorf("replayed cookie: user %d, cleared %v, err %v", id, cleared, err)
		}
	})
}

// testClock is a clock moved by hand.
type testClock struct{ t time.Time }

func (c *testClock) Now() time.Time { return c.t }

func TestSessionEnds(t *testing.T) {
	d, st := newDirectory(t)
	ctx := context.Background()
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	ss := NewSessions(strings.Repeat("s", 32), st, SessionOptions{Idle: 30 * time.Minute, Max: 2 * time.Hour, Now: clock.Now})
	u, err := d.CreateUser(ctx, NewAccount{Username: "erin", Password: "erin-password"})
	if err != nil {
		t.Fatal(err)
	}
	signIn := func() *Session {
		s := ss.Load(httptest.NewRequest("GET", "/", nil))
		if err := ss.SignIn(ctx, s, u.ID, "", ""); err != nil {
			t.Fatal(err)
		}
		return s
	}
	resolves := func(s *Session) bool {
		id, _, err := ss.Resolve(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		return id == u.ID
	}

	t.Run("IdleAndAbsolute", func(t *testing.T) {
		a := signIn()
		clock.t = clock.t.Add(29 * time.Minute)
		if !resolves(a) {
			t.Fatal("ended before the idle time")
		}
		b := signIn()
		clock.t = clock.t.Add(30 * time.Minute)
		if resolves(a) {
			t.Error("a session idle for 30 minutes still works")
		}
		list, err := ss.List(ctx, u.ID)
		if err != nil || len(list) != 0 {
			t.Errorf("listed %d sessions after the idle time-out (%v)", len(list), err)
		}
		// b timed out too but was never read again: Sweep removes it.
		if n, err := ss.Sweep(ctx); err != nil || n != 1 {
			t.Errorf("sweep removed %d sessions (%v), want 1", n, err)
		}
		if id, cleared, _ := ss.Resolve(ctx, b); id != 0 || !cleared {
			t.Error("a swept session still resolves")
		}
	})

	t.Run("PasswordChangeKeepsOnlyTheCurrent", func(t *testing.T) {
		a, b := signIn(), signIn()
		if err := d.ChangePassword(ctx, u.ID, "erin-password", "erin-new-password", a.ID()); err != nil {
			t.Fatal(err)
		}
		if !resolves(a) || resolves(b) {
			t.Errorf("after a password change: current works %v, other works %v", resolves(a), resolves(b))
		}
		if err := d.SetPassword(ctx, u.ID, "admin-chosen", true, 0); err != nil {
			t.Fatal(err)
		}
		if resolves(a) {
			t.Error("an admin's reset left a session")
		}
		got, _ := d.User(ctx, u.ID)
		if !got.MustChangePassword {
			t.Error("an admin's reset does not ask for a new password")
		}
	})

	t.Run("DisableEndsAll", func(t *testing.T) {
		a := signIn()
		if err := d.SetDisabled(ctx, u.ID, true, clock.Now()); err != nil {
			t.Fatal(err)
		}
		if resolves(a) {
			t.Error("a disabled user's session works")
		}
		if _, err := d.Authenticate(ctx, "erin", "admin-chosen"); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("a disabled user signs in: %v", err)
		}
	})

	t.Run("FileUsersKeepTheirPasswordInTheFile", func(t *testing.T) {
		p, _ := ParsePermissions([]byte(samplePermissions), "sample.yml")
		if _, err := d.Load(ctx, p); err != nil {
			t.Fatal(err)
		}
		alice, err := st.UserByUsername(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if err := d.SetPassword(ctx, alice.ID, "another-password", true, 0); !errors.Is(err, ErrInvalid) {
			t.Errorf("setting a file user's password: %v, want ErrInvalid", err)
		}
	})
}
