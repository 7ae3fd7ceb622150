package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFromEnvOIDC(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		c, err := FromEnv(env(nil))
		if err != nil {
			t.Fatal(err)
		}
		if !c.PasswordSignIn || c.OIDC.Issuer != "" || c.OIDCProvidersFile != "" {
			t.Errorf("defaults: password %v, OIDC %+v, file %q", c.PasswordSignIn, c.OIDC, c.OIDCProvidersFile)
		}
	})

	t.Run("Provider", func(t *testing.T) {
		secret := filepath.Join(t.TempDir(), "secret")
		if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := FromEnv(env(map[string]string{
			"WAYMARK_OIDC_ISSUER":             "https://sso.example.com/realms/acme",
			"WAYMARK_OIDC_CLIENT_ID":          "waymark",
			"WAYMARK_OIDC_CLIENT_SECRET_FILE": secret,
			"WAYMARK_OIDC_SCOPES":             " profile, email,groups,profile ",
			"WAYMARK_OIDC_GROUPS_CLAIM":       "realm_access.roles",
			"WAYMARK_PASSWORD_SIGN_IN":        "false",
		}))
		if err != nil {
			t.Fatal(err)
		}
		want := OIDCProvider{Issuer: "https://sso.example.com/realms/acme", ClientID: "waymark", ClientSecret: "s3cret", Name: "Single sign-on",
			Scopes: []string{"profile", "email", "groups"}, GroupsClaim: "realm_access.roles", UsernameClaim: "preferred_username"}
		if diff := cmp.Diff(want, c.OIDC); diff != "" {
			t.Errorf("provider (-want +got):\n%s", diff)
		}
		if c.PasswordSignIn {
			t.Error("password sign-in still on")
		}
		if got := c.LogValue().String(); strings.Contains(got, "s3cret") || !strings.Contains(got, "sso.example.com/realms/acme") {
			t.Errorf("the client secret is logged: %s", got)
		}
	})

	for _, tt := range []struct {
		name string
		vars map[string]string
		want string
	}{
		{"NoClientID", map[string]string{"WAYMARK_OIDC_ISSUER": "https://sso.example.com"}, "WAYMARK_OIDC_CLIENT_ID: must be set with WAYMARK_OIDC_ISSUER"},
		{"IssuerNotURL", map[string]string{"WAYMARK_OIDC_ISSUER": "sso.example.com", "WAYMARK_OIDC_CLIENT_ID": "w"}, "WAYMARK_OIDC_ISSUER: want an absolute http or https URL"},
		{"IssuerWithQuery", map[string]string{"WAYMARK_OIDC_ISSUER": "https://sso.example.com/?x=1", "WAYMARK_OIDC_CLIENT_ID": "w"}, "WAYMARK_OIDC_ISSUER: want an absolute http or https URL"},
		{"ScopeWithSpace", map[string]string{"WAYMARK_OIDC_ISSUER": "https://sso.example.com", "WAYMARK_OIDC_CLIENT_ID": "w", "WAYMARK_OIDC_SCOPES": "profile email"}, `WAYMARK_OIDC_SCOPES: scope "profile email" has a space`},
		{"NoWayToSignIn", map[string]string{"WAYMARK_PASSWORD_SIGN_IN": "false"}, "WAYMARK_PASSWORD_SIGN_IN: false leaves no way to sign in"},
		{"ProvidersFileMissing", map[string]string{"WAYMARK_OIDC_PROVIDERS_FILE": "/nonexistent/providers.yml"}, "WAYMARK_OIDC_PROVIDERS_FILE: stat /nonexistent/providers.yml"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromEnv(env(tt.vars))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
