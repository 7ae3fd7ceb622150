package auth

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// ProviderConfig describes one OpenID Connect provider people can sign in
// with.
type ProviderConfig struct {
	// ID names the provider in URLs (/sign-in/oidc/{id}/callback): lower-case
	// letters, digits and dashes.
	ID string `yaml:"id"`
	// Name is the label of the sign-in button ("Sign in with {Name}").
	Name string `yaml:"name"`
	// Issuer is the provider's issuer URL; its discovery document is read
	// from {Issuer}/.well-known/openid-configuration.
	Issuer string `yaml:"issuer"`
	// ClientID and ClientSecret are Waymark's credentials at the provider.
	// The secret may be read from ClientSecretFile instead.
	ClientID         string `yaml:"client_id"`
	ClientSecret     string `yaml:"client_secret"`
	ClientSecretFile string `yaml:"client_secret_file"`
	// Scopes are requested besides "openid"; default profile and email.
	Scopes []string `yaml:"scopes"`
	// GroupsClaim is the ID token claim holding the user's groups, a dotted
	// path into nested objects such as "realm_access.roles"; default
	// "groups". An empty string in the file keeps the default; "-" turns
	// group mapping off.
	GroupsClaim string `yaml:"groups_claim"`
	// UsernameClaim is the claim that names a new user; default
	// "preferred_username", falling back to "email" and then "sub".
	UsernameClaim string `yaml:"username_claim"`
}

// Defaults for a provider's optional settings.
const (
	DefaultGroupsClaim   = "groups"
	DefaultUsernameClaim = "preferred_username"
)

// DefaultScopes are requested besides "openid" when a provider names none.
var DefaultScopes = []string{"profile", "email"}

var providerIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// providersFile is the YAML format of WAYMARK_OIDC_PROVIDERS_FILE.
type providersFile struct {
	Providers []ProviderConfig `yaml:"providers"`
}

// LoadProvidersFile reads a providers file:
//
//	providers:
//	  - id: keycloak
//	    name: Company account
//	    issuer: https://sso.example.com/realms/acme
//	    client_id: waymark
//	    client_secret_file: /run/secrets/keycloak
//	    scopes: [profile, email]
//	    groups_claim: groups
//	    username_claim: preferred_username
//
// Unknown keys are refused, so a misspelt setting fails at start. The
// providers are checked with CheckProviders.
func LoadProvidersFile(path string) ([]ProviderConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read OIDC providers: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f providersFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parse OIDC providers %s: %w", path, err)
	}
	if len(f.Providers) == 0 {
		return nil, fmt.Errorf("OIDC providers %s: no providers under \"providers:\"", path)
	}
	for i := range f.Providers {
		p := &f.Providers[i]
		if p.ClientSecretFile == "" {
			continue
		}
		if p.ClientSecret != "" {
			return nil, fmt.Errorf("OIDC providers %s: provider %d (%s): set either client_secret or client_secret_file, not both", path, i+1, p.ID)
		}
		b, err := os.ReadFile(p.ClientSecretFile)
		if err != nil {
			return nil, fmt.Errorf("OIDC providers %s: provider %d (%s): client_secret_file: %w", path, i+1, p.ID, err)
		}
		p.ClientSecret = strings.TrimRight(string(b), "\r\n")
	}
	providers, err := CheckProviders(f.Providers)
	if err != nil {
		return nil, fmt.Errorf("OIDC providers %s: %w", path, err)
	}
	return providers, nil
}

// CheckProviders checks every provider and fills in the defaults. All
// problems are reported together, each naming its provider and setting.
func CheckProviders(providers []ProviderConfig) ([]ProviderConfig, error) {
	var errs []error
	out := make([]ProviderConfig, len(providers))
	seen := map[string]bool{}
	for i, p := range providers {
		where := fmt.Sprintf("provider %d", i+1)
		if p.ID != "" {
			where += " (" + p.ID + ")"
		}
		fail := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
		}
		switch {
		case !providerIDPattern.MatchString(p.ID):
			fail("id %q: want lower-case letters, digits and dashes (at most 40)", p.ID)
		case seen[p.ID]:
			fail("id %q is used twice", p.ID)
		}
		seen[p.ID] = true
		if p.Name == "" {
			p.Name = p.ID
		}
		if u, err := url.Parse(p.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			fail("issuer %q: want an absolute http or https URL without query", p.Issuer)
		}
		if p.ClientID == "" {
			fail("client_id is missing")
		}
		if len(p.Scopes) == 0 {
			p.Scopes = slices.Clone(DefaultScopes)
		}
		for _, s := range p.Scopes {
			if s == "" || strings.ContainsAny(s, " \t\r\n") {
				fail("scope %q: want one word per scope", s)
			}
		}
		p.Scopes = slices.DeleteFunc(p.Scopes, func(s string) bool { return s == "openid" })
		if p.GroupsClaim == "" {
			p.GroupsClaim = DefaultGroupsClaim
		}
		if p.UsernameClaim == "" {
			p.UsernameClaim = DefaultUsernameClaim
		}
		out[i] = p
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}
