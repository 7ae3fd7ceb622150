package auth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/waymark-bpm/waymark/internal/store"
)

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadProvidersFile(t *testing.T) {
	secret := writeTemp(t, "secret", "from-file\n")
	path := writeTemp(t, "providers.yml", `
providers:
  - id: keycloak
    name: Company account
    issuer: https://sso.example.com/realms/acme
    client_id: waymark
    client_secret_file: `+secret+`
    groups_claim: realm_access.roles
  - id: google
    issuer: https://accounts.google.com
    client_id: g-123
    client_secret: g-secret
    scopes: [openid, email]
    username_claim: email
`)
	got, err := LoadProvidersFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []ProviderConfig{
		{ID: "keycloak", Name: "Company account", Issuer: "https://sso.example.com/realms/acme", ClientID: "waymark", ClientSecret: "from-file",
			ClientSecretFile: secret, Scopes: []string{"profile", "email"}, GroupsClaim: "realm_access.roles", UsernameClaim: "preferred_username"},
		{ID: "google", Name: "google", Issuer: "https://accounts.google.com", ClientID: "g-123", ClientSecret: "g-secret",
			Scopes: []string{"email"}, GroupsClaim: "groups", UsernameClaim: "email"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("providers (-want +got):\n%s", diff)
	}

	for _, tt := range []struct{ name, yaml, want string }{
		{"UnknownKey", "providers:\n  - {id: a, issuer: https://x, client_id: c, clientsecret: s}\n", "field clientsecret not found"},
		{"Empty", "providers: []\n", `no providers under "providers:"`},
		{"BadID", "providers:\n  - {id: My IdP, issuer: https://x, client_id: c}\n", `provider 1 (My IdP): id "My IdP": want lower-case letters`},
		{"DuplicateID", "providers:\n  - {id: a, issuer: https://x, client_id: c}\n  - {id: a, issuer: https://y, client_id: d}\n", `provider 2 (a): id "a" is used twice`},
		{"NoClientID", "providers:\n  - {id: a, issuer: https://x}\n", "provider 1 (a): client_id is missing"},
		{"BadIssuer", "providers:\n  - {id: a, issuer: 'ftp://x', client_id: c}\n", `provider 1 (a): issuer "ftp://x"`},
		{"BothSecrets", "providers:\n  - {id: a, issuer: https://x, client_id: c, client_secret: s, client_secret_file: /f}\n", "set either client_secret or client_secret_file"},
		{"SecretFileMissing", "providers:\n  - {id: a, issuer: https://x, client_id: c, client_secret_file: /nonexistent/secret}\n", "provider 1 (a): client_secret_file: open /nonexistent/secret"},
		{"AllProblems", "providers:\n  - {id: A}\n", "issuer \"\""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadProvidersFile(writeTemp(t, "bad.yml", tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), "bad.yml") {
				t.Errorf("error %v does not name the file", err)
			}
		})
	}
}

