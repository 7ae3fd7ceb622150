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

func newDirectory(t *testing.T) (*Directory, *store.Store) {
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
	ss := NewSessions(strings.Repeat("s", 32), SessionOptions{Path: "/waymark", Secure: true})

	r := httptest.NewRequest("GET", "/", nil)
	w := httptest.NewRecorder()
	sess := ss.Load(r)
	if sess.UserID() != 0 {
		t.Fatal("new session has a user")
	}
	before, _ := sess.CSRFToken()
	sess.SignIn(42)
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
	if sess2.UserID() != 42 {
		t.Errorf("user id after round trip: %d", sess2.UserID())
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
		other := NewSessions(strings.Repeat("o", 32), SessionOptions{})
		if other.Load(r2).UserID() != 0 {
			t.Error("a cookie signed with another key was accepted")
		}
	})

	t.Run("SignOut", func(t *testing.T) {
		sess2.SignOut()
		if sess2.UserID() != 0 {
			t.Error("still signed in")
		}
	})
}