func TestExternalUserClaims(t *testing.T) {
	cfg := ProviderConfig{UsernameClaim: "preferred_username", GroupsClaim: "realm_access.roles"}
	x, err := externalUser(cfg, "https://idp", "sub-1", map[string]any{
		"preferred_username": " ann ",
		"email":              "ann@example.com",
		"email_verified":     false,
		"name":               "Ann A.",
		"realm_access":       map[string]any{"roles": []any{"approvers", "/finance", " ", "approvers"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := ExternalUser{Issuer: "https://idp", Subject: "sub-1", Username: "ann", Email: "ann@example.com", DisplayName: "Ann A.",
		EmailVerified: false, Groups: []string{"approvers", "finance", "approvers"}}
	if diff := cmp.Diff(want, x); diff != "" {
		t.Errorf("user (-want +got):\n%s", diff)
	}

	t.Run("Fallbacks", func(t *testing.T) {
		x, err := externalUser(ProviderConfig{UsernameClaim: "preferred_username", GroupsClaim: "groups"}, "i", "s", map[string]any{"email": "b@example.com", "groups": "a, b c"})
		if err != nil || x.Username != "b@example.com" || !cmp.Equal(x.Groups, []string{"a", "b", "c"}) || !x.EmailVerified {
			t.Errorf("got %+v, %v", x, err)
		}
		x, err = externalUser(ProviderConfig{UsernameClaim: "upn", GroupsClaim: "-"}, "i", "s-only", map[string]any{"sub": "s-only", "groups": []any{"admin"}})
		if err != nil || x.Username != "s-only" || x.Groups != nil {
			t.Errorf("got %+v, %v", x, err)
		}
	})

	for _, tt := range []struct {
		name   string
		claims map[string]any
		want   string
	}{
		{"NoName", map[string]any{}, "names no user"},
		{"ControlCharacters", map[string]any{"preferred_username": "ann\nadmin"}, "is not usable"},
		{"GroupsNotList", map[string]any{"preferred_username": "ann", "groups": map[string]any{"a": 1}}, "claim groups: want a list of group names"},
		{"GroupsNotStrings", map[string]any{"preferred_username": "ann", "groups": []any{"a", 3.0}}, "entry of type float64"},
		{"TooManyGroups", map[string]any{"preferred_username": "ann", "groups": strings.Repeat("g,", 201)}, "at most 200"},
		{"LongGroup", map[string]any{"preferred_username": "ann", "groups": []any{strings.Repeat("g", 201)}}, "longer than 200 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := externalUser(ProviderConfig{UsernameClaim: "preferred_username", GroupsClaim: "groups"}, "i", "", tt.claims)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestSignInExternal(t *testing.T) {
	ctx := context.Background()
	d, s := newDirectory(t)
	p, err := ParsePermissions([]byte(samplePermissions), "sample.yml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Load(ctx, p); err != nil {
		t.Fatal(err)
	}

	t.Run("NewUser", func(t *testing.T) {
		// dave is a finance member by email in the file, but not a user.
		u, err := d.SignInExternal(ctx, ExternalUser{Issuer: "https://idp", Subject: "d-1", Username: "dave", Email: "Dave@Example.com",
			EmailVerified: true, DisplayName: "Dave", Groups: []string{"approvers"}})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"approvers", "everybody", "finance"}, u.Groups); diff != "" {
			t.Errorf("groups (-want +got):\n%s", diff)
		}
		su, err := s.UserByUsername(ctx, "dave")
		if err != nil || su.Source != store.SourceLocal || su.PasswordHash != "" {
			t.Errorf("stored %+v, %v", su, err)
		}
		if _, err := d.Authenticate(ctx, "dave", ""); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("a provider user signs in without password: %v", err)
		}
	})

	t.Run("OtherIssuerThanTheFilesService", func(t *testing.T) {
		// The file gives bob the service https://idp.example.com.
		_, err := d.SignInExternal(ctx, ExternalUser{Issuer: "https://evil.example.com", Subject: "b-9", Username: "bob", EmailVerified: true})
		var taken *UsernameTakenError
		if !errors.As(err, &taken) {
			t.Errorf("got %v, want UsernameTakenError", err)
		}
	})

	t.Run("FileUserWithoutPasswordIsLinked", func(t *testing.T) {
		u, err := d.SignInExternal(ctx, ExternalUser{Issuer: "https://idp.example.com/", Subject: "b-1", Username: "bob", Email: "bob@example.com", EmailVerified: true})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"everybody", "finance"}, u.Groups); diff != "" {
			t.Errorf("groups (-want +got):\n%s", diff)
		}
		// The same account at the provider is bob from now on, whatever
		// username it gives later.
		again, err := d.SignInExternal(ctx, ExternalUser{Issuer: "https://idp.example.com/", Subject: "b-1", Username: "robert", EmailVerified: true})
		if err != nil || again.ID != u.ID || again.Username != "bob" {
			t.Errorf("second sign-in: %+v, %v", again, err)
		}
	})

	for _, tt := range []struct {
		name string
		ext  ExternalUser
	}{
		{"PasswordUser", ExternalUser{Issuer: "https://idp", Subject: "a-1", Username: "alice", EmailVerified: true}},
		{"LinkedToAnotherAccount", ExternalUser{Issuer: "https://idp.example.com", Subject: "b-2", Username: "bob", EmailVerified: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := d.SignInExternal(ctx, tt.ext)
			var taken *UsernameTakenError
			if !errors.As(err, &taken) || taken.Username != tt.ext.Username {
				t.Errorf("got %v, want UsernameTakenError", err)
			}
		})
	}

	t.Run("UnverifiedEmailGrantsNoFileGroups", func(t *testing.T) {
		u, err := d.SignInExternal(ctx, ExternalUser{Issuer: "https://idp", Subject: "m-1", Username: "mallory", Email: "dave@example.com", EmailVerified: false})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"everybody"}, u.Groups); diff != "" {
			t.Errorf("groups (-want +got):\n%s", diff)
		}
	})

	t.Run("ReloadKeepsProviderUsers", func(t *testing.T) {
		if _, err := d.Load(ctx, p); err != nil {
			t.Fatal(err)
		}
		dave, err := s.UserByUsername(ctx, "dave")
		if err != nil {
			t.Fatal(err)
		}
		u, err := d.User(ctx, dave.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"approvers", "everybody", "finance"}, u.Groups); diff != "" {
			t.Errorf("dave's groups after reload (-want +got):\n%s", diff)
		}
	})

	t.Run("RemovedFileUserLosesTheLink", func(t *testing.T) {
		smaller, err := ParsePermissions([]byte("users:\n  alice: {password: pw}\n"), "smaller.yml")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Load(ctx, smaller); err != nil {
			t.Fatal(err)
		}
		// bob is gone with his link; the provider account becomes a new
		// user at its next sign-in.
		u, err := d.SignInExternal(ctx, ExternalUser{Issuer: "https://idp.example.com/", Subject: "b-1", Username: "robert", EmailVerified: true})
		if err != nil || u.Username != "robert" {
			t.Errorf("sign-in after bob was removed: %+v, %v", u, err)
		}
	})
}
